"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from restock.api import metrics
from restock.api.problems import ApiProblem
from restock.api.security import Ctx

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


@router.get("/metrics", response_class=Response)
def prometheus(ctx: Ctx) -> Response:
    """Request counts and latencies, orders placed, backorders waiting and the oldest one's age."""
    metrics.refresh_backorder_gauges(ctx)
    return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)
