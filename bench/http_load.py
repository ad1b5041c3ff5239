"""HTTP load for the API benchmarks: servers in subprocesses, N keep-alive clients in threads, CPU accounting.

The load generator runs on the same 2 cores as the servers and PostgreSQL, so what it costs per request
is taken from the servers. Two clients are offered, both one keep-alive connection per thread:

- `stdlib` (default): `http.client.HTTPConnection`, about 0.12-0.15 ms of CPU per request;
- `httpx`: one `httpx.Client` per thread, about 0.45-0.7 ms per request. Against a trivial endpoint it
  is the bottleneck (1,400-1,900 requests/s where the stdlib client drives the same server to 4,600-5,000).
  An `httpx.AsyncClient` shared by 16 tasks was worse still: 1.6-1.9 ms per request, ~500 requests/s.

Every run prints the client's own CPU per request, and the CPU the server processes used, so a reader can
tell whether the load generator was what limited it.
"""

from __future__ import annotations

import asyncio
import cProfile
import http.client
import math
import os
import pstats
import random
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import urlsplit

import httpx
from common import StatementCounter
from sqlalchemy import Engine, event

CLIENT_KINDS = ("stdlib", "httpx")
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
REQUEST_TIMEOUT = 60.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
WARM_REQUESTS = 8
MAX_LISTED = 30

NextRequest = Callable[[random.Random, int], tuple[str, str, bytes | None]]
"""(rng of the client, a number unique in the run) -> (method, path, body): the next request a client sends."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------- servers


@dataclass
class Server:
    name: str
    base: str
    process: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the server process and every process below it (uvicorn's workers)."""
        return cpu_seconds([self.process.pid, *descendants(self.process.pid)])


@contextmanager
def serving(name: str, argv: Sequence[str], port: int, ready_path: str, env: dict[str, str]) -> Iterator[Server]:
    """Start a server, wait until `ready_path` answers 200, and stop it again on the way out, whatever happens."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(list(argv), env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(name, process, base + ready_path, log)
            yield Server(name, base, process)
        finally:
            stop(process)


def wait_ready(name: str, process: subprocess.Popen[bytes], url: str, log: IO[bytes]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode} before it was ready:\n{_tail(log)}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{name} was not ready after {READY_TIMEOUT:g} s ({url}):\n{_tail(log)}")


def _tail(log: IO[bytes], size: int = 3000) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-size:]


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (uvicorn stops its workers and exits), then SIGKILL if it does not within STOP_TIMEOUT."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ---------------------------------------------------------------- CPU accounting from /proc


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone in the meantime
        return None
    return raw[raw.rindex(")") + 2 :].split()  # the command name may contain spaces: skip past it


def descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))) is not None:
            parents[int(entry.name)] = int(fields[1])
    found: list[int] = []
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, p in parents.items() if p == parent]
        found += children
        frontier += children
    return found


def cpu_seconds(pids: Sequence[int]) -> float:
    ticks = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / CLOCK_TICKS


def postgres_ticks() -> dict[int, int]:
    """CPU ticks of every PostgreSQL process on the machine, by pid.

    Other users' load is included, and a backend that exits during a run takes its ticks with it: a rough
    figure on a shared host.
    """
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            is_postgres = Path(entry, "comm").read_text().strip() in ("postgres", "postmaster")
        except OSError:
            continue
        if is_postgres and (fields := _stat_fields(int(entry.name))) is not None:
            ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    return ticks


def postgres_cpu_since(before: dict[int, int]) -> float:
    """CPU seconds PostgreSQL processes alive now used since `before` (new backends: all of theirs)."""
    now = postgres_ticks()
    return sum(t - before.get(pid, 0) for pid, t in now.items()) / CLOCK_TICKS


def machine_busy_seconds() -> float:
    """CPU seconds all cores of the machine spent busy (not idle, not waiting on I/O) since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle, iowait = fields[3], fields[4]
    return (sum(fields) - idle - iowait) / CLOCK_TICKS


# ---------------------------------------------------------------- clients


class Client(Protocol):
    def send(self, method: str, path: str, body: bytes | None) -> tuple[int, bytes]: ...

    def close(self) -> None: ...


