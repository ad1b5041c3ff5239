"""The machinery of today's story: steps that run the real use cases with the business clock stopped at
the moment each happened, the POs they create, and what every story needs to know."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import partial
from random import Random

from restock.config import Clock
from restock.demo.cast import CHANNELS, MAIN, WAREHOUSES, WEB
from restock.demo.catalog import SkuPlan
from restock.demo.shop import Shop, pick_customer
from restock.demo.simulation import SkuEnding
from restock.domain.errors import OrderRefused
from restock.services import purchasing
from restock.services.context import Context
from restock.services.orders import LineRequest, OrderRequest, place_order


@dataclass(frozen=True)
class StoppedClock(Clock):
    """The business clock held at one moment, so that what the demo does 'in the past' is dated then."""

    at: datetime = datetime(2000, 1, 1)

    def now(self) -> datetime:
        return self.at


def as_of(ctx: Context, when: datetime) -> Context:
    return replace(ctx, clock=StoppedClock(when.date(), when))


@dataclass
class PlannedPO:
    """A PO of today's story; `id` is filled in when the step that creates it has run."""

    sku: str
    supplier: str
    quantity: int
    created_at: datetime
    confirmed_at: datetime | None = None
    eta: date | None = None
    slipped_at: datetime | None = None
    slipped_eta: date | None = None
    warehouse: str = WAREHOUSES[MAIN].code
    id: int | None = None


@dataclass(frozen=True)
class Step:
    at: datetime
    run: Callable[[Context], None]


@dataclass
class StoryResult:
    refused_orders: int = 0


def _create_po(po: PlannedPO, ctx: Context) -> None:
    po.id = purchasing.create_po(ctx, po.supplier, po.warehouse, [(po.sku, po.quantity)]).id
    purchasing.send_po(ctx, po.id)


def _confirm_po(po: PlannedPO, ctx: Context) -> None:
    assert po.id is not None, "created before it is confirmed"
    assert po.eta is not None, "a confirmation needs an ETA"
    purchasing.confirm_po(ctx, po.id, po.eta)


def _slip_po(po: PlannedPO, ctx: Context) -> None:
    assert po.id is not None, "created before its ETA moves"
    assert po.slipped_eta is not None, "a slip needs the new ETA"
    purchasing.change_eta(ctx, po.id, po.slipped_eta)


def place(request: OrderRequest, result: StoryResult, ctx: Context) -> None:
    try:
        place_order(ctx, request)
    except OrderRefused:
        result.refused_orders += 1


def po_steps(po: PlannedPO) -> list[Step]:
    steps = [Step(po.created_at, partial(_create_po, po))]
    if po.confirmed_at is not None:
        steps.append(Step(po.confirmed_at, partial(_confirm_po, po)))
    if po.slipped_at is not None:
        steps.append(Step(po.slipped_at, partial(_slip_po, po)))
    return steps


@dataclass(frozen=True)
class StoryContext:
    """What today's story needs to know: the plan, how the year ended, and the suppliers' measured lateness."""

    shop: Shop
    endings: list[SkuEnding]
    lateness: dict[int, int]
    handling_days: int
    result: StoryResult
    rng: Random

    @property
    def today(self) -> date:
        return self.shop.calendar.today

    def day(self, days_before_today: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(self.today - timedelta(days=days_before_today), time(hour, minute))

    def sold_out_since(self, plan: SkuPlan) -> date:
        return self.shop.calendar.date_of(self.endings[plan.index].web_stock_until + 1)


def orders_between(
    story: StoryContext,
    plan: SkuPlan,
    first: datetime,
    count: int,
    quantities: Sequence[int] = (1, 1, 1, 2),
    last: datetime | None = None,
) -> list[Step]:
    """`count` single-line web orders for a SKU, spread from `first` to `last` (yesterday evening)."""
    last = last or story.day(1, 19, 30)
    first = min(first, last)
    span = int((last - first).total_seconds())
    moments = sorted(first + timedelta(seconds=story.rng.randint(0, span)) for _ in range(count))
    steps = []
    for moment in moments:
        priority = 5 if story.rng.random() < 0.15 else 0
        quantity = story.rng.choice(quantities)
        email = pick_customer(story.rng, story.shop)
        request = OrderRequest(CHANNELS[WEB].code, email, (LineRequest(plan.code, quantity),), priority)
        steps.append(Step(moment, partial(place, request, story.result)))
    return steps
