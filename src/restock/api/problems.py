"""Every error as application/problem+json (RFC 9457): a `type`, a `title`, a human `detail`, the status."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from restock.domain.errors import Conflict, InvalidInput, NotFound, OrderRefused, RestockError

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://restock.dev/problems/"

STATUS_OF: dict[type[RestockError], int] = {
    NotFound: 404,
    InvalidInput: 422,
    Conflict: 409,
    OrderRefused: 409,
}


class ApiProblem(Exception):
    """Raised by the API layer itself (auth, roles, idempotency) to answer with a problem."""

    def __init__(self, status: int, kind: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.kind, self.detail, self.extra = status, kind, detail, extra


def problem(status: int, kind: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": TYPE_BASE + kind, "title": kind.replace("_", " "), "status": status, "detail": detail, **extra}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def response_for(error: RestockError) -> JSONResponse:
    """The problem a refused use case answers with; a refused order lists its short lines."""
    status = next((s for cls, s in STATUS_OF.items() if isinstance(error, cls)), 400)
    if isinstance(error, OrderRefused):
        return problem(status, error.code, str(error), short_lines=[vars(s) for s in error.short_lines])
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


def _http(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    kinds = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type"}
    return problem(error.status_code, kinds.get(error.status_code, "http_error"), str(error.detail))


def _unexpected(_: Request, error: Exception) -> JSONResponse:
    return problem(500, "internal_error", "something went wrong on our side; nothing was half-done, retry later")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RestockError, _restock_error)
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
