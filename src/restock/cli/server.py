"""`restock serve`: the REST API under uvicorn, with the outbox worker beside it unless told otherwise.

With several workers, uvicorn's supervising process (this one, with the outbox worker thread) starts the API
worker processes. Each of them exits when its supervisor dies, however it dies (SIGKILL and the OOM killer
included): otherwise orphaned workers would keep serving the port without an outbox worker, and the restart
would fail with "Address already in use".
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING, Annotated

import typer

from restock.cli.shared import context, out

if TYPE_CHECKING:
    from fastapi import FastAPI

SUPERVISOR_ENV = "RESTOCK_SUPERVISOR_PID"
"""Set by `restock serve` for its worker processes: the pid whose death they must not outlive."""
PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5
GRACE_SECONDS = 30.0
"""After its supervisor died, how long a worker may take to finish its requests in flight before it is ended."""


def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (one per core is a good start).")] = 1,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Do not deliver the outbox here (run `restock worker` elsewhere).")
    ] = False,
) -> None:
    """Run the REST API under uvicorn; every worker process opens its own connection pool.

    The outbox worker runs as one thread of this (the supervising) process, never in the API processes:
    exactly one, whatever --workers says, which is what SQLite needs.
    """
    import uvicorn

    ctx = context()  # fail early, and readably, on bad settings
    if workers > 1:
        os.environ[SUPERVISOR_ENV] = str(os.getpid())  # inherited by the worker processes uvicorn spawns
    out.print(f"restock API on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    stop = None
    if not no_worker:
        from restock.notify.worker import start_in_thread

        _, stop = start_in_thread(ctx)
        out.print("outbox worker running (e-mails, webhooks, periodic updates)")
    try:
        uvicorn.run(
            "restock.cli.server:worker_app", factory=True, host=host, port=port, workers=workers, log_level="warning"
        )
    finally:
        if stop is not None:
            stop.set()


def worker_app() -> FastAPI:
    """The app of one API worker process (uvicorn's factory): bound to its supervisor's life when it has one."""
    from restock.api.app import app_from_env

    supervisor = os.environ.get(SUPERVISOR_ENV, "")
    if supervisor.isdigit() and int(supervisor) != os.getpid():
        exit_with_parent(int(supervisor))
    return app_from_env()


def exit_with_parent(supervisor: int, use_prctl: bool = True) -> None:
    """End this process gracefully (SIGTERM: uvicorn stops accepting and finishes requests in flight) when
    `supervisor` dies. On Linux the kernel sends the signal (PR_SET_PDEATHSIG); everywhere, a watchdog thread
    notices that the parent changed (the orphan was re-parented) and does the same."""
    if use_prctl and sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    if os.getppid() != supervisor:  # it died before the line above: nobody will send the signal
        os.kill(os.getpid(), signal.SIGTERM)
    threading.Thread(target=_watch_parent, args=(supervisor,), name="restock-parent-watch", daemon=True).start()


def _watch_parent(supervisor: int) -> None:
    while os.getppid() == supervisor:
        time.sleep(WATCH_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(GRACE_SECONDS)
    os._exit(1)  # still here after the grace period: a request never ended
