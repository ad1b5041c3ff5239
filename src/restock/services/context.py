"""What every use case needs: the engine, the settings and the business clock, plus the transaction wrapper."""

from __future__ import annotations

import functools
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from restock.config import Clock, Settings, utc_now
from restock.domain.errors import OutcomeUnknown
from restock.store.db import make_engine, unit_of_work
from restock.store.receipts import needs_receipts, purge_receipts_before, receipt_exists, record_receipt

P = ParamSpec("P")
R = TypeVar("R")

RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected
ATTEMPTS = 5


@dataclass(frozen=True)
class Context:
    engine: Engine
    settings: Settings
    clock: Clock = field(default_factory=Clock)

    @classmethod
    def from_settings(cls, settings: Settings) -> Context:
        pool = {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow}
        engine = make_engine(settings.database_url, **(pool if settings.database_url.startswith("postgresql") else {}))
        return cls(engine, settings, Clock(settings.today))


def _retryable(error: DBAPIError) -> bool:
    """Deadlocks, serialization failures and dropped connections before COMMIT: running the use case again is safe."""
    return error.connection_invalidated or getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


_AMBIENT: ContextVar[Session | None] = ContextVar("restock_ambient_session", default=None)


@contextmanager
def joining(session: Session) -> Iterator[None]:
    """Use cases called inside this block join `session`'s transaction instead of opening their own.

    An Idempotency-Key is completed in the same transaction as the effect it guards
    (`restock.services.idempotency.run_once`): the effect and the stored response commit together or not at all.
    """
    token = _AMBIENT.set(session)
    try:
        yield
    finally:
        _AMBIENT.reset(token)


def joined() -> bool:
    """Whether use cases called now run in a caller's transaction (inside `joining`), so a failed statement would
    spoil that transaction: then a use case that expects one to fail takes a savepoint first."""
    return _AMBIENT.get() is not None


def use_case(
    readonly: bool = False, autocommit: bool = False
) -> Callable[[Callable[Concatenate[Session, Context, P], R]], Callable[Concatenate[Context, P], R]]:
    """Run the wrapped function in one transaction; retry it whole on a deadlock or a connection lost before COMMIT.

    A connection lost while the COMMIT's answer is on its way is not a reason to run again: the server may have
    committed. A write transaction on PostgreSQL therefore writes a receipt (a random token) and, when that
    happens, reads it back: there, the work is done and its result is returned; absent, it is run again; not
    readable, `OutcomeUnknown`. An autocommitted use case cannot carry a receipt: it is never retried after a
    lost connection (its statement may have committed) and says `OutcomeUnknown` unless it checks by itself.

    Inside `joining(session)` the function runs in that session's transaction (the caller commits and retries).
    """

    def decorate(fn: Callable[Concatenate[Session, Context, P], R]) -> Callable[Concatenate[Context, P], R]:
        @functools.wraps(fn)
        def run(ctx: Context, /, *args: P.args, **kwargs: P.kwargs) -> R:
            ambient = _AMBIENT.get()
            if ambient is not None:
                return fn(ambient, ctx, *args, **kwargs)
            attempt_once = functools.partial(_attempt, ctx, fn, readonly, autocommit)
            return _with_retries(lambda: attempt_once(*args, **kwargs))

        return run

    return decorate


def _with_retries(attempt: Callable[[], R]) -> R:
    for number in range(1, ATTEMPTS + 1):
        try:
            return attempt()
        except DBAPIError as error:
            if number == ATTEMPTS or not _retryable(error):
                raise
            time.sleep(random.uniform(0, 0.01 * 2**number))  # let the other side finish first
    raise AssertionError("unreachable")


def _attempt(
    ctx: Context, fn: Callable[..., R], readonly: bool, autocommit: bool, *args: object, **kwargs: object
) -> R:
    """One run in one transaction; a lost COMMIT answer is settled by the receipt, never by running again."""
    receipt = None if readonly or autocommit or not needs_receipts(ctx.engine) else uuid.uuid4().hex
    committing = False
    try:
        with unit_of_work(ctx.engine, readonly=readonly, autocommit=autocommit) as session:
            result = fn(session, ctx, *args, **kwargs)
            if receipt is not None:
                record_receipt(session, receipt, utc_now())
            committing = True
        return result
    except DBAPIError as error:
        if not error.connection_invalidated or readonly:
            raise
        if autocommit:
            raise OutcomeUnknown(_UNKNOWN) from error
        if not committing:
            raise  # the server rolled the transaction back when the connection went: safe to run again
        if _committed(ctx, receipt, error):
            return result
        raise


def _committed(ctx: Context, receipt: str | None, error: DBAPIError) -> bool:
    """After a lost COMMIT answer: did that transaction commit? Asked a few times while the database comes back."""
    if receipt is None:
        raise OutcomeUnknown(_UNKNOWN) from error
    for pause in (0.0, 0.1, 0.3, 1.0):
        time.sleep(pause)
        try:
            return receipt_exists(ctx.engine, receipt)
        except DBAPIError:
            continue
    raise OutcomeUnknown(_UNKNOWN) from error


_UNKNOWN = (
    "the database connection was lost while the change was being committed, and whether it was made could not "
    "be checked; retry with the same idempotency key"
)


@use_case()
def purge_commit_receipts(session: Session, ctx: Context) -> int:
    """The periodic clean-up of receipts: one matters for the seconds a retry takes, so a day later it goes."""
    return purge_receipts_before(session, utc_now() - timedelta(days=1))
