"""Every error as application/problem+json (RFC 9457): a `type`, a `title`, a human `detail`, the status."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from restock.database_errors import first_line, trouble_of
from restock.domain.errors import (
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    OrderRefused,
    OutcomeUnknown,
    RestockError,
)
from restock.domain.imports import ImportRefused

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://restock.dev/problems/"

STATUS_OF: dict[type[RestockError], int] = {
    NotFound: 404,
    InvalidInput: 422,
    Conflict: 409,
    OrderRefused: 409,
    NotAllowed: 403,
}


DOCUMENTED: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for code, text in {
        400: "Malformed request (e.g. a body that is not JSON)",
        401: "No API key, or an unknown or revoked one",
        403: "This key may not do that (or the object is not yours to see)",
        404: "No such object",
        409: "The state does not allow it, a refused order (with its short lines), or a request in flight",
        413: "Request body too large",
        422: "The request does not match the schema, or an idempotency key was reused with another body",
        503: "The database is unavailable (unreachable, busy, full or read-only): retry after `Retry-After` seconds",
    }.items()
}
"""Problem responses every operation may give, as they appear in the OpenAPI document."""


class ApiProblem(Exception):
    """Raised by the API layer itself (auth, roles, idempotency) to answer with a problem."""

    def __init__(self, status: int, kind: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.kind, self.detail, self.extra = status, kind, detail, extra


def problem(status: int, kind: str, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = {"type": TYPE_BASE + kind, "title": kind.replace("_", " "), "status": status, "detail": detail, **extra}
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def response_for(error: RestockError) -> JSONResponse:
    """The problem a refused use case answers with; a refused order lists its short lines."""
    status = next((s for cls, s in STATUS_OF.items() if isinstance(error, cls)), 400)
    if isinstance(error, OrderRefused):
        return problem(status, error.code, str(error), short_lines=[vars(s) for s in error.short_lines])
    if isinstance(error, ImportRefused):  # every error of the file, each with its line and column
        return problem(status, error.code, str(error), errors=[e.to_json() for e in error.errors])
    if isinstance(error, OutcomeUnknown):  # not a refusal: a fault; the client retries with its key
        return problem(503, error.code, str(error), headers={"Retry-After": "5"})
    return problem(status, error.code, str(error))


def _restock_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RestockError)
    return response_for(error)


def _api_problem(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiProblem)
    return problem(error.status, error.kind, error.detail, **error.extra)


def _validation(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in error.errors()
    ][:50]
    return problem(422, "invalid_request", "the request does not match the API's schema", errors=errors)


def allowed_methods(request: Request) -> str:
    """Every method the API documents for this path (Starlette's own Allow names only the first route's). A path
    documented as it is (`/v1/suppliers/scorecard`) is answered as documented, not with the methods of a template it
    also matches (`PATCH /v1/suppliers/{code}`)."""
    paths = request.app.openapi().get("paths", {})
    if request.url.path in paths:
        return ", ".join(sorted(method.upper() for method in paths[request.url.path]))
    methods: set[str] = set()
    for template, operations in paths.items():
        if re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", template), request.url.path):
            methods |= {method.upper() for method in operations}
    return ", ".join(sorted(methods))


def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 405:
        return problem(
            405,
            "method_not_allowed",
            f"{request.method} is not allowed here",
            headers={"Allow": allowed_methods(request)},
        )
    kinds = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type"}
    kind = kinds.get(error.status_code, "http_error")
    return problem(error.status_code, kind, str(error.detail), headers=dict(error.headers or {}))  # e.g. Allow


RETRY_AFTER_SECONDS = 5
"""What a client is told to wait when the database is away: a restart or a failover takes seconds."""


async def _database(request: Request, error: Exception) -> JSONResponse:
    """The database unavailable is the service unavailable for a moment (503, one log line), not a bug: only an
    error that says nothing about the database's state goes on to the 500 handler and its traceback."""
    assert isinstance(error, SQLAlchemyError)
    trouble = trouble_of(error)
    if trouble is None:
        raise error
    log.error("%s %s: database %s: %s", request.method, request.url.path, trouble.name.lower(), first_line(error))
    return problem(
        503,
        "database_unavailable",
        f"the database {trouble.value}; retry later (a write: with the same Idempotency-Key)",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def _unexpected(_: Request, error: Exception) -> JSONResponse:
    return problem(500, "internal_error", "something went wrong on our side; nothing was half-done, retry later")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RestockError, _restock_error)
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(SQLAlchemyError, _database)
    app.add_exception_handler(Exception, _unexpected)