class StdlibClient:
    """One keep-alive connection through `http.client`: the cheapest HTTP/1.1 client in the standard library."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        url = urlsplit(base)
        assert url.hostname is not None
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=REQUEST_TIMEOUT)
        self.headers = {"Content-Type": "application/json", **headers}

    def send(self, method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        self.conn.request(method, path, body=body, headers=self.headers)
        response = self.conn.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.conn.close()


class HttpxClient:
    """One `httpx.Client` (its own keep-alive connection pool)."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        self.client = httpx.Client(
            base_url=base, headers={"Content-Type": "application/json", **headers}, timeout=REQUEST_TIMEOUT
        )

    def send(self, method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        response = self.client.request(method, path, content=body)
        return response.status_code, response.content

    def close(self) -> None:
        self.client.close()


def make_client(kind: str, base: str, headers: dict[str, str]) -> Client:
    if kind == "httpx":
        return HttpxClient(base, headers)
    return StdlibClient(base, headers)


# ---------------------------------------------------------------- one timed run


@dataclass
class Load:
    """What N clients got done in one timed run."""

    requests: int
    seconds: float
    client_cpu: float
    """CPU of this process (the clients' threads) during the run."""
    server_cpu: float
    """CPU of the server process and its workers during the run."""
    postgres_cpu: float
    machine_cpu: float
    """Busy CPU of the whole machine during the run: everything above, and anything else running."""
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        return percentile(sorted(self.latencies), q)

    def cpu_line(self) -> str:
        per = 1000 / max(self.requests, 1)
        return (
            f"CPU per request: client {self.client_cpu * per:5.2f} ms, server {self.server_cpu * per:5.2f} ms,"
            f" postgres {self.postgres_cpu * per:5.2f} ms; cores busy: server {self.server_cpu / self.seconds:4.2f},"
            f" client {self.client_cpu / self.seconds:4.2f}, whole machine {self.machine_cpu / self.seconds:4.2f}"
            f" of {os.cpu_count()}"
        )


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of values already sorted; q in (0, 1]."""
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def run_clients(
    server: Server,
    clients: Sequence[Client],
    next_request: NextRequest,
    *,
    seconds: float,
    expect: int,
    seed: int,
) -> Load:
    """Every client in its own thread, sending requests back to back until `seconds` have passed.

    A request counts when it is answered with `expect`; any other answer stops that client and is reported.
    """
    stop_event = threading.Event()
    start_line = threading.Barrier(len(clients) + 1)
    latencies: list[list[float]] = [[] for _ in clients]
    errors: list[str] = []

    def work(index: int, client: Client, times: list[float]) -> None:
        rng = random.Random(seed * 1000 + index)
        start_line.wait()
        number = seed * 10_000_000 + index * 100_000
        while not stop_event.is_set():
            method, path, body = next_request(rng, number)
            number += 1
            sent = time.perf_counter()
            try:
                status, content = client.send(method, path, body)
            except Exception as error:  # one failure must not hide the others' figures
                errors.append(f"client {index}: {method} {path}: {type(error).__name__}: {error}")
                return
            if status != expect:
                errors.append(f"client {index}: {method} {path} answered {status}: {content[:300]!r}")
                return
            times.append(time.perf_counter() - sent)

    threads = [
        threading.Thread(target=work, args=(i, client, latencies[i]), daemon=True) for i, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    start_line.wait()
    started, cpu_started = time.perf_counter(), time.process_time()
    server_started, pg_started, machine_started = server.cpu_seconds(), postgres_ticks(), machine_busy_seconds()
    stop_event.wait(seconds)
    stop_event.set()
    for thread in threads:
        thread.join()
    elapsed, client_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    server_cpu, pg_cpu = server.cpu_seconds() - server_started, postgres_cpu_since(pg_started)
    machine_cpu = machine_busy_seconds() - machine_started
    every = [t for times in latencies for t in times]
    return Load(len(every), elapsed, client_cpu, server_cpu, pg_cpu, machine_cpu, every, errors)


def timed_run(
    server: Server,
    kind: str,
    headers: dict[str, str],
    next_request: NextRequest,
    *,
    clients: int,
    seconds: float,
    expect: int,
    seed: int,
) -> Load:
    """Fresh connections for every run (uvicorn closes idle keep-alive connections after 5 s)."""
    connections = [make_client(kind, server.base, headers) for _ in range(clients)]
    try:
        load = run_clients(server, connections, next_request, seconds=seconds, expect=expect, seed=seed)
    finally:
        for connection in connections:
            connection.close()
    if load.errors:
        raise SystemExit(f"{server.name}: {len(load.errors)} client(s) failed:\n  " + "\n  ".join(load.errors[:5]))
    return load


def ms(seconds: float) -> str:
    return f"{seconds * 1000:6.1f} ms"


def describe_client(kind: str, clients: int) -> str:
    what = "http.client.HTTPConnection" if kind == "stdlib" else "httpx.Client"
    return f"{clients} client threads in one process, one keep-alive {what} each"


# ---------------------------------------------------------------- in-process diagnostics


@contextmanager
def threadpool_inline() -> Iterator[None]:
    """Run FastAPI's sync endpoints and dependencies in the calling thread instead of the thread pool.

    For diagnostics only: so that cProfile, which sees one thread, sees the whole request.
    """
    import fastapi.dependencies.utils
    import fastapi.routing

    async def inline(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    modules = (fastapi.routing, fastapi.dependencies.utils)
    saved = [module.run_in_threadpool for module in modules]
    for module in modules:
        setattr(module, "run_in_threadpool", inline)  # noqa: B010 (mypy would refuse a plain assignment)
    try:
        yield
    finally:
        for module, original in zip(modules, saved, strict=True):
            setattr(module, "run_in_threadpool", original)  # noqa: B010


def drive_in_process(
    app: Any, headers: dict[str, str], next_request: NextRequest, count: int, *, expect: int, seed: int
) -> None:
    """`count` requests one after the other straight into the ASGI app, in this thread: no server, no socket."""

    async def go() -> None:
        transport = httpx.ASGITransport(app=app)
        all_headers = {"Content-Type": "application/json", **headers}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", headers=all_headers) as client:
            rng = random.Random(seed)
            for n in range(count):
                method, path, body = next_request(rng, seed * 1_000_000 + n)
                response = await client.request(method, path, content=body)
                if response.status_code != expect:
                    raise SystemExit(f"{method} {path} answered {response.status_code}: {response.text[:300]}")

    with threadpool_inline():
        asyncio.run(go())


def diagnose(
    engine: Engine,
    app: Any,
    label: str,
    headers: dict[str, str],
    next_request: NextRequest,
    *,
    requests: int,
    expect: int,
    profile: int = 0,
) -> int:
    """Statements and transactions per request, one request's statements listed, and the in-process cost of one
    request alone (wall and CPU, the in-process client included). With `profile`, a cProfile of that many.

    Returns how many requests were sent (the order benchmark counts the orders it placed).
    """
    drive_in_process(app, headers, next_request, WARM_REQUESTS, expect=expect, seed=1)
    counter = StatementCounter(engine, keep_log=True)
    commits = [0]

    def on_commit(_conn: Any) -> None:
        commits[0] += 1

    event.listen(engine, "commit", on_commit)
    try:
        drive_in_process(app, headers, next_request, 1, expect=expect, seed=2)
        one = list(counter.log)
        counter.reset()
        commits[0] = 0
        started, cpu_started = time.perf_counter(), time.process_time()
        drive_in_process(app, headers, next_request, requests, expect=expect, seed=3)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        statements, transactions = counter.total / requests, commits[0] / requests
    finally:
        counter.close()
        event.remove(engine, "commit", on_commit)
    print(
        f"{label}: {statements:.1f} SQL statements and {transactions:.1f} transactions per request;"
        f" one request alone, in process: {wall / requests * 1000:.2f} ms wall, {cpu / requests * 1000:.2f} ms CPU"
    )
    shown = one if len(one) <= MAX_LISTED else [*one[: MAX_LISTED - 3], "...", *one[-2:]]
    for number, statement in enumerate(shown, 1):
        print(f"  {number:3d}. {shorten(statement)}")
    if len(one) > MAX_LISTED:
        print(f"  ({len(one)} statements in all)")
    if profile:
        profiler = cProfile.Profile(time.process_time)  # CPU, not wall: what limits throughput on 2 cores
        profiler.enable()
        drive_in_process(app, headers, next_request, profile, expect=expect, seed=4)
        profiler.disable()
        print(f"cProfile (CPU time) of {profile} requests, {label}, in process (in-process client included):")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(20)
    return WARM_REQUESTS + 1 + requests + profile


def shorten(statement: str, width: int = 150) -> str:
    return statement if len(statement) <= width else statement[: width - 3] + "..."


# ---------------------------------------------------------------- where the CPU of one request goes


@contextmanager
def replaced(module: Any, name: str, value: Any) -> Iterator[None]:
    """`module.name` is `value` inside the block (in this process only): to take one layer out of a request."""
    original = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, original)


def request_cpu_ms(
    app: Any, headers: dict[str, str], next_request: NextRequest, *, requests: int, expect: int
) -> float:
    """CPU ms per request sent in process, one at a time; the best of 3 passes (the least disturbed)."""
    drive_in_process(app, headers, next_request, WARM_REQUESTS, expect=expect, seed=5)
    best = math.inf
    for attempt in range(3):
        started = time.process_time()
        drive_in_process(app, headers, next_request, requests, expect=expect, seed=6 + attempt)
        best = min(best, (time.process_time() - started) / requests)
    return best * 1000


def call_cpu_ms(fn: Callable[[], object], *, calls: int) -> float:
    """CPU ms per call of `fn`, one at a time; the best of 3 passes."""
    for _ in range(WARM_REQUESTS):
        fn()
    best = math.inf
    for _ in range(3):
        started = time.process_time()
        for _ in range(calls):
            fn()
        best = min(best, (time.process_time() - started) / calls)
    return best * 1000


def trivial_app_cpu_ms(requests: int) -> float:
    """The floor: bench/trivial_app.py driven the same way (FastAPI routing and the in-process client)."""
    import trivial_app

    def next_request(_rng: Any, _n: int) -> tuple[str, str, bytes | None]:
        return "GET", "/trivial", None

    return request_cpu_ms(trivial_app.app, {}, next_request, requests=requests, expect=200)


def print_layers(title: str, rows: Sequence[tuple[str, float]]) -> None:
    print(f"{title} (CPU ms per request, in process, one at a time, best of 3 passes; no server, no socket):")
    for label, cost in rows:
        print(f"  {cost:6.2f}  {label}")
