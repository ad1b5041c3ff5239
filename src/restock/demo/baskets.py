"""Turning the simulated sales into customers' orders: baskets of lines, placed through the day by customers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime, time, timedelta
from random import Random
from typing import NamedTuple

from restock.demo.cast import CHANNELS
from restock.demo.randomness import pick, stream
from restock.demo.shop import Shop, pick_customer
from restock.demo.simulation import Batch, Sale
from restock.demo.timeline import HISTORY_DAYS, Calendar

CUTOFF = time(20, 0)
"""Orders placed before the cut-off ship the same day; the day's orders run from yesterday's cut-off."""


TRADE_BUYER = "buying@clearance-outlet.example"


DIURNAL_WEIGHTS = (6, 5, 3, 2, 1, 0.5, 0.3, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4.5, 4.5, 5, 5, 4.5, 4.5, 4.5, 5, 5.5, 6)
"""Orders per hour from 20:00 (yesterday's cut-off) to 20:00."""
DIURNAL_CUMULATIVE = tuple(sum(DIURNAL_WEIGHTS[: hour + 1]) for hour in range(24))


class HistoricOrder(NamedTuple):
    id: str
    channel: int
    email: str
    placed_at: datetime
    sales: tuple[Sale, ...]


def _order_id(rng: Random) -> str:
    return f"ord_{rng.getrandbits(96):024x}"


def _placed_at(rng: Random, calendar: Calendar, day: int) -> datetime:
    hour = pick(rng, DIURNAL_CUMULATIVE)
    return calendar.at(day - 1, CUTOFF) + timedelta(hours=hour, seconds=rng.randrange(3600))


def _baskets(rng: Random, sales: list[Sale], basket_weights: Sequence[float]) -> Iterator[list[Sale]]:
    """Group a day's lines into orders of 1-4 lines, never the same SKU twice in one order."""
    rng.shuffle(sales)
    i = 0
    while i < len(sales):
        size = 1 + pick(rng, basket_weights)
        basket = [sales[i]]
        i += 1
        while len(basket) < size and i < len(sales) and sales[i].sku not in {s.sku for s in basket}:
            basket.append(sales[i])
            i += 1
        yield basket


def pack_orders(shop: Shop, batch: Batch) -> list[HistoricOrder]:
    rng = stream(shop.seed, f"orders:{batch.number}")
    by_day: dict[tuple[int, int], list[Sale]] = defaultdict(list)
    for sale in batch.sales():
        by_day[(sale.day, sale.channel)].append(sale)
    orders: list[HistoricOrder] = []
    for day in range(HISTORY_DAYS):
        for channel, spec in enumerate(CHANNELS):
            sales = by_day.get((day, channel), [])
            for trade in (s for s in sales if s.trade):
                at = shop.calendar.at(day, time(11, rng.randint(0, 59)))
                orders.append(HistoricOrder(_order_id(rng), channel, TRADE_BUYER, at, (trade,)))
            regular = [s for s in sales if not s.trade]
            for basket in _baskets(rng, regular, spec.basket_weights):
                at = _placed_at(rng, shop.calendar, day)
                orders.append(HistoricOrder(_order_id(rng), channel, pick_customer(rng, shop), at, tuple(basket)))
    return orders
