"""What every use case needs: the engine, the settings and the business clock, plus the transaction wrapper."""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from restock.config import Clock, Settings
from restock.store.db import make_engine, unit_of_work

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
    """Deadlocks, serialization failures and dropped connections: running the whole use case again is safe."""
    return error.connection_invalidated or getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def use_case(
    readonly: bool = False, autocommit: bool = False
) -> Callable[[Callable[Concatenate[Session, Context, P], R]], Callable[Concatenate[Context, P], R]]:
    """Run the wrapped function in one transaction; retry it whole on a deadlock or a dropped connection.

    `autocommit`: each statement is its own transaction (see `restock.store.db.unit_of_work`).

    Everything the function wrote, outbox messages included, commits together or not at all.
    """

    def decorate(fn: Callable[Concatenate[Session, Context, P], R]) -> Callable[Concatenate[Context, P], R]:
        @functools.wraps(fn)
        def run(ctx: Context, /, *args: P.args, **kwargs: P.kwargs) -> R:
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    with unit_of_work(ctx.engine, readonly=readonly, autocommit=autocommit) as session:
                        return fn(session, ctx, *args, **kwargs)
                except DBAPIError as error:
                    if attempt == ATTEMPTS or not _retryable(error):
                        raise
                    time.sleep(random.uniform(0, 0.01 * 2**attempt))  # let the other side finish first
            raise AssertionError("unreachable")

        return run

    return decorate
