"""Request bodies are limited by the bytes actually read, chunked or not, before parsing or authentication.

The app is served by a real uvicorn on a free port and fed a chunked body over a raw socket, so nothing
between the client and the app buffers it; a counting layer around the app shows how much the app read.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from restock.api.app import MAX_BODY_BYTES, create_app
from restock.services import apikeys
from restock.services.context import Context
from restock.store.db import make_engine
from tests.builders import on_hand, standard_catalog
from tests.conftest import make_context

CHUNK = 64 * 1024
BODY_BYTES = 8 * 1024 * 1024


class CountingReads:
    """Counts the body bytes the wrapped app pulled through `receive`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app, self.read = app, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted() -> Message:
            message = await receive()
            self.read += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


@pytest.fixture
def served(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[int, CountingReads, Context, str]]:
    db = tmp_path / "restock.db"
    db.write_bytes(sqlite_template.read_bytes())
    ctx = make_context(make_engine(f"sqlite:///{db}"))
    standard_catalog(ctx)
    key = apikeys.create_key(ctx, "storefront", "web").key
    app = CountingReads(create_app(replace(ctx, settings=replace(ctx.settings, availability_cache_seconds=0))))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield port, app, ctx, key
    server.should_exit = True
    thread.join(timeout=10)


def _chunked_post(port: int, path: str, headers: dict[str, str], body: Iterator[bytes]) -> tuple[int, dict[str, Any]]:
    """POST a chunked body over a raw socket, stopping as soon as the server answers; the status and JSON."""
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(head.encode())
        conn.setblocking(False)
        answer = b""
        for chunk in body:
            answer += _read_available(conn)
            if answer:
                break
            try:
                _send_all(conn, f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
        else:
            _send_all(conn, b"0\r\n\r\n")
        conn.setblocking(True)
        answer += _read_until_body(conn, answer)
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), json.loads(rest.partition(b"\r\n\r\n")[2] or b"null")


def _send_all(conn: socket.socket, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            view = view[conn.send(view) :]
        except BlockingIOError:
            if _read_available(conn, peek=True):
                raise BrokenPipeError("the server answered mid-body") from None
            time.sleep(0.005)


def _read_available(conn: socket.socket, peek: bool = False) -> bytes:
    try:
        return conn.recv(65536, socket.MSG_PEEK if peek else 0)
    except (BlockingIOError, ConnectionResetError):
        return b""


def _read_until_body(conn: socket.socket, already: bytes) -> bytes:
    more = b""
    while b"\r\n\r\n" not in already + more or not (already + more).rstrip().endswith(b"}"):
        try:
            data = conn.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not data:
            break
        more += data
    return more


def _junk(total: int) -> Iterator[bytes]:
    """A JSON-looking body that never ends before `total` bytes: only a byte count can refuse it early."""
    yield b'{"channel": "web", "lines": [' + b" " * (CHUNK - 29)
    for _ in range(total // CHUNK - 1):
        yield b" " * CHUNK


@pytest.mark.parametrize("with_key", [True, False], ids=["with-key", "without-key"])
def test_a_chunked_body_over_the_limit_is_refused_after_about_the_limit_was_read(
    served: tuple[int, CountingReads, Context, str], with_key: bool
) -> None:
    port, app, _, key = served
    headers = {"Authorization": f"Bearer {key}"} if with_key else {}
    status, problem = _chunked_post(port, "/v1/orders", headers, _junk(BODY_BYTES))
    assert status == 413
    assert problem["type"].endswith("/payload_too_large")
    # the server hands the body over in the pieces it happened to receive (up to a few hundred kB at once)
    assert app.read <= 1.5 * MAX_BODY_BYTES, f"the app read {app.read} bytes of an {BODY_BYTES}-byte body"


def test_a_chunked_body_within_the_limit_is_read_and_answered_as_usual(
    served: tuple[int, CountingReads, Context, str],
) -> None:
    port, _, ctx, key = served
    on_hand(ctx, "MUG", "W1", 5)
    order = {"channel": "web", "customer": {"email": "ann@example.com"}, "lines": [{"sku": "MUG", "quantity": 2}]}
    encoded = json.dumps(order).encode()
    status, placed = _chunked_post(
        port, "/v1/orders", {"Authorization": f"Bearer {key}"}, iter([encoded[:20], encoded[20:]])
    )
    assert status == 201, placed
    assert placed["lines"][0]["allocated"] == 2


def test_a_declared_length_over_the_limit_is_refused_before_a_byte_is_read(
    served: tuple[int, CountingReads, Context, str],
) -> None:
    port, app, _, _ = served
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        head = "POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        conn.sendall(f"{head}Content-Length: {BODY_BYTES}\r\n\r\n".encode())
        answer = _read_until_body(conn, b"")
    assert answer.split()[1] == b"413"
    assert app.read == 0
