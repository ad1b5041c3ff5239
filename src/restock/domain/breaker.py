"""A circuit breaker per webhook endpoint: an endpoint that keeps failing is left alone for a while.

Its state is read from the endpoint's attempt log (no state of its own to keep in step): the failed
attempts since its last success, and when the last one was. After `failures` of them in a row the breaker
opens: the endpoint's deliveries wait until `paused_until` (a pause of `seconds`, doubling with each
further failure, at most an hour), without counting as attempts. Then one delivery is tried: a success
closes the breaker, a failure opens it again for twice as long. Other endpoints are not affected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_PAUSE_SECONDS = 3600


@dataclass(frozen=True)
class Breaker:
    consecutive_failures: int
    last_failure_at: datetime | None
    failures: int
    """How many failures in a row open it."""
    seconds: int
    """Its first pause."""

    @property
    def paused_until(self) -> datetime | None:
        """Until when the endpoint's deliveries wait (None: the breaker is closed)."""
        if self.consecutive_failures < self.failures or self.last_failure_at is None:
            return None
        pause = min(MAX_PAUSE_SECONDS, self.seconds * 2 ** (self.consecutive_failures - self.failures))
        return self.last_failure_at + timedelta(seconds=pause)

    def is_open(self, now: datetime) -> bool:
        until = self.paused_until
        return until is not None and now < until

    def after(self, ok: bool, at: datetime) -> Breaker:
        """The breaker once one more attempt succeeded or failed."""
        if ok:
            return Breaker(0, None, self.failures, self.seconds)
        return Breaker(self.consecutive_failures + 1, at, self.failures, self.seconds)
