"""What both delivery lanes share: the retry backoff, the tally of a round, recording a failure."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from restock.config import NotifySettings
from restock.store import delivery

log = logging.getLogger("restock.worker")

MAX_BACKOFF_SECONDS = 3600


def backoff_seconds(attempts: int, base: int) -> int:
    """After the n-th failure wait base x 2^(n-1), at most an hour: 30 s, 1 min, 2 min, 4 min, ..."""
    return int(min(MAX_BACKOFF_SECONDS, base * 2 ** max(0, attempts - 1)))


@dataclass
class RoundResult:
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    jobs_run: list[str] = field(default_factory=list)

    def add(self, other: RoundResult) -> None:
        self.delivered += other.delivered
        self.failed += other.failed
        self.dead += other.dead
        self.jobs_run += other.jobs_run

    @property
    def handled(self) -> int:
        return self.delivered + self.failed + self.dead


def fail_in(
    session: Session,
    settings: NotifySettings,
    message: delivery.Claimed,
    error: str,
    now: datetime,
    result: RoundResult,
) -> None:
    """Count a failed attempt: the message is tried again after its backoff, or parked as dead."""
    attempts = message.attempts + 1
    dead = attempts >= settings.outbox_max_attempts
    retry_at = None if dead else now + timedelta(seconds=backoff_seconds(attempts, settings.outbox_retry_seconds))
    delivery.mark_failed(session, message.id, error, now, retry_at, dead)
    if dead:
        result.dead += 1
    else:
        result.failed += 1


def poll(stop: threading.Event, round_: Callable[[], int], pause_seconds: float) -> None:
    """Run rounds until `stop` is set, pausing when a round found nothing to do (it returns how much it did)."""
    while not stop.is_set():
        try:
            done = round_()
        except DBAPIError as error:  # the database went away for a moment: try again after a pause
            log.warning("worker round failed: %s", str(error).splitlines()[0])
            done = 0
        if done == 0:
            stop.wait(pause_seconds)
