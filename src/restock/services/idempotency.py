"""Idempotency-Key for changing requests: one effect, the first response replayed, clashes refused.

The work and the record of its answer are one transaction (`run_once`): it first takes the key's lock, reads
whether the key has an answer already (replay it; another body: a mismatch), else does the work and stores
the answer before committing. So there is no moment when the effect exists and the key does not know it,
and no claim that a dead process could leave behind: a transaction that dies takes its claim with it.

A duplicate that arrives while the first attempt runs finds the key's lock taken and is told so (409) on
PostgreSQL (a transaction-level advisory lock, tried without waiting); on SQLite it waits for the first
attempt's write transaction to end (writes run one at a time there) and then gets its answer.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from restock.services.context import Context, joining, use_case
from restock.store import idempotency as store


class Outcome(enum.Enum):
    DONE = "done"
    REPLAY = "replay"
    IN_FLIGHT = "in_flight"
    MISMATCH = "mismatch"


@dataclass(frozen=True)
class Answer:
    outcome: Outcome
    status_code: int | None = None
    response: str | None = None
    result: dict[str, Any] | None = None
    """What `produce` returned, when the work ran now (`DONE`)."""


@use_case()
def run_once(
    session: Session,
    ctx: Context,
    scope: str,
    request_hash: str,
    status_code: int | Callable[[Any], int],
    produce: Callable[[], Any],
) -> Answer:
    """Do the work once per key scope and record its answer in the same transaction; else say why not.

    `status_code` may depend on the result (an order found under the shop's number answers 200, a new one 201).
    """
    earlier = _earlier_answer(session, scope, request_hash)
    if earlier is not None:
        return earlier
    with joining(session):
        result = produce()
    status = status_code(result) if callable(status_code) else status_code
    store.record_answer(session, scope, request_hash, status, json.dumps(result), ctx.clock.now())
    return Answer(Outcome.DONE, status, result=result)


@use_case()
def record_refusal(session: Session, ctx: Context, scope: str, request_hash: str, status_code: int, body: str) -> None:
    """A refusal is an answer too (the refused work changed nothing, so it is recorded on its own)."""
    if _earlier_answer(session, scope, request_hash) is None:
        store.record_answer(session, scope, request_hash, status_code, body, ctx.clock.now())


def _earlier_answer(session: Session, scope: str, request_hash: str) -> Answer | None:
    if not store.hold(session, scope):
        return Answer(Outcome.IN_FLIGHT)
    record = store.answered(session, scope)
    if record is None:
        return None
    if record.request_hash != request_hash:
        return Answer(Outcome.MISMATCH)
    return Answer(Outcome.REPLAY, record.status_code, record.response)
