"""The demo shop: realistic, reproducible, and it keeps every invariant the real use cases keep.

The demo is loaded once per database (module-scoped) and the read-only rules are checked against it;
the seed tests load fresh SQLite copies, and the refusals use the ordinary per-test `ctx`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Executable, func, select, text

from restock.demo import load_demo
from restock.domain.errors import Conflict, InvalidInput
from restock.planning.engine import build_plan, plan_horizon
from restock.planning.forecast import forecast_demand
from restock.planning.radar import recent_demand
from restock.services import planning
from restock.services.availability import catalog_availability
from restock.services.backorders import waiting_backorders
from restock.services.context import Context
from restock.services.demand import demand_history
from restock.services.planning import load_plan_inputs
from restock.services.stock import ledger_discrepancies
from restock.store.db import make_engine, unit_of_work
from restock.store.migrate import upgrade
from restock.store.schema import (
    Channel,
    EtaChange,
    LinePart,
    Movement,
    Order,
    OrderLine,
    POLine,
    PurchaseOrder,
    Sku,
    Stock,
    Supplier,
    SupplierSku,
    Warehouse,
)
from tests.builders import standard_catalog
from tests.conftest import NO_PG, PG_URL, make_context, pg_schema_url, worker_id

pytestmark = pytest.mark.xdist_group("demo")  # the demo is loaded once per module and worker: keep them together

SKUS = 200
SEED = 7


def _sqlite_context(template: Path, path: Path) -> Context:
    shutil.copy(template, path)
    return make_context(make_engine(f"sqlite:///{path}"))


@pytest.fixture(scope="module")
def sqlite_demo(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Context]:
    ctx = _sqlite_context(sqlite_template, tmp_path_factory.mktemp("demo") / "demo.db")
    load_demo(ctx, seed=SEED, sku_count=SKUS)
    yield ctx
    ctx.engine.dispose()


@pytest.fixture(scope="module")
def postgres_demo() -> Iterator[Context]:
    """A schema of its own, so that the per-test truncation of the shared test schema leaves it alone."""
    if not PG_URL:
        pytest.skip(NO_PG)
    schema = f"restock_demo_{worker_id()}_{os.getpid()}"  # two test runs at once must not share it
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(pg_schema_url(schema))
    upgrade(engine)
    ctx = make_context(engine)
    load_demo(ctx, seed=SEED, sku_count=SKUS)
    yield ctx
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo(request: pytest.FixtureRequest) -> Context:
    loaded: Context = request.getfixturevalue(f"{request.param}_demo")
    return loaded


def rows(ctx: Context, query: Executable) -> list[Any]:
    with unit_of_work(ctx.engine, readonly=True) as session:
        return list(session.execute(query).all())


def count(ctx: Context, model: type[Any], *where: Any) -> int:
    with unit_of_work(ctx.engine, readonly=True) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


# ---------------------------------------------------------------- the shop


def test_the_demo_has_at_least_200_skus_3_warehouses_2_channels_and_4_suppliers(demo: Context) -> None:
    assert count(demo, Sku) >= 200
    assert count(demo, Warehouse) == 3
    assert count(demo, Channel) == 2
    assert count(demo, Supplier) == 4


def test_skus_have_shop_prices_and_every_backorder_policy(demo: Context) -> None:
    prices = [price for (price,) in rows(demo, select(Sku.price))]
    assert all(0 < price < 1000 for price in prices)
    assert len(set(prices)) > 30
    policies = Counter(policy for (policy,) in rows(demo, select(Sku.backorder_policy)))
    assert policies["confirmed"] > policies["never"] >= 2
    assert policies["always"] >= 2


# ---------------------------------------------------------------- the ledger


def test_every_balance_equals_the_sum_of_its_movements(demo: Context) -> None:
    assert ledger_discrepancies(demo) == []


def test_replaying_the_ledger_never_goes_negative_nor_allocates_more_than_is_on_hand(demo: Context) -> None:
    movements = rows(
        demo,
        select(Movement.sku_id, Movement.warehouse_id, Movement.on_hand_delta, Movement.allocated_delta).order_by(
            Movement.sku_id, Movement.warehouse_id, Movement.id
        ),
    )
    balances: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for sku, warehouse, on_hand_delta, allocated_delta in movements:
        balance = balances[(sku, warehouse)]
        balance[0] += on_hand_delta
        balance[1] += allocated_delta
        assert 0 <= balance[1] <= balance[0], (sku, warehouse, balance)


def test_each_days_shipments_were_allocated_first_and_match_the_shipped_order_lines(demo: Context) -> None:
    daily = rows(
        demo,
        select(Movement.kind, func.sum(Movement.on_hand_delta), func.sum(Movement.allocated_delta))
        .where(Movement.ref.like("orders:%"))
        .group_by(Movement.kind),
    )
    sums = {kind: (on_hand, allocated) for kind, on_hand, allocated in daily}
    shipped_units = rows(demo, select(func.sum(LinePart.quantity)).where(LinePart.kind == "shipped"))[0][0]
    assert sums["allocation"] == (0, shipped_units)
    assert sums["shipment"] == (-shipped_units, -shipped_units)


def test_receipts_come_from_received_purchase_orders_and_match_their_lines(demo: Context) -> None:
    received = dict(
        rows(
            demo,
            select(POLine.po_id, func.sum(POLine.received))
            .join(PurchaseOrder, PurchaseOrder.id == POLine.po_id)
            .where(PurchaseOrder.status == "received")
            .group_by(POLine.po_id),
        )
    )
    receipts = dict(
        rows(
            demo,
            select(Movement.ref, func.sum(Movement.on_hand_delta))
            .where(Movement.kind == "receipt")
            .group_by(Movement.ref),
        )
    )
    assert received
    assert receipts == {f"po:{po}": units for po, units in received.items()}


# ---------------------------------------------------------------- the year of history


def test_history_is_a_year_of_shipped_orders_before_today(demo: Context) -> None:
    today = demo.clock.today()
    first, last = rows(
        demo, select(func.min(Order.placed_at), func.max(Order.placed_at)).where(Order.status == "shipped")
    )[0]
    assert (
        datetime.combine(today - timedelta(days=366), time())
        <= first
        < datetime.combine(today - timedelta(days=364), time())
    )
    assert last < datetime.combine(today, time())
    assert count(demo, OrderLine, OrderLine.status == "shipped") > 50_000
    history = select(OrderLine.status, LinePart.kind, LinePart.warehouse_id.is_(None)).join_from(
        Order, OrderLine, OrderLine.order_id == Order.id
    )
    history = history.join(LinePart, LinePart.order_line_id == OrderLine.id).where(Order.status == "shipped")
    assert rows(demo, history.distinct()) == [("shipped", "shipped", False)]


def test_sales_mix_fast_daily_sellers_with_slow_intermittent_ones(demo: Context) -> None:
    days_sold = Counter(
        sku
        for sku, _day in rows(
            demo,
            select(Movement.sku_id, func.date(Movement.created_at)).where(Movement.kind == "shipment").distinct(),
        )
    )
    share = sorted(days / 365 for days in days_sold.values())
    assert share[-1] > 0.9, "a fast seller sells on nearly every day"
    assert sum(1 for s in share if s < 0.15) > len(share) / 5, "many SKUs sell on few days"


def test_sales_have_weekly_rhythm_and_promotion_spikes(demo: Context) -> None:
    shipped = rows(
        demo,
        select(func.date(Movement.created_at), func.sum(-Movement.on_hand_delta))
        .where(Movement.kind == "shipment")
        .group_by(func.date(Movement.created_at)),
    )
    by_day = {datetime.fromisoformat(str(day)).date(): int(units) for day, units in shipped}
    by_weekday = Counter[int]()
    for day, units in by_day.items():
        by_weekday[day.weekday()] += units
    assert max(by_weekday.values()) > 1.1 * min(by_weekday.values())
    ordered = sorted(by_day.values())
    assert ordered[-1] > 1.8 * ordered[len(ordered) // 2]


# ---------------------------------------------------------------- suppliers and purchase orders


def test_suppliers_have_different_lead_times_and_measured_lateness(demo: Context) -> None:
    suppliers = rows(demo, select(Supplier.lead_time_days, Supplier.lateness_p90_days))
    assert len({lead for lead, _ in suppliers}) == 4
    lateness = [late for _, late in suppliers]
    assert None not in lateness
    assert min(lateness) == 0, "some suppliers are always on time"
    assert max(lateness) >= 7, "one is often late"
    assert len(set(lateness)) >= 3


def test_some_confirmed_etas_slipped(demo: Context) -> None:
    assert count(demo, EtaChange, EtaChange.old_eta.is_not(None), EtaChange.new_eta > EtaChange.old_eta) > 10


def test_open_purchase_orders_are_confirmed_unconfirmed_or_late(demo: Context) -> None:
    today = demo.clock.today()
    assert count(demo, PurchaseOrder, PurchaseOrder.status == "confirmed", PurchaseOrder.eta >= today) > 0
    assert count(demo, PurchaseOrder, PurchaseOrder.status == "sent", PurchaseOrder.eta_confirmed.is_(False)) > 0
    late = count(demo, PurchaseOrder, PurchaseOrder.status == "confirmed", PurchaseOrder.eta < today)
    assert late > 0
    assert count(demo, PurchaseOrder, PurchaseOrder.status == "received") > 100


def test_lines_of_confirmed_pos_are_open_for_promises_and_no_others(demo: Context) -> None:
    """What confirm_po and cancel_po would have left: the bulk-written history must not differ."""
    flags = rows(
        demo,
        select(PurchaseOrder.status, POLine.promisable).join(POLine, POLine.po_id == PurchaseOrder.id).distinct(),
    )
    for status, promisable in flags:
        assert promisable == (status in ("confirmed", "partially_received")), status


# ---------------------------------------------------------------- today's promises


def test_waiting_backorders_are_pegged_to_a_confirmed_po_or_explicitly_unpromised(demo: Context) -> None:
    waiting = waiting_backorders(demo)
    statuses = dict(rows(demo, select(PurchaseOrder.id, PurchaseOrder.status)))
    policies = dict(rows(demo, select(Sku.code, Sku.backorder_policy)))
    assert sum(1 for b in waiting if b.po is not None) >= 10
    assert any(b.po is None for b in waiting)
    for backorder in waiting:
        if backorder.po is not None:
            assert statuses[backorder.po] in ("confirmed", "partially_received")
            assert backorder.ship_window is not None
        else:
            assert policies[backorder.sku] == "always"
            assert backorder.ship_window is None


def test_promises_stay_within_each_po_lines_cap(demo: Context) -> None:
    lines = rows(
        demo,
        select(POLine.id, POLine.ordered, POLine.received, POLine.promised, Sku.backorder_limit_pct).join(
            Sku, Sku.id == POLine.sku_id
        ),
    )
    pegged = dict(
        rows(
            demo,
            select(LinePart.po_line_id, func.sum(LinePart.quantity))
            .where(LinePart.kind == "backordered", LinePart.po_line_id.is_not(None))
            .group_by(LinePart.po_line_id),
        )
    )
    for line_id, ordered, received, promised, limit in lines:
        assert promised == pegged.get(line_id, 0)
        assert promised <= (ordered - received) * limit // 100


def test_catalog_availability_shows_every_state(demo: Context) -> None:
    views = catalog_availability(demo)
    states = Counter(v.decision.state.value for v in views)
    reasons = {v.decision.reason.value for v in views}
    assert set(states) == {"in_stock", "backorder", "preorder", "out_of_stock"}
    assert states["in_stock"] > len(views) / 2
    assert {"no_confirmed_supply", "backorders_disabled", "backorder_cap_reached"} <= reasons


def test_a_preorder_sku_has_never_been_stocked_and_has_pre_orders_waiting(demo: Context) -> None:
    preorders = [v.sku for v in catalog_availability(demo) if v.decision.state.value == "preorder"]
    assert preorders
    for code in preorders:
        sku_id = rows(demo, select(Sku.id).where(Sku.code == code))[0][0]
        assert count(demo, Movement, Movement.sku_id == sku_id, Movement.on_hand_delta > 0) == 0
        assert waiting_backorders(demo, code)


def test_tonights_orders_are_allocated_and_waiting_to_ship(demo: Context) -> None:
    assert rows(demo, select(func.sum(Stock.allocated)))[0][0] > 0
    assert count(demo, OrderLine, OrderLine.status == "allocated") > 0


# ---------------------------------------------------------------- reproducible, and only into an empty database


DIGESTED = (
    select(Sku.__table__).order_by(Sku.id),
    select(Stock.__table__).order_by(Stock.sku_id, Stock.warehouse_id),
    select(
        Movement.id,
        Movement.sku_id,
        Movement.warehouse_id,
        Movement.kind,
        Movement.on_hand_delta,
        Movement.allocated_delta,
        Movement.reason,
        Movement.created_at,
    ).order_by(Movement.id),
    select(PurchaseOrder.__table__).order_by(PurchaseOrder.id),
    select(POLine.__table__).order_by(POLine.id),
    select(EtaChange.__table__).order_by(EtaChange.id),
    select(Order.channel_id, Order.email, Order.priority, Order.status, Order.placed_at).order_by(
        Order.placed_at, Order.email
    ),
    select(Order.id).where(Order.request_hash.is_(None)).order_by(Order.id),
    select(OrderLine.id, OrderLine.sku_id, OrderLine.quantity, OrderLine.status).order_by(OrderLine.id),
    select(LinePart.__table__).order_by(LinePart.id),
)
"""Everything the demo decides; not the ids the use cases draw at random for today's orders and movements' refs."""


def digest(ctx: Context) -> str:
    sha = hashlib.sha256()
    with unit_of_work(ctx.engine, readonly=True) as session:
        for query in DIGESTED:
            for row in session.execute(query):
                sha.update(repr(tuple(row)).encode())
    return sha.hexdigest()


@pytest.fixture(scope="module")
def seed_digest(sqlite_demo: Context) -> str:
    return digest(sqlite_demo)


def test_the_same_seed_gives_the_same_catalog_stock_and_history(
    seed_digest: str, sqlite_template: Path, tmp_path: Path
) -> None:
    again = _sqlite_context(sqlite_template, tmp_path / "again.db")
    load_demo(again, seed=SEED, sku_count=SKUS)
    assert digest(again) == seed_digest
    again.engine.dispose()


def test_a_different_seed_gives_different_data(
    seed_digest: str, sqlite_demo: Context, sqlite_template: Path, tmp_path: Path
) -> None:
    other = _sqlite_context(sqlite_template, tmp_path / "other.db")
    load_demo(other, seed=SEED + 1, sku_count=SKUS)
    assert digest(other) != seed_digest
    assert rows(other, select(Sku.code).order_by(Sku.id)) != rows(sqlite_demo, select(Sku.code).order_by(Sku.id))
    other.engine.dispose()


def test_loading_into_a_database_with_data_is_refused_and_changes_nothing(ctx: Context) -> None:
    standard_catalog(ctx)
    with pytest.raises(Conflict, match="empty database"):
        load_demo(ctx, sku_count=SKUS)
    assert count(ctx, Sku) == 1
    assert count(ctx, Warehouse) == 2


def test_fewer_than_200_skus_is_refused(ctx: Context) -> None:
    with pytest.raises(InvalidInput, match="200"):
        load_demo(ctx, sku_count=199)


def test_every_sku_has_supplier_terms_and_some_have_a_faster_dearer_second_source(demo: Context) -> None:
    """So that `restock plan` on the demo has something to buy, and a supplier choice to make."""
    sources = Counter(sku_id for (sku_id,) in rows(demo, select(SupplierSku.sku_id)))
    assert set(sources) == {sku_id for (sku_id,) in rows(demo, select(Sku.id))}
    assert set(sources.values()) == {1, 2}
    assert count(demo, SupplierSku, SupplierSku.moq < SupplierSku.pack_size) == 0


# ---------------------------------------------------------------- the plan counts every open PO


def open_po_lines(ctx: Context) -> list[Any]:
    """Every open PO line of the demo: SKU, warehouse, PO, status and units still to come."""
    return rows(
        ctx,
        select(Sku.code, Warehouse.code, PurchaseOrder.id, PurchaseOrder.status, POLine.ordered - POLine.received)
        .join(PurchaseOrder, PurchaseOrder.id == POLine.po_id)
        .join(Sku, Sku.id == POLine.sku_id)
        .join(Warehouse, Warehouse.id == PurchaseOrder.warehouse_id)
        .where(
            PurchaseOrder.status.in_(["draft", "sent", "confirmed", "partially_received"]),
            POLine.received < POLine.ordered,
        ),
    )


def test_the_demos_sent_pos_are_counted_not_suggested_again_and_named_and_drafting_twice_drafts_once(
    sqlite_demo: Context, tmp_path: Path
) -> None:
    """On a copy of `restock demo --seed 7`: every open PO line is in the position; no suggestion is for a
    SKU x warehouse whose stock and open sent POs alone keep it above its reorder point until the next review;
    every suggestion for a pair with open POs lists exactly those POs; and drafting the plan, then planning again,
    suggests nothing."""
    assert sqlite_demo.engine.url.database is not None
    shutil.copy(sqlite_demo.engine.url.database, tmp_path / "demo.db")
    ctx = make_context(make_engine(f"sqlite:///{tmp_path / 'demo.db'}"))
    try:
        lines = open_po_lines(ctx)
        pos: dict[tuple[str, str], set[str]] = defaultdict(set)
        units: Counter[tuple[str, str]] = Counter()
        sent: Counter[tuple[str, str]] = Counter()
        for sku, warehouse, po, status, open_units in lines:
            pos[(sku, warehouse)].add(f"PO {po}")
            units[(sku, warehouse)] += open_units
            sent[(sku, warehouse)] += open_units if status == "sent" else 0
        today = ctx.clock.today()
        history = demand_history(ctx, today=today)
        inputs = load_plan_inputs(ctx, recent_demand(history, today))
        plan = build_plan(inputs, forecast_demand(history, plan_horizon(inputs)), ctx.settings).rows
        pair = list(zip(plan["sku"], plan["warehouse"], strict=True))
        available = plan["on_hand"] - plan["allocated"] - plan["backorders"]
        assert (plan["position"] == available + [units[p] for p in pair]).all()
        with_sent = available + [sent[p] for p in pair]
        on_sent_pos = np.array([sent[p] > 0 for p in pair])
        covered = on_sent_pos & (with_sent - plan["demand_mean"] * plan["review_days"] > plan["reorder_point"])
        assert covered.sum() >= 10  # 14 of the 42 pairs on the demo's 5 sent POs
        assert (plan.loc[covered, "quantity"] == 0).all()
        named = [(p, listed) for p, listed in zip(pair, plan["open_pos"], strict=True) if p in pos]
        assert len(named) > 100
        assert all(set(listed) == pos[p] for p, listed in named)
        report = planning.plan(ctx)
        assert len(report.suggestions) == int((plan["quantity"] > 0).sum())
        counting = [s for s in report.suggestions if (s.sku, s.warehouse) in pos]
        assert len(counting) > 50
        assert all(set(s.open_pos) == pos[(s.sku, s.warehouse)] for s in counting)
        assert all(all(f"{po} (" in s.explanation for po in s.open_pos) for s in counting)
        planning.create_purchase_orders(ctx, report.suggestions)
        assert planning.plan(ctx).suggestions == []
    finally:
        ctx.engine.dispose()
