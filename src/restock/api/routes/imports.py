"""CSV in and out: `POST /v1/imports/{kind}` and `GET /v1/exports/{kind}` (admin), in the same shapes.

An import's body is the CSV file itself (`Content-Type: text/csv`, UTF-8, within the API's body limit). A file with
errors is refused whole with 422 `import_refused`, its `errors` listing each one (line, column, why).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from restock.api.idempotency import IdempotencyKey, run_idempotent
from restock.api.security import Admin, Ctx
from restock.domain.imports import ExportKind, ImportKind
from restock.services import exports, imports
from restock.services.imports import ImportOut

router = APIRouter(prefix="/v1")

CSV = "text/csv"


class CsvFile(BaseModel):
    """What an Idempotency-Key is bound to: the kind and the file's text."""

    kind: str
    text: str


@router.post(
    "/imports/{kind}",
    response_model=ImportOut,
    tags=["imports"],
    responses={422: {"description": "The file has errors (each in `errors`: line, column, why); nothing changed"}},
)
def import_file(
    kind: ImportKind,
    ctx: Ctx,
    who: Admin,
    body: Annotated[str, Body(media_type=CSV, description="The CSV file, with its header row.")],
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Import SKUs (upserted by code), a stock count (adjustments with reason `count`; counted stock fills waiting
    backorders) or purchase orders (found by `reference`). All of the file or none of it; again: nothing more."""

    def produce() -> dict[str, Any]:
        return imports.import_csv(ctx, kind, body).to_json()

    return run_idempotent(ctx, who, idempotency_key, f"imports:{kind}", CsvFile(kind=kind, text=body), 200, produce)


@router.get(
    "/exports/{kind}",
    response_class=Response,
    tags=["imports"],
    responses={200: {"content": {CSV: {"schema": {"type": "string"}}}, "description": "The CSV file."}},
)
def export_file(kind: ExportKind, ctx: Ctx, who: Admin) -> Response:
    """SKUs, stock, orders (one row per line) or purchase orders as CSV, in the shapes the imports read."""
    return Response(
        exports.export_csv(ctx, kind),
        media_type=f"{CSV}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{kind}.csv"'},
    )
