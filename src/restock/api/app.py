"""The FastAPI application: routers, problem+json errors, metrics, and a bound on request size."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import Depends, FastAPI

from restock import __version__
from restock.api import metrics, problems
from restock.api.answers import AnswerCache, ChangeWatcher, RememberedAnswers
from restock.api.routes import catalog, fulfilment, imports, kpis, links, notify, ops, orders, planning, purchasing
from restock.api.security import KeyCache, refuse_unknown_query
from restock.services.context import Context

MAX_BODY_BYTES = 1_000_000
"""The largest request body accepted: a 500-line order is far below it; anything larger is refused (413)."""

DESCRIPTION = """
Availability, backorders and replenishment. Send an API key as `Authorization: Bearer <key>`.

Roles: a **storefront** key reads availability and places and reads orders on its own channel; a
**warehouse** key receives purchase orders, ships orders and adjusts stock; an **admin** key does
everything. Every error is `application/problem+json` (RFC 9457). Quantities are whole numbers from 1
to 1,000,000; codes are 1-64 ASCII letters, digits, `.`, `_` or `-`. POSTs that create something honour
an `Idempotency-Key` header.
"""


def create_app(ctx: Context) -> FastAPI:
    answers = AnswerCache(ctx.settings.availability_cache_seconds)
    watcher = ChangeWatcher(ctx, answers)

    @asynccontextmanager
    async def follow_changes(_app: FastAPI) -> AsyncIterator[None]:
        """Cached availability answers are served only while this worker follows the feed of changes."""
        if ctx.settings.api_threads:
            anyio.to_thread.current_default_thread_limiter().total_tokens = ctx.settings.api_threads
        if answers.enabled:
            watcher.start()
        yield
        watcher.stop()

    app = FastAPI(title="restock", version=__version__, description=DESCRIPTION, lifespan=follow_changes)
    app.state.ctx = ctx
    app.state.key_cache = KeyCache(ctx.settings.api_key_cache_seconds)
    app.state.answers = answers
    problems.install(app)
    app.add_middleware(RememberedAnswers, answers=answers, keys=app.state.key_cache, clock=ctx.clock)
    app.add_middleware(metrics.Observe, max_body_bytes=MAX_BODY_BYTES, on_write=watcher.poll_soon)
    app.include_router(ops.router)
    for router in (
        orders.router,
        fulfilment.router,
        catalog.router,
        purchasing.router,
        planning.router,
        kpis.router,
        imports.router,
    ):
        app.include_router(router, responses=problems.DOCUMENTED, dependencies=[Depends(refuse_unknown_query)])
    # notify-me, the outbox and webhooks; then the public pages behind the links in e-mails (no key)
    app.include_router(notify.router, responses=problems.DOCUMENTED, dependencies=[Depends(refuse_unknown_query)])
    app.include_router(links.router)
    app.openapi_schema = None
    original = app.openapi

    def openapi_with_problem() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = original()
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi_with_problem  # type: ignore[method-assign]
    return app


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "short_lines": {"type": "array", "items": {"type": "object"}, "description": "For a refused order."},
        "errors": {
            "type": "array",
            "items": {"type": "object"},
            "description": "For a schema violation; for a refused import, each error's line, column and why.",
        },
    },
}


def app_from_env() -> FastAPI:
    """For `uvicorn --factory restock.api.app:app_from_env`: each worker process builds its own engine."""
    from restock.config import Settings

    return create_app(Context.from_settings(Settings.from_env()))
