"""Today's situation, told through the real use cases: every role's story and tonight's unshipped orders."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from sqlalchemy import select

from restock.demo.cast import CHANNELS, MARKETPLACE, SUPPLIERS, WEB
from restock.demo.catalog import Role
from restock.demo.meter import Meter
from restock.demo.randomness import stream
from restock.demo.shop import Shop, pick_customer
from restock.demo.simulation import SkuEnding
from restock.demo.stories import STORIES
from restock.demo.story import Step, StoryContext, StoryResult, as_of, place
from restock.services.context import Context
from restock.services.orders import LineRequest, OrderRequest
from restock.services.supply import refresh_supplier_lateness
from restock.store.db import unit_of_work
from restock.store.schema import Supplier


def _tonights_orders(story: StoryContext) -> list[Step]:
    """Orders placed after yesterday's cut-off: allocated, waiting for today's shipping run."""
    free = {(p.index, c): story.endings[p.index].on_hand_for(c) for p in story.shop.skus for c in range(len(CHANNELS))}
    regular = [p for p in story.shop.skus if p.role is Role.REGULAR]
    steps = []
    for n in range(10 + len(story.shop.skus) // 40):
        channel = WEB if story.rng.random() < 0.75 else MARKETPLACE
        candidates = [p for p in regular if free[(p.index, channel)] >= 2]
        chosen = story.rng.sample(candidates, k=min(len(candidates), story.rng.choice((1, 1, 2, 3))))
        if not chosen:
            continue
        for plan in chosen:
            free[(plan.index, channel)] -= 1
        lines = tuple(LineRequest(plan.code, 1) for plan in chosen)
        request = OrderRequest(CHANNELS[channel].code, pick_customer(story.rng, story.shop), lines)
        at = story.day(1, 21, 5) + timedelta(minutes=n * 10 + story.rng.randint(0, 9))
        steps.append(Step(at, partial(place, request, story.result)))
    return steps


def _plan_today(story: StoryContext) -> list[Step]:
    steps: list[Step] = []
    for plan in story.shop.skus:
        tell = STORIES.get(plan.role)
        if tell is not None:
            steps.extend(tell(story, plan))
    steps.extend(_tonights_orders(story))
    return sorted(steps, key=lambda s: s.at)


def _measured_lateness(ctx: Context) -> dict[int, int]:
    """Each supplier's P90 lateness as the services will use it, by the demo's supplier index."""
    with unit_of_work(ctx.engine, readonly=True) as session:
        measured = dict(session.execute(select(Supplier.code, Supplier.lateness_p90_days)).all())
    default = ctx.settings.default_lateness_days
    return {i: default if measured[s.code] is None else int(measured[s.code] or 0) for i, s in enumerate(SUPPLIERS)}


def tell_todays_story(ctx: Context, shop: Shop, endings: list[SkuEnding], meter: Meter) -> StoryResult:
    story = StoryContext(
        shop, endings, _measured_lateness(ctx), ctx.settings.handling_days, StoryResult(), stream(shop.seed, "today")
    )
    steps = _plan_today(story)
    meter.start("placing today's backorders, pre-orders and open POs", len(steps))
    for step in steps:
        step.run(as_of(ctx, step.at))
        meter.advance(1)
    with unit_of_work(ctx.engine) as session:
        for supplier_id in session.scalars(select(Supplier.id).order_by(Supplier.id)):
            refresh_supplier_lateness(session, supplier_id, ctx.clock.today())
    return story.result
