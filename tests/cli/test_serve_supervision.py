"""Killing `restock serve` in any way stops its API workers, and a restart on the same port works at once.

Real processes: `restock serve --workers 2` on a free port, its supervisor SIGKILLed (as the OOM killer or
`kill -9` would), then the port checked and a new `restock serve` started on it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import RESTOCK, STARTUP_SECONDS, free_port, healthy

EXIT_SECONDS = 10.0


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its new parent to reap it holds no socket and serves nothing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def _port_free(port: int) -> bool:
    """Nobody listens: a new server may bind it (with SO_REUSEADDR, as uvicorn binds)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen()
        except OSError:
            return False
    return True


def _wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return bool(condition())  # type: ignore[operator]


@pytest.fixture
def serve(tmp_path: Path, sqlite_template: Path) -> Iterator[object]:
    """Start `restock serve` processes (each its own session, so that a failed test can still end them)."""
    db = tmp_path / "restock.db"
    shutil.copy(sqlite_template, db)
    env = {**os.environ, "RESTOCK_DATABASE_URL": f"sqlite:///{db}", "RESTOCK_MAIL_DIR": str(tmp_path / "mail")}
    started: list[subprocess.Popen[bytes]] = []

    def start(port: int, workers: int) -> subprocess.Popen[bytes]:
        args = [RESTOCK, "serve", "--port", str(port), "--workers", str(workers)]
        process = subprocess.Popen(args, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
        started.append(process)
        assert _wait_until(lambda: healthy(port) or process.poll() is not None, STARTUP_SECONDS)
        assert process.poll() is None, f"restock serve exited with {process.returncode}"
        return process

    yield start
    for process in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_sigkill_of_serve_stops_its_workers_and_frees_the_port_for_a_restart(serve: object) -> None:
    port = free_port()
    supervisor = serve(port, 2)  # type: ignore[operator]
    assert _wait_until(lambda: len(_children(supervisor.pid)) >= 2, STARTUP_SECONDS)
    workers = _children(supervisor.pid)

    supervisor.send_signal(signal.SIGKILL)
    supervisor.wait(timeout=10)

    assert _wait_until(lambda: not any(_alive(pid) for pid in workers), EXIT_SECONDS), "a worker outlived serve"
    assert _port_free(port), "something still holds the port"
    restarted = serve(port, 1)  # type: ignore[operator]
    assert healthy(port)
    restarted.send_signal(signal.SIGTERM)
    assert restarted.wait(timeout=EXIT_SECONDS) is not None


def test_sigterm_of_serve_ends_its_workers_gracefully(serve: object) -> None:
    port = free_port()
    supervisor = serve(port, 2)  # type: ignore[operator]
    assert _wait_until(lambda: len(_children(supervisor.pid)) >= 2, STARTUP_SECONDS)
    workers = _children(supervisor.pid)
    supervisor.send_signal(signal.SIGTERM)
    supervisor.wait(timeout=30)
    # uvicorn's supervisor signals its workers; one still finishing when it exits is ended with it
    assert _wait_until(lambda: not any(_alive(pid) for pid in workers), EXIT_SECONDS)
    assert _port_free(port)


WATCHED = textwrap.dedent(
    """
    import os, sys, time
    from restock.cli.server import exit_with_parent
    exit_with_parent(os.getppid(), use_prctl=False)
    print(os.getpid(), flush=True)
    time.sleep(60)
    """
)
MIDDLE = textwrap.dedent(
    """
    import subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=sys.stdout)
    time.sleep(60)
    """
)


def test_without_the_kernels_help_a_worker_notices_its_parent_died_and_exits() -> None:
    """The portable half (no PR_SET_PDEATHSIG): the watchdog sees the parent change and ends the process."""
    middle = subprocess.Popen(
        [sys.executable, "-c", MIDDLE, WATCHED], stdout=subprocess.PIPE, start_new_session=True, text=True
    )
    try:
        assert middle.stdout is not None
        orphan = int(middle.stdout.readline())
        assert _alive(orphan)
        middle.send_signal(signal.SIGKILL)
        middle.wait(timeout=10)
        assert _wait_until(lambda: not _alive(orphan), EXIT_SECONDS), "the orphan kept running"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(middle.pid, signal.SIGKILL)
        middle.wait(timeout=10)
