"""Running a changing POST under an Idempotency-Key (see restock.services.idempotency)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from restock.api.problems import ApiProblem, response_for
from restock.domain.errors import OutcomeUnknown, RestockError
from restock.services import idempotency
from restock.services.apikeys import Principal
from restock.services.context import Context

MAX_KEY_LENGTH = 200
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", description="Retry-safe: one effect per key (1-200 printable ASCII).")
]


class NoBody(BaseModel):
    """The fingerprint of a request without a body: its route and path (in the scope) say everything."""


NO_BODY = NoBody()


def run_idempotent(
    ctx: Context,
    who: Principal,
    key: str | None,
    route: str,
    body: BaseModel,
    status_code: int | Callable[[dict[str, Any]], int],
    produce: Callable[[], dict[str, Any]],
) -> JSONResponse:
    """Run `produce` once per (caller, key), in the transaction that records its answer; a retry with the same
    body gets the first response back. `status_code` may be a function of what `produce` returned."""
    if key is None:
        result = produce()
        return JSONResponse(result, status_code=status_code(result) if callable(status_code) else status_code)
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise ApiProblem(422, "invalid_idempotency_key", f"an Idempotency-Key is 1-{MAX_KEY_LENGTH} printable ASCII")
    scope = f"{who.key_id}:{route}:{key}"
    fingerprint = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
    try:
        answer = idempotency.run_once(ctx, scope, fingerprint, status_code, produce)
    except OutcomeUnknown:
        raise  # not an answer: the retry with this key must find out what happened
    except RestockError as error:  # a refusal is an answer too: the retry gets the same one
        response = response_for(error)
        idempotency.record_refusal(ctx, scope, fingerprint, response.status_code, bytes(response.body).decode())
        raise
    return _respond(answer)


def _respond(answer: idempotency.Answer) -> JSONResponse:
    if answer.outcome is idempotency.Outcome.MISMATCH:
        raise ApiProblem(422, "idempotency_key_reused", "this Idempotency-Key was used with a different request")
    if answer.outcome is idempotency.Outcome.IN_FLIGHT:
        raise ApiProblem(409, "request_in_flight", "a request with this Idempotency-Key is still being processed")
    if answer.outcome is idempotency.Outcome.DONE:
        return JSONResponse(answer.result, status_code=answer.status_code or 200)
    status = answer.status_code or 200
    body = json.loads(answer.response or "null")
    media = "application/problem+json" if status >= 400 else "application/json"
    return JSONResponse(body, status_code=status, media_type=media, headers={"Idempotent-Replayed": "true"})
