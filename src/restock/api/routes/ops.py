"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from restock.api import metrics
from restock.api.problems import DOCUMENTED, ApiProblem
from restock.api.security import Ctx, Warehouse

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(ctx: Ctx) -> dict[str, str]:
    """The database answers too."""
    try:
        with ctx.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:
        raise ApiProblem(503, "not_ready", f"database unreachable: {type(error).__name__}") from None
    return {"status": "ready"}


@router.get("/metrics", response_class=Response, responses={code: DOCUMENTED[code] for code in (401, 403, 503)})
def prometheus(ctx: Ctx, who: Warehouse) -> Response:
    """Request counts and latencies, orders placed, backorders waiting and the oldest one's age.

    Needs a warehouse or admin key: order rates and the backlog are business figures, not for anyone who can
    reach the port (Prometheus sends the key with `authorization: {credentials_file: ...}`)."""
    metrics.refresh_backorder_gauges(ctx)
    return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)
