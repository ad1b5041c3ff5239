"""The shop's promotions: when each runs in a year, how much it lifts demand, and which SKUs it covers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from random import Random
from typing import TYPE_CHECKING

from restock.demo.cast import MARKETPLACE
from restock.demo.timeline import HORIZON_DAYS, Calendar

if TYPE_CHECKING:
    from restock.demo.catalog import SkuPlan


def _fixed_start(month: int, day: int, year: int) -> date:
    return date(year, month, day)


def _black_week_start(year: int) -> date:
    """Monday of the week of Black Friday (the day after the fourth Thursday of November)."""
    first = date(year, 11, 1)
    thanksgiving = first + timedelta(days=(3 - first.weekday()) % 7 + 21)
    return thanksgiving - timedelta(days=3)


@dataclass(frozen=True)
class Promotion:
    name: str
    starts: Callable[[int], date]
    days: int
    lift: float
    share: float
    """Share of eligible SKUs on promotion."""
    channel: int | None = None
    category: str | None = None


PROMOTIONS = (
    Promotion("January sale", partial(_fixed_start, 1, 2), 10, 1.6, 0.35),
    Promotion("Spring sale", partial(_fixed_start, 3, 20), 5, 1.9, 0.3),
    Promotion("Garden week", partial(_fixed_start, 5, 8), 7, 2.2, 0.9, category="GRD"),
    Promotion("Marketplace deal days", partial(_fixed_start, 7, 14), 2, 3.5, 0.5, channel=MARKETPLACE),
    Promotion("Back to school", partial(_fixed_start, 8, 25), 7, 2.0, 0.9, category="STA"),
    Promotion("Black Week", _black_week_start, 8, 2.6, 0.6),
)


@dataclass(frozen=True)
class PromoRun:
    first: int
    last: int
    lift: float
    channel: int | None
    members: frozenset[int]


def promotion_runs(rng: Random, calendar: Calendar, plans: Sequence[SkuPlan]) -> tuple[PromoRun, ...]:
    """Every promotion of the year of history and the months after, each with the SKUs it covers."""
    runs: list[PromoRun] = []
    for promo in PROMOTIONS:
        for year in (calendar.today.year - 1, calendar.today.year, calendar.today.year + 1):
            first = calendar.day_of(promo.starts(year))
            last = min(first + promo.days - 1, HORIZON_DAYS - 1)
            if last < 0 or first >= HORIZON_DAYS:
                continue
            members = frozenset(
                p.index
                for p in plans
                if (promo.category is None or p.category.prefix == promo.category) and rng.random() < promo.share
            )
            runs.append(PromoRun(max(first, 0), last, promo.lift, promo.channel, members))
    return tuple(runs)
