"""Simulating the year, one SKU at a time: what arrived, what sold, what the buyer ordered, and how it ended."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from random import Random
from typing import Any, NamedTuple

from restock.demo.cast import CHANNELS, SUPPLIERS, WAREHOUSES, WEB
from restock.demo.catalog import Role, SkuPlan
from restock.demo.demand import demand_curve
from restock.demo.meter import Meter
from restock.demo.randomness import pick, poisson, stream
from restock.demo.shop import Shop
from restock.demo.timeline import HISTORY_DAYS, HORIZON_DAYS
from restock.domain.model import MovementKind

BATCH_SKUS = 250
"""SKUs simulated and written together: memory stays flat at any catalog size (a day's orders mix the SKUs of one
batch; the default catalog is one batch, so its ledger ids follow time exactly)."""
SUPPLY_CUT_DAYS = 45
"""SKUs meant to be sold out today get no delivery in their last weeks of history."""
ADJUSTMENT_CHANCE = 0.003
"""Per SKU x warehouse x day: damage, count corrections and restocked returns, about one a year."""
MIN_ON_HAND = 1


ALLOCATED_AT = time(20, 0)
SHIPPED_AT = time(21, 0)
OPENING_AT = time(18, 0)


ADJUSTMENT_REASONS = (
    ("damaged in warehouse", -1),
    ("cycle count correction", -1),
    ("found during stock count", 1),
    ("customer return restocked", 1),
)


class Sale(NamedTuple):
    """One order line as it shipped: which warehouses gave how many."""

    day: int
    channel: int
    sku: int
    parts: tuple[tuple[int, int], ...]
    trade: bool = False


class LedgerEntry(NamedTuple):
    at: datetime
    sku: int
    warehouse: int
    kind: MovementKind
    on_hand_delta: int
    allocated_delta: int
    reason: str | None
    ref: str | None
    fate: int = -1
    """For receipts: the PO fate they belong to, turned into `po:<id>` once the PO has its id."""


class PoLineDraft(NamedTuple):
    fate: int
    sku: int
    quantity: int


@dataclass(frozen=True)
class SkuEnding:
    """How a SKU's year ended: all that today's story needs once the history is written."""

    web_stock_until: int
    """The last day that ended with stock in a web warehouse; -1 if never."""
    on_hand: tuple[int, ...]
    """Per warehouse."""

    def on_hand_for(self, channel: int) -> int:
        return sum(self.on_hand[w] for w in CHANNELS[channel].warehouses)


def _no_stock() -> list[int]:
    return [0] * len(WAREHOUSES)


@dataclass
class SkuOutcome:
    sales: list[Sale] = field(default_factory=list)
    ledger: list[LedgerEntry] = field(default_factory=list)
    po_lines: list[PoLineDraft] = field(default_factory=list)
    on_hand: list[int] = field(default_factory=_no_stock)
    web_stock_until: int = -1

    def ending(self) -> SkuEnding:
        return SkuEnding(self.web_stock_until, tuple(self.on_hand))


class StockSimulation:
    """One SKU through the year: deliveries in, customers' orders out, reorders when low.

    Only what is on hand ships, so stock never goes negative and receipts always precede the sales
    they feed; a day with nothing on hand is a stock-out day without sales.
    """

    def __init__(self, shop: Shop, plan: SkuPlan, rng: Random) -> None:
        self.shop, self.plan, self.rng = shop, plan, rng
        self.supplier = SUPPLIERS[plan.supplier]
        self.demand = [demand_curve(shop, plan, c) for c in range(len(CHANNELS))]
        self.expected = [self._expected_units(w) for w in range(len(WAREHOUSES))]
        self.outcome = SkuOutcome()
        self.on_hand = self.outcome.on_hand
        self.on_order = _no_stock()
        self.arrivals: dict[int, list[tuple[int, int, int]]] = defaultdict(list)

    def run(self) -> SkuOutcome:
        self._open()
        for day in range(HISTORY_DAYS):
            self._receive(day)
            self._adjust(day)
            self._reorder(day)
            shipped = self._sell(day)
            if day == self.plan.sellout_day:
                self._sell_out(day, shipped)
            self._book_shipments(day, shipped)
            if any(self.on_hand[w] for w in CHANNELS[WEB].warehouses):
                self.outcome.web_stock_until = day
        return self.outcome

    def _entry(
        self, at: datetime, warehouse: int, kind: MovementKind, on_hand: int, allocated: int, **extra: Any
    ) -> None:
        self.outcome.ledger.append(LedgerEntry(at, self.plan.index, warehouse, kind, on_hand, allocated, **extra))

    def _expected_units(self, warehouse: int) -> list[float]:
        """Running total of the units a warehouse is expected to ship, day by day: the buyer's forecast.

        The buyer knows the seasons and the promotions ahead, not what customers will actually do.
        """
        share = self.plan.share_of(warehouse) * self.plan.mean_quantity
        serving = [c for c, ch in enumerate(CHANNELS) if warehouse in ch.warehouses]
        running, totals = 0.0, [0.0]
        for day in range(HORIZON_DAYS):
            running += share * sum(self.demand[c][day] for c in serving)
            totals.append(running)
        return totals

    def _forecast(self, warehouse: int, day: int, days: float) -> float:
        """Units expected to ship from a warehouse in `days` days from `day`."""
        totals = self.expected[warehouse]
        whole = min(day + int(days), HORIZON_DAYS - 1)
        fraction = days - int(days)
        return totals[whole] - totals[day] + fraction * (totals[whole + 1] - totals[whole])

    def _open(self) -> None:
        """Go-live: a counted opening stock, roughly half a replenishment cycle plus safety."""
        cycle = self.supplier.review_period_days
        for warehouse in self.plan.warehouses:
            days = cycle * self.rng.uniform(0.3, 1.0) + self.plan.safety_days + self.supplier.lead_time_days
            quantity = max(MIN_ON_HAND, math.ceil(self._forecast(warehouse, 0, days)))
            self.on_hand[warehouse] = quantity
            at = self.shop.calendar.at(-1, OPENING_AT)
            self._entry(
                at, warehouse, MovementKind.ADJUSTMENT, quantity, 0, reason="opening stock count", ref="go-live"
            )

    def _receive(self, day: int) -> None:
        for warehouse, quantity, fate in self.arrivals.pop(day, []):
            self.on_hand[warehouse] += quantity
            self.on_order[warehouse] -= quantity
            received_at = self.shop.fates.all[fate].received_at
            self._entry(received_at, warehouse, MovementKind.RECEIPT, quantity, 0, reason=None, ref=None, fate=fate)

    def _adjust(self, day: int) -> None:
        """Damage, count corrections, returns; none after a planned sell-out, which must stay sold out."""
        if self.plan.sellout_day is not None and day >= self.plan.sellout_day:
            return
        for warehouse in self.plan.warehouses:
            if self.rng.random() >= ADJUSTMENT_CHANCE:
                continue
            reason, sign = self.rng.choice(ADJUSTMENT_REASONS)
            delta = sign * self.rng.randint(1, 2)
            if self.on_hand[warehouse] + delta < 0:
                continue
            self.on_hand[warehouse] += delta
            at = self.shop.calendar.at(day, time(16, self.rng.randint(0, 59)))
            self._entry(
                at, warehouse, MovementKind.ADJUSTMENT, delta, 0, reason=reason, ref=MovementKind.ADJUSTMENT.value
            )

    def _reorder(self, day: int) -> None:
        """On the supplier's ordering days, order up to target what has fallen to its reorder point."""
        calendar = self.shop.calendar
        for warehouse in self.plan.warehouses:
            fate_index = self.shop.fates.on(self.plan.supplier, warehouse, day)
            if fate_index is None:
                continue
            arrives = self.shop.fates.all[fate_index].arrives_on(calendar)
            if self.plan.role.sells_out and arrives >= HISTORY_DAYS - SUPPLY_CUT_DAYS:
                continue
            quantity = self._order_quantity(warehouse, day)
            if quantity == 0:
                continue
            self.on_order[warehouse] += quantity
            if arrives < HISTORY_DAYS:
                self.arrivals[arrives].append((warehouse, quantity, fate_index))
            self.outcome.po_lines.append(PoLineDraft(fate_index, self.plan.index, quantity))

    def _order_quantity(self, warehouse: int, day: int) -> int:
        """Order when stock plus stock on order will not last the lead time plus safety; up to one more cycle.

        Even the slowest seller keeps a unit on the shelf: a shop does not wait for a sale to reorder it.
        """
        lead = self.supplier.lead_time_days + self.plan.safety_days
        position = self.on_hand[warehouse] + self.on_order[warehouse]
        if position > max(self._forecast(warehouse, day, lead), MIN_ON_HAND):
            return 0
        target = self._forecast(warehouse, day, lead + self.supplier.review_period_days)
        return math.ceil(max(target - position, 1) / self.plan.pack) * self.plan.pack

    def _sell(self, day: int) -> list[int]:
        shipped = [0] * len(WAREHOUSES)
        for channel, spec in enumerate(CHANNELS):
            for _ in range(poisson(self.rng, self.demand[channel][day])):
                weights = self.plan.quantity_weights
                wanted = 1 + pick(self.rng, weights)
                parts = self._take(spec.warehouses, wanted)
                if parts:
                    self.outcome.sales.append(Sale(day, channel, self.plan.index, parts))
                    for warehouse, quantity in parts:
                        shipped[warehouse] += quantity
        return shipped

    def _take(self, warehouses: Sequence[int], wanted: int) -> tuple[tuple[int, int], ...]:
        """Units for one line, warehouse by warehouse in the channel's order; fewer if that is all there is."""
        parts = []
        for warehouse in warehouses:
            quantity = min(wanted, self.on_hand[warehouse])
            if quantity > 0:
                parts.append((warehouse, quantity))
                self.on_hand[warehouse] -= quantity
                wanted -= quantity
        return tuple(parts)

    def _sell_out(self, day: int, shipped: list[int]) -> None:
        """A trade buyer takes all web stock left, so the SKU is sold out for today's story."""
        parts = self._take(CHANNELS[WEB].warehouses, sum(self.on_hand))
        if parts:
            self.outcome.sales.append(Sale(day, WEB, self.plan.index, parts, trade=True))
            for warehouse, quantity in parts:
                shipped[warehouse] += quantity

    def _book_shipments(self, day: int, shipped: list[int]) -> None:
        """The day's orders, aggregated per warehouse: allocated at the cut-off, shipped an hour later."""
        for warehouse, quantity in enumerate(shipped):
            if quantity:
                ref = f"orders:{self.shop.calendar.date_of(day).isoformat()}"
                allocated_at = self.shop.calendar.at(day, ALLOCATED_AT)
                shipped_at = self.shop.calendar.at(day, SHIPPED_AT)
                self._entry(
                    allocated_at, warehouse, MovementKind.ALLOCATION, 0, quantity, reason="orders of the day", ref=ref
                )
                self._entry(shipped_at, warehouse, MovementKind.SHIPMENT, -quantity, -quantity, reason=None, ref=ref)


