"""One request, one effect, whatever the connection to PostgreSQL does (issue 11).

A fault-injecting proxy (tests/faults/pgproxy.py) sits between the use cases and PostgreSQL. The worst
moment is a COMMIT that the server runs and whose answer never arrives: the change is durable, the client
sees a lost connection. A use case must then neither apply the change again nor report a failure for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from restock.api.app import create_app
from restock.domain.errors import OutcomeUnknown
from restock.services import apikeys, orders, purchasing, stock, subscriptions, webhooks
from restock.services.context import Context
from restock.store.db import make_engine, unit_of_work
from restock.store.schema import Order, OutboxMessage, PurchaseOrder
from tests.builders import balance, confirmed_po, on_hand, order, standard_catalog
from tests.conftest import make_context, truncate_all
from tests.faults.pgproxy import PgFaultProxy

pytestmark = pytest.mark.postgres
WRITE = "INSERT INTO commit_receipts"  # in every write transaction of a use case: its COMMIT is the one to lose


@pytest.fixture
def proxy() -> Iterator[PgFaultProxy]:
    running = PgFaultProxy()
    yield running
    running.close()


@pytest.fixture
def direct(pg_engine: Engine) -> Context:
    truncate_all(pg_engine)
    ctx = make_context(pg_engine)
    standard_catalog(ctx)
    return ctx


@pytest.fixture
def faulty(direct: Context, proxy: PgFaultProxy) -> Iterator[Context]:
    """The same database through the proxy."""
    engine = make_engine(proxy.url_for(direct.engine.url.render_as_string(hide_password=False)))
    yield replace(direct, engine=engine)
    engine.dispose()


def _count(ctx: Context, model: type) -> int:
    with unit_of_work(ctx.engine, readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _topics(ctx: Context) -> list[str]:
    with unit_of_work(ctx.engine, readonly=True) as session:
        return list(session.scalars(select(OutboxMessage.topic).order_by(OutboxMessage.id)))


def test_a_lost_commit_answer_does_not_book_an_adjustment_twice(
    direct: Context, faulty: Context, proxy: PgFaultProxy
) -> None:
    proxy.drop_commit_answer_after(WRITE)
    stock.adjust_stock(faulty, "MUG", "W1", 5, "count")
    assert proxy.faults[0].fired == 1
    assert balance(direct, "MUG", "W1") == (5, 0)


def test_a_lost_commit_answer_does_not_receive_a_po_twice(
    direct: Context, faulty: Context, proxy: PgFaultProxy
) -> None:
    po = confirmed_po(direct, "MUG", 10, eta_in_days=5)
    proxy.drop_commit_answer_after(WRITE)
    view = purchasing.receive_po(faulty, po, [("MUG", 4)])
    assert proxy.faults[0].fired == 1
    assert [line.received for line in view.lines] == [4]
    assert balance(direct, "MUG", "W1") == (4, 0)


def test_a_lost_commit_answer_does_not_create_a_po_twice(direct: Context, faulty: Context, proxy: PgFaultProxy) -> None:
    proxy.drop_commit_answer_after(WRITE)
    purchasing.create_po(faulty, "ACME", "W1", [("MUG", 3)])
    assert proxy.faults[0].fired == 1
    assert _count(direct, PurchaseOrder) == 1


def test_a_lost_commit_answer_of_a_multi_line_order_places_it_once(
    direct: Context, faulty: Context, proxy: PgFaultProxy
) -> None:
    from restock.services import catalog

    catalog.add_sku(direct, "CUP", "Cup")
    on_hand(direct, "MUG", "W1", 5)
    on_hand(direct, "CUP", "W1", 5)
    proxy.drop_commit_answer_after(WRITE)
    request = orders.OrderRequest(
        "web", "ann@example.com", (orders.LineRequest("MUG", 2), orders.LineRequest("CUP", 1))
    )
    placed = orders.place_order(faulty, request)
    assert proxy.faults[0].fired == 1
    assert _count(direct, Order) == 1
    assert orders.show_order(direct, placed.id).status == "open"
    assert balance(direct, "MUG", "W1") == (5, 2)
    assert _topics(direct).count("order_placed") == 1


def test_a_cancel_whose_answer_was_lost_reports_the_cancellation_it_made(
    direct: Context, faulty: Context, proxy: PgFaultProxy
) -> None:
    on_hand(direct, "MUG", "W1", 5)
    placed = order(direct, "MUG", 2)
    proxy.drop_commit_answer_after(WRITE)
    cancelled = orders.cancel_order(faulty, placed.id)
    assert cancelled.status == "cancelled"
    assert balance(direct, "MUG", "W1") == (5, 0)
    assert _topics(direct).count("order_cancelled") == 1


def test_a_ship_whose_answer_was_lost_reports_the_shipment_it_made(
    direct: Context, faulty: Context, proxy: PgFaultProxy
) -> None:
    on_hand(direct, "MUG", "W1", 5)
    placed = order(direct, "MUG", 2)
    proxy.drop_commit_answer_after(WRITE)
    shipped = orders.ship_order(faulty, placed.id)
    assert shipped.status == "shipped"
    assert balance(direct, "MUG", "W1") == (3, 0)


def test_a_connection_reset_before_commit_runs_the_use_case_again_with_one_effect(
    direct: Context, faulty: Context, proxy: PgFaultProxy
) -> None:
    proxy.reset("COMMIT")
    stock.adjust_stock(faulty, "MUG", "W1", 5, "count")
    assert proxy.faults[0].fired == 1
    assert balance(direct, "MUG", "W1") == (5, 0)


def test_when_the_outcome_cannot_be_read_back_the_answer_says_so_and_nothing_is_run_again(
    direct: Context, faulty: Context, proxy: PgFaultProxy
) -> None:
    proxy.drop_commit_answer_after(WRITE)
    proxy.reset("SELECT commit_receipts.token", times=100)
    with pytest.raises(OutcomeUnknown, match="retry with the same idempotency key"):
        stock.adjust_stock(faulty, "MUG", "W1", 5, "count")
    assert balance(direct, "MUG", "W1") == (5, 0)


def test_a_keyed_adjustment_whose_commit_answer_was_lost_applies_once_and_replays_its_answer(
    direct: Context, faulty: Context, proxy: PgFaultProxy
) -> None:
    key = apikeys.create_key(direct, "warehouse").key
    app = create_app(replace(faulty, settings=replace(faulty.settings, availability_cache_seconds=0)))
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "count-1"}
    body = {"sku": "MUG", "warehouse": "W1", "delta": 5, "reason": "count"}
    with TestClient(app, raise_server_exceptions=False) as client:
        proxy.drop_commit_answer_after(WRITE)
        first = client.post("/v1/stock/adjustments", json=body, headers=headers)
        assert proxy.faults[0].fired == 1
        again = client.post("/v1/stock/adjustments", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert (again.status_code, again.json(), again.headers.get("Idempotent-Replayed")) == (201, first.json(), "true")
    assert balance(direct, "MUG", "W1") == (5, 0)


def test_an_unknown_outcome_is_a_503_and_the_retry_with_the_key_gets_the_first_answer(
    direct: Context, faulty: Context, proxy: PgFaultProxy
) -> None:
    """The key's answer committed with the effect, so the retry learns what the lost answer said."""
    key = apikeys.create_key(direct, "warehouse").key
    app = create_app(replace(faulty, settings=replace(faulty.settings, availability_cache_seconds=0)))
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "count-2"}
    body = {"sku": "MUG", "warehouse": "W1", "delta": 5, "reason": "count"}
    with TestClient(app, raise_server_exceptions=False) as client:
        proxy.drop_commit_answer_after(WRITE)
        proxy.reset("SELECT commit_receipts.token", times=100)
        first = client.post("/v1/stock/adjustments", json=body, headers=headers)
        proxy.disarm()
        again = client.post("/v1/stock/adjustments", json=body, headers=headers)
    assert (first.status_code, first.headers.get("Retry-After")) == (503, "5")
    assert first.json()["type"].endswith("/outcome_unknown")
    assert (again.status_code, again.headers.get("Idempotent-Replayed")) == (201, "true")
    assert balance(direct, "MUG", "W1") == (5, 0)


