"""The demand model: what a SKU is expected to sell per channel and day, before chance decides what it does."""

from __future__ import annotations

import math
from datetime import date

from restock.demo.cast import CHANNELS
from restock.demo.catalog import SkuPlan
from restock.demo.shop import Shop
from restock.demo.timeline import HISTORY_DAYS, HORIZON_DAYS


def _season(plan: SkuPlan, when: date) -> float:
    phase = 2 * math.pi * (when.timetuple().tm_yday - plan.category.peak_day) / 365.25
    return max(0.05, 1 + plan.category.amplitude * math.cos(phase))


def _trend(plan: SkuPlan, day: int) -> float:
    return 1 + plan.trend * (day / HISTORY_DAYS - 0.5)


def demand_curve(shop: Shop, plan: SkuPlan, channel: int) -> list[float]:
    """Expected order lines per day up to the horizon: base rate x weekday x season x trend x promotions."""
    base = plan.lines_per_day[channel]
    if base == 0:
        return [0.0] * HORIZON_DAYS
    weekday = CHANNELS[channel].weekday_factor
    dates = [shop.calendar.date_of(d) for d in range(HORIZON_DAYS)]
    curve = [base * weekday[when.weekday()] * _season(plan, when) * _trend(plan, d) for d, when in enumerate(dates)]
    for run in shop.promotions:
        if plan.index in run.members and run.channel in (None, channel):
            for d in range(run.first, run.last + 1):
                curve[d] *= run.lift
    return curve
