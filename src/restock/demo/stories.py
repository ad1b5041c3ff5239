"""One story per role: the POs and customers' orders that leave a SKU in its part of today's situation."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from restock.demo.cast import SUPPLIERS, SupplierSpec
from restock.demo.catalog import Role, SkuPlan
from restock.demo.story import PlannedPO, Step, StoryContext, orders_between, po_steps


def _first_order_at(story: StoryContext, plan: SkuPlan, po: PlannedPO, not_before_days: int) -> datetime:
    """Customers order once the SKU is sold out, the PO confirmed, and not earlier than a few days ago."""
    confirmed = po.confirmed_at or po.created_at
    sold_out = datetime.combine(story.sold_out_since(plan), time(8, 0))
    return max(sold_out, confirmed + timedelta(hours=1), story.day(not_before_days, 8))


def _po_quantity(plan: SkuPlan, supplier: SupplierSpec, minimum: int) -> int:
    units = sum(plan.lines_per_day) * plan.mean_quantity * (supplier.lead_time_days + 14)
    return math.ceil(max(units, minimum) / plan.pack) * plan.pack


def _eta_in_days(story: StoryContext, plan: SkuPlan, low: int, high: int, waited_days: int) -> int:
    """A due date whose promised window still fits the SKU's maximum wait for a customer who ordered days ago."""
    room = plan.max_wait_days - story.handling_days - story.lateness[plan.supplier] - waited_days
    return max(low, min(story.rng.randint(low, high), room))


def _confirmed_po(story: StoryContext, plan: SkuPlan, eta: date, quantity: int) -> PlannedPO:
    """A PO confirmed a lead time before its ETA (not later than two days ago), created a day before that."""
    supplier = SUPPLIERS[plan.supplier]
    confirm_on = min(eta - timedelta(days=supplier.lead_time_days), story.today - timedelta(days=2))
    confirmed_at = datetime.combine(confirm_on, time(14, story.rng.randint(0, 59)))
    created_at = confirmed_at - timedelta(days=1, hours=4)
    return PlannedPO(plan.code, supplier.code, quantity, created_at, confirmed_at, eta)


def _backordered_story(story: StoryContext, plan: SkuPlan) -> list[Step]:
    waiting_days = 10
    eta = story.today + timedelta(days=_eta_in_days(story, plan, 3, 16, waiting_days))
    count = story.rng.randint(3, 7)
    po = _confirmed_po(story, plan, eta, _po_quantity(plan, SUPPLIERS[plan.supplier], 4 * count + 10))
    first = _first_order_at(story, plan, po, waiting_days)
    return po_steps(po) + orders_between(story, plan, first, count)


def _cap_reached_story(story: StoryContext, plan: SkuPlan) -> list[Step]:
    """A PO of 24 under a 50% limit: twelve units may be promised, and four orders of three take them all."""
    waiting_days = 10
    eta = story.today + timedelta(days=_eta_in_days(story, plan, 3, 14, waiting_days))
    po = _confirmed_po(story, plan, eta, 24)
    first = _first_order_at(story, plan, po, waiting_days)
    return po_steps(po) + orders_between(story, plan, first, 4, quantities=(3,))


def _late_story(story: StoryContext, plan: SkuPlan) -> list[Step]:
    """Customers wait on a PO from the unreliable supplier whose confirmed ETA has passed.

    One variant slipped once with notice (its early customers' promises moved later) and is late again;
    the other just never came.
    """
    supplier = SUPPLIERS[plan.supplier]
    quantity = _po_quantity(plan, supplier, 30)
    if plan.variant % 2 == 0:
        po = PlannedPO(plan.code, supplier.code, quantity, story.day(70, 10), story.day(68, 15))
        po.eta = story.today - timedelta(days=20)
        po.slipped_at, po.slipped_eta = story.day(24, 11), story.today - timedelta(days=6)
        first = _first_order_at(story, plan, po, 33)
        before = orders_between(story, plan, first, 3, last=story.day(25, 18))
        after = orders_between(story, plan, story.day(23, 9), 3, last=story.day(8, 18))
        return po_steps(po) + before + after
    po = PlannedPO(plan.code, supplier.code, quantity, story.day(50, 10), story.day(48, 15))
    po.eta = story.today - timedelta(days=3)
    first = _first_order_at(story, plan, po, 14)
    return po_steps(po) + orders_between(story, plan, first, 4, last=story.day(4, 18))


def _preorder_story(story: StoryContext, plan: SkuPlan) -> list[Step]:
    """A first release: confirmed, not yet arrived, and shoppers pre-ordering it."""
    waiting_days = 14
    eta = story.today + timedelta(days=_eta_in_days(story, plan, 5, 14, waiting_days))
    count = story.rng.randint(5, 10)
    po = _confirmed_po(story, plan, eta, _po_quantity(plan, SUPPLIERS[plan.supplier], 4 * count + 20))
    first = max(po.confirmed_at or po.created_at, story.day(waiting_days, 8)) + timedelta(hours=1)
    return po_steps(po) + orders_between(story, plan, first, count)


def _unconfirmed_story(story: StoryContext, plan: SkuPlan) -> list[Step]:
    supplier = SUPPLIERS[plan.supplier]
    created = story.day(story.rng.randint(1, 3), 10, story.rng.randint(0, 59))
    return po_steps(PlannedPO(plan.code, supplier.code, _po_quantity(plan, supplier, 12), created))


def _never_with_inbound_story(story: StoryContext, plan: SkuPlan) -> list[Step]:
    eta = story.today + timedelta(days=story.rng.randint(5, 20))
    return po_steps(_confirmed_po(story, plan, eta, _po_quantity(plan, SUPPLIERS[plan.supplier], 12)))


def _always_unpromised_story(story: StoryContext, plan: SkuPlan) -> list[Step]:
    first = datetime.combine(story.sold_out_since(plan), time(8, 0))
    return orders_between(story, plan, max(first, story.day(6, 8)), story.rng.randint(1, 3))


STORIES: dict[Role, Callable[[StoryContext, SkuPlan], list[Step]]] = {
    Role.BACKORDERED: _backordered_story,
    Role.CAP_REACHED: _cap_reached_story,
    Role.LATE: _late_story,
    Role.PREORDER: _preorder_story,
    Role.UNCONFIRMED: _unconfirmed_story,
    Role.NEVER_WITH_INBOUND: _never_with_inbound_story,
    Role.ALWAYS_UNPROMISED: _always_unpromised_story,
}
