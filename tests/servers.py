"""Real `restock serve` processes for the tests that kill them: a free port, health, start and kill."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

RESTOCK = str(Path(sys.executable).with_name("restock"))
STARTUP_SECONDS = 60.0
"""Spawned workers import the whole app; on a loaded 2-core machine that takes a while."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def healthy(port: int) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    return False


def start_serve(env: dict[str, str], port: int, *options: str) -> subprocess.Popen[bytes]:
    """`restock serve --port PORT OPTIONS` in a session of its own (so it can be killed whole), once it answers."""
    args = [RESTOCK, "serve", "--port", str(port), *options]
    process = subprocess.Popen(args, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + STARTUP_SECONDS
    while not healthy(port) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    return process


def kill_session(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process and everything it started, as the OOM killer or `kill -9` of the group would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
