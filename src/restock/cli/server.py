"""`restock serve`: the REST API under uvicorn, with the outbox worker beside it unless told otherwise."""

from __future__ import annotations

from typing import Annotated

import typer

from restock.cli.shared import context, out


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
    out.print(f"restock API on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    stop = None
    if not no_worker:
        from restock.notify.worker import start_in_thread

        _, stop = start_in_thread(ctx)
        out.print("outbox worker running (e-mails, webhooks, periodic updates)")
    try:
        uvicorn.run(
            "restock.api.app:app_from_env", factory=True, host=host, port=port, workers=workers, log_level="warning"
        )
    finally:
        if stop is not None:
            stop.set()
