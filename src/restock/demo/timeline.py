"""The demo's days: a year of history that ends today, numbered from 0, and the horizon planned beyond it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

HISTORY_DAYS = 365
HORIZON_DAYS = HISTORY_DAYS + 120
"""Expected demand is known this far: the buyer plans deliveries that arrive after today."""


@dataclass(frozen=True)
class Calendar:
    """Day 0 is a year before today; day HISTORY_DAYS is today."""

    today: date

    @property
    def start(self) -> date:
        return self.today - timedelta(days=HISTORY_DAYS)

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def at(self, day: int, moment: time) -> datetime:
        return datetime.combine(self.date_of(day), moment)

    def day_of(self, when: date) -> int:
        return (when - self.start).days
