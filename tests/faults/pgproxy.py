"""A fault-injecting TCP proxy between restock and PostgreSQL, for the tests that prove "one request, one effect".

It speaks just enough of the PostgreSQL wire protocol (v3: a startup packet, then messages of one type byte
and a 4-byte length; https://www.postgresql.org/docs/current/protocol-message-formats.html) to see which
statement a client sends (simple `Query` or extended `Parse`) and to cut the conversation at a chosen point:

- `drop_answer(match)`: the statement reaches the server and runs (a COMMIT commits); the server's answer,
  up to its ReadyForQuery, is thrown away and both sockets are closed. The client sees a lost connection
  exactly when the effect is already durable: a failover or a pooler restart at the worst moment.
- `reset(match)`: both sockets are closed before the statement reaches the server (a reset mid-transaction).
- `delay(match, seconds)`: the server's answer to the statement is held back that long.

Each fault fires a given number of times (once by default), on whichever connection sends a matching
statement first. Clients must connect with `sslmode=disable` (the proxy does not speak TLS).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

SSL_REQUEST = 80877103
GSS_REQUEST = 80877104


@dataclass
class Fault:
    action: str
    match: bytes
    times: int = 1
    seconds: float = 0.0
    fired: int = 0
    after: bytes | None = None
    """Only on a connection that has sent a statement containing this since its last COMMIT."""
    answered: threading.Event = field(default_factory=threading.Event)
    """Set when the server has finished the statement whose answer this fault dropped."""


@dataclass
class _Link:
    client: socket.socket
    server: socket.socket
    doomed: Fault | None = None
    delay: float = 0.0
    closed: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        self.closed.set()
        for sock in (self.client, self.server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def _read_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("peer closed")
        data += chunk
    return data


def _read_message(sock: socket.socket) -> tuple[bytes, bytes]:
    """One typed message: (type byte, whole message bytes)."""
    head = _read_exact(sock, 5)
    (length,) = struct.unpack("!I", head[1:])
    return head[:1], head + _read_exact(sock, length - 4)


class PgFaultProxy:
    """Listens on 127.0.0.1 (an ephemeral port) and forwards to the real server, injecting armed faults."""

    def __init__(self, upstream_host: str = "127.0.0.1", upstream_port: int = 5432) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self.links: list[_Link] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self._stopping = False
        threading.Thread(target=self._accept, daemon=True, name="pgproxy-accept").start()

    # ------------------------------------------------------------ arming

    def drop_answer(self, match: str | bytes, times: int = 1) -> Fault:
        return self._arm(Fault("drop_answer", _bytes(match), times))

    def drop_commit_answer_after(self, statement: str | bytes, times: int = 1) -> Fault:
        """Drop the answer to the COMMIT of the (first) transaction that ran a statement containing `statement`."""
        return self._arm(Fault("drop_answer", b"COMMIT", times, after=_bytes(statement)))

    def reset(self, match: str | bytes, times: int = 1) -> Fault:
        return self._arm(Fault("reset", _bytes(match), times))

    def delay(self, match: str | bytes, seconds: float, times: int = 1) -> Fault:
        return self._arm(Fault("delay", _bytes(match), times, seconds))

    def _arm(self, fault: Fault) -> Fault:
        with self.lock:
            self.faults.append(fault)
        return fault

    def disarm(self) -> None:
        with self.lock:
            self.faults.clear()

    def _take(self, message: bytes, recent: bytes) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.fired >= fault.times or fault.match not in message:
                    continue
                if fault.after is not None and fault.after not in recent:
                    continue
                fault.fired += 1
                return fault
        return None

    # ------------------------------------------------------------ plumbing

    def url_for(self, url: str) -> str:
        """The same database URL through the proxy (host and port replaced, TLS off)."""
        from sqlalchemy.engine import make_url

        parsed = make_url(url).set(host="127.0.0.1", port=self.port)
        query = dict(parsed.query)
        query["sslmode"] = "disable"
        query["gssencmode"] = "disable"
        return parsed.set(query=query).render_as_string(hide_password=False)

    def close(self) -> None:
        self._stopping = True
        self.listener.close()
        with self.lock:
            links = list(self.links)
        for link in links:
            link.close()

    def cut_all(self) -> None:
        """Reset every open connection now (a server restart as the client sees it)."""
        with self.lock:
            links, self.links = list(self.links), []
        for link in links:
            link.close()

    def _accept(self) -> None:
        while not self._stopping:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            link = _Link(client, server)
            with self.lock:
                self.links.append(link)
            threading.Thread(target=self._client_to_server, args=(link,), daemon=True).start()
            threading.Thread(target=self._server_to_client, args=(link,), daemon=True).start()

    def _client_to_server(self, link: _Link) -> None:
        try:
            head = _read_exact(link.client, 8)
            (length, code) = struct.unpack("!II", head)
            if code in (SSL_REQUEST, GSS_REQUEST):
                raise ConnectionError("connect with sslmode=disable and gssencmode=disable")
            link.server.sendall(head + _read_exact(link.client, length - 8))
            recent = b""  # the statements of the current transaction, for faults armed `after` one of them
            while not link.closed.is_set():
                kind, message = _read_message(link.client)
                fault = self._take(message, recent) if kind in (b"Q", b"P") else None
                if kind in (b"Q", b"P"):
                    recent = b"" if b"COMMIT" in message or b"ROLLBACK" in message else recent + message
                if fault is not None and fault.action == "reset":
                    link.close()
                    return
                if fault is not None and fault.action == "drop_answer":
                    link.doomed = fault
                if fault is not None and fault.action == "delay":
                    link.delay = fault.seconds
                link.server.sendall(message)
        except (ConnectionError, OSError):
            link.close()

    def _server_to_client(self, link: _Link) -> None:
        try:
            while not link.closed.is_set():
                kind, message = _read_message(link.server)
                if link.doomed is not None:
                    if kind == b"Z":  # the server has finished the statement: now the client loses the line
                        link.doomed.answered.set()
                        link.close()
                        return
                    continue
                if link.delay and kind == b"Z":
                    time.sleep(link.delay)
                    link.delay = 0.0
                link.client.sendall(message)
        except (ConnectionError, OSError):
            link.close()


def _bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value