@dataclass(frozen=True)
class Batch:
    """The simulated year of a batch of SKUs, ready to be written."""

    number: int
    outcomes: tuple[SkuOutcome, ...]

    def sales(self) -> Iterator[Sale]:
        for outcome in self.outcomes:
            yield from outcome.sales

    def ledger_in_time_order(self) -> list[LedgerEntry]:
        """Every movement of the year in time order, so that ledger ids follow time."""
        kinds = {
            MovementKind.ADJUSTMENT: 0,
            MovementKind.RECEIPT: 1,
            MovementKind.ALLOCATION: 2,
            MovementKind.SHIPMENT: 3,
        }
        entries = [entry for outcome in self.outcomes for entry in outcome.ledger]
        entries.sort(key=lambda e: (e.at, e.sku, e.warehouse, kinds[e.kind]))
        return entries

    def po_lines(self) -> list[PoLineDraft]:
        return sorted((line for o in self.outcomes for line in o.po_lines), key=lambda line: (line.fate, line.sku))


def _simulate_sku(shop: Shop, plan: SkuPlan) -> SkuOutcome:
    if plan.role is Role.PREORDER:
        return SkuOutcome()  # a first release: no history at all
    return StockSimulation(shop, plan, stream(shop.seed, f"sku:{plan.index}")).run()


def simulate_batch(shop: Shop, number: int, meter: Meter) -> Batch:
    outcomes = []
    for plan in shop.skus[number * BATCH_SKUS : (number + 1) * BATCH_SKUS]:
        outcomes.append(_simulate_sku(shop, plan))
        meter.advance(1)
    return Batch(number, tuple(outcomes))