def _changes(direct: Context) -> dict[str, object]:
    """Each changing use case, set up on `direct`, as a call to make through the faulty connection."""
    on_hand(direct, "MUG", "W1", 6)
    po = confirmed_po(direct, "MUG", 10, eta_in_days=5)
    draft = purchasing.create_po(direct, "ACME", "W1", [("MUG", 2)]).id
    return {
        "transfer": lambda ctx: stock.transfer_stock(ctx, "MUG", "W1", "W2", 2),
        "po send": lambda ctx: purchasing.send_po(ctx, draft),
        "po confirm": lambda ctx: purchasing.confirm_po(ctx, draft, direct.clock.today() + timedelta(days=6)),
        "po eta": lambda ctx: purchasing.change_eta(ctx, po, direct.clock.today() + timedelta(days=9)),
        "po cancel": lambda ctx: purchasing.cancel_po(ctx, po),
        "order with key": lambda ctx: order(ctx, "MUG", 1, key="checkout-77"),
        "order without key": lambda ctx: order(ctx, "MUG", 1),
        "webhook create": lambda ctx: webhooks.add_webhook(ctx, "https://erp.example.com/hooks", ["order.placed"]),
        "subscription create": lambda ctx: subscriptions.subscribe(ctx, "MUG", "market", "cat@example.com"),
    }


def _state(direct: Context) -> tuple[object, ...]:
    """Everything the changes above could do twice: balances, movements, POs and their history, orders,
    webhooks, subscriptions, outbox messages."""
    from restock.store.schema import EtaChange, Movement, RestockSubscription, WebhookEndpoint

    counts = tuple(
        _count(direct, model) for model in (Movement, EtaChange, Order, WebhookEndpoint, RestockSubscription)
    )
    return (balance(direct, "MUG", "W1"), balance(direct, "MUG", "W2"), counts, len(_topics(direct)))


@pytest.mark.parametrize(
    "change",
    [
        "transfer",
        "po send",
        "po confirm",
        "po eta",
        "po cancel",
        "order with key",
        "order without key",
        "webhook create",
        "subscription create",
    ],
)
def test_every_changing_use_case_has_one_effect_when_its_commit_answer_is_lost(
    direct: Context, faulty: Context, proxy: PgFaultProxy, pg_engine: Engine, change: str
) -> None:
    """The oracle is the same change made once without a fault, from the same starting point."""
    _changes(direct)[change](direct)  # type: ignore[operator]
    once = _state(direct)
    truncate_all(pg_engine)
    standard_catalog(direct)
    calls = _changes(direct)
    if change.startswith("order"):  # one line from stock: one autocommitted statement, no COMMIT of its own
        proxy.drop_answer("INSERT INTO orders")
    else:
        proxy.drop_commit_answer_after(WRITE)
    calls[change](faulty)  # type: ignore[operator]
    assert proxy.faults[0].fired == 1
    assert _state(direct) == once
