"""A storefront's repeated availability reads are answered from memory, and a change to a SKU, made by any process,
drops that SKU's answer at the watcher's next look at the database's feed of changes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, insert, select, text

from restock.api.answers import GAP_PATIENCE_SECONDS, AnswerCache, ChangeWatcher
from restock.api.app import create_app
from restock.services import apikeys, availability_feed, catalog
from restock.services.context import Context
from restock.store.schema import AvailabilityChange, Sku, Warehouse
from tests.api.conftest import Keys, bearer
from tests.builders import confirmed_po, on_hand, standard_catalog
from tests.conftest import make_context

MUG_ON_WEB = "/v1/availability/MUG?channel=web"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class StatementCounter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)
        self.engine = engine

    def _count(self, *_args: Any) -> None:
        self.count += 1

    def remove(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


@pytest.fixture
def statements(ctx: Context) -> Iterator[StatementCounter]:
    counter = StatementCounter(ctx.engine)
    yield counter
    counter.remove()


@pytest.fixture
def app(ctx: Context, keys: Keys) -> FastAPI:
    return create_app(ctx)


@pytest.fixture
def watcher(app: FastAPI) -> ChangeWatcher:
    """A watcher driven by hand: the test client below does not run the lifespan that starts the app's own."""
    found = ChangeWatcher(app.state.ctx, app.state.answers)
    found.begin()
    return found


@pytest.fixture
def shop(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def available_now(client: TestClient, key: str, path: str = MUG_ON_WEB) -> int:
    response = client.get(path, headers=bearer(key))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    value: int = response.json()["available_now"]
    return value


def statements_of(counter: StatementCounter, read: Any) -> int:
    before = counter.count
    read()
    return counter.count - before


def test_an_unchanged_skus_answer_is_served_without_asking_the_database(
    shop: TestClient, ctx: Context, keys: Keys, watcher: ChangeWatcher, statements: StatementCounter
) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    watcher.poll()
    assert available_now(shop, keys.web) == 5
    watcher.poll()
    assert statements_of(statements, lambda: available_now(shop, keys.web)) == 0


def test_a_change_made_by_another_process_is_seen_at_the_next_look_at_the_feed(
    shop: TestClient, ctx: Context, keys: Keys, watcher: ChangeWatcher
) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    watcher.poll()
    assert available_now(shop, keys.web) == 5
    on_hand(ctx, "MUG", "W1", 3)  # the CLI, another worker, a warehouse scanner
    assert available_now(shop, keys.web) == 5, "until the watcher looks (every 0.2 s in a server)"
    watcher.poll()
    assert available_now(shop, keys.web) == 8


def test_a_change_to_another_sku_keeps_this_skus_answer(
    shop: TestClient, ctx: Context, keys: Keys, watcher: ChangeWatcher, statements: StatementCounter
) -> None:
    catalog.add_sku(ctx, "CUP", "Cup", "4.00", "confirmed", 30, 100)
    on_hand(ctx, "MUG", "W1", 5)
    watcher.poll()
    assert available_now(shop, keys.web) == 5
    on_hand(ctx, "CUP", "W1", 2)
    watcher.poll()
    assert statements_of(statements, lambda: available_now(shop, keys.web)) == 0


def test_a_confirmed_purchase_order_turns_a_cached_out_of_stock_into_a_backorder(
    shop: TestClient, ctx: Context, keys: Keys, watcher: ChangeWatcher
) -> None:
    assert shop.get(MUG_ON_WEB, headers=bearer(keys.web)).json()["state"] == "out_of_stock"
    confirmed_po(ctx, "MUG", 10, eta_in_days=10)
    watcher.poll()
    assert shop.get(MUG_ON_WEB, headers=bearer(keys.web)).json()["state"] == "backorder"


def test_a_change_to_a_channels_warehouses_drops_every_answer(
    shop: TestClient, ctx: Context, keys: Keys, watcher: ChangeWatcher, statements: StatementCounter
) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    watcher.poll()
    assert available_now(shop, keys.web) == 5
    catalog.add_channel(ctx, "outlet", ["W1"])
    watcher.poll()
    assert statements_of(statements, lambda: available_now(shop, keys.web)) > 0


def test_nothing_is_served_from_memory_while_no_watcher_follows_the_feed(
    ctx: Context, keys: Keys, statements: StatementCounter
) -> None:
    shop = TestClient(create_app(ctx), raise_server_exceptions=False)
    on_hand(ctx, "MUG", "W1", 5)
    assert available_now(shop, keys.web) == 5
    assert statements_of(statements, lambda: available_now(shop, keys.web)) > 0


def test_a_running_server_sees_a_change_within_a_second(ctx: Context, keys: Keys) -> None:
    with TestClient(create_app(ctx), raise_server_exceptions=False) as shop:
        on_hand(ctx, "MUG", "W1", 5)
        deadline = time.monotonic() + 5
        while available_now(shop, keys.web) != 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        on_hand(ctx, "MUG", "W1", 1)
        changed_at = time.monotonic()
        while available_now(shop, keys.web) != 6:
            assert time.monotonic() - changed_at < 1.0, "the answer stayed stale for a second"
            time.sleep(0.02)


@dataclass(frozen=True)
class PostgresShop:
    ctx: Context
    app: FastAPI
    web: str


@pytest.fixture
def pg_shop(postgres: Engine) -> PostgresShop:
    """Out-of-order commits need a database with real sequences and concurrent writers."""
    pg = make_context(postgres)
    standard_catalog(pg)
    return PostgresShop(pg, create_app(pg), apikeys.create_key(pg, "storefront", "web").key)


def test_a_change_that_commits_after_a_later_one_is_still_seen(pg_shop: PostgresShop, postgres: Engine) -> None:
    """A feed number taken first may become visible last: the watcher asks for skipped numbers again."""
    ctx, app = pg_shop.ctx, pg_shop.app
    keys = pg_shop
    catalog.add_sku(ctx, "CUP", "Cup", "4.00", "confirmed", 30, 100)
    on_hand(ctx, "MUG", "W1", 5)
    watcher = ChangeWatcher(ctx, app.state.answers)
    watcher.begin()
    shop = TestClient(app, raise_server_exceptions=False)
    assert available_now(shop, keys.web) == 5
    with postgres.connect() as slow:
        mug, w1 = (slow.scalar(select(Sku.id).where(Sku.code == "MUG")), slow.scalar(select(Warehouse.id)))
        slow.execute(
            text("UPDATE stock SET on_hand = on_hand + 1 WHERE sku_id = :s AND warehouse_id = :w"), {"s": mug, "w": w1}
        )  # takes a feed number, not yet committed
        on_hand(ctx, "CUP", "W1", 1)  # a later number, committed first
        watcher.poll()
        assert watcher.gaps, "the uncommitted number is remembered"
        assert available_now(shop, keys.web) == 5
        slow.commit()
    watcher.poll()
    assert not watcher.gaps
    assert available_now(shop, keys.web) == 6


def test_a_feed_number_that_never_commits_drops_every_answer_after_a_while(
    pg_shop: PostgresShop, postgres: Engine
) -> None:
    ctx, app = pg_shop.ctx, pg_shop.app
    keys = pg_shop
    statements = StatementCounter(postgres)
    on_hand(ctx, "MUG", "W1", 5)
    clock = FakeClock()
    watcher = ChangeWatcher(ctx, app.state.answers, clock=clock)
    watcher.begin()
    shop = TestClient(app, raise_server_exceptions=False)
    assert available_now(shop, keys.web) == 5
    with postgres.connect() as failing:
        failing.execute(insert(AvailabilityChange).values(sku_id=None))
        failing.rollback()  # its number is gone for good
    catalog.add_sku(ctx, "CUP", "Cup", "4.00", "confirmed", 30, 100)
    on_hand(ctx, "CUP", "W1", 1)
    watcher.poll()
    assert watcher.gaps
    assert statements_of(statements, lambda: available_now(shop, keys.web)) == 0
    clock.now += GAP_PATIENCE_SECONDS + 1
    watcher.poll()
    assert not watcher.gaps
    assert statements_of(statements, lambda: available_now(shop, keys.web)) > 0


def test_a_crash_that_empties_the_unlogged_feed_drops_every_answer(pg_shop: PostgresShop, postgres: Engine) -> None:
    """PostgreSQL empties unlogged tables in crash recovery: a change committed but not yet read is lost with them."""
    ctx, app = pg_shop.ctx, pg_shop.app
    with postgres.connect() as conn:
        persistence = conn.execute(
            text(
                "SELECT relname, relpersistence FROM pg_class WHERE relname LIKE 'availability_%' AND relkind = 'r'"
                " AND relnamespace = current_schema()::regnamespace"
            )
        ).all()
    assert dict(persistence) == {"availability_changes": "u", "availability_feed_epoch": "u"}
    on_hand(ctx, "MUG", "W1", 5)
    watcher = ChangeWatcher(ctx, app.state.answers)
    watcher.begin()
    shop = TestClient(app, raise_server_exceptions=False)
    assert available_now(shop, pg_shop.web) == 5
    on_hand(ctx, "MUG", "W1", 3)  # committed, its feed row not read yet ...
    with postgres.begin() as conn:  # ... when crash recovery empties the unlogged tables
        conn.execute(text("TRUNCATE availability_changes, availability_feed_epoch RESTART IDENTITY"))
    watcher.poll()
    assert available_now(shop, pg_shop.web) == 8
    on_hand(ctx, "MUG", "W1", 1)  # the new feed is followed from its start
    watcher.poll()
    assert available_now(shop, pg_shop.web) == 9


def test_the_feed_forgets_what_was_read_but_never_restarts_its_numbering(ctx: Context, keys: Keys) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    on_hand(ctx, "MUG", "W1", 1)
    newest = availability_feed.last_change(ctx)
    availability_feed.forget_before(ctx, newest + 100)
    assert availability_feed.changes_since(ctx, 0).seqs == (newest,)
    on_hand(ctx, "MUG", "W1", 1)
    assert availability_feed.last_change(ctx) > newest


def test_stock_rows_that_do_not_move_write_nothing_to_the_feed(ctx: Context, keys: Keys) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    before = availability_feed.last_change(ctx)
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE stock SET on_hand = on_hand"))
    assert availability_feed.last_change(ctx) == before
    assert availability_feed.changes_since(ctx, before).seqs == ()


# ---------------------------------------------------------------- the cache alone


def test_an_answer_read_before_a_drop_is_not_kept() -> None:
    answers = AnswerCache(10)
    answers.live = True
    key = ("MUG", "web", date(2026, 11, 27))
    generation = answers.generation()
    answers.forget(["MUG"])  # a change was seen while the read was in the database
    answers.put(key, b"stale", generation)
    assert answers.get(key) is None
    answers.put(key, b"fresh", answers.generation())
    assert answers.get(key) == b"fresh"


def test_an_answer_expires_after_its_lifetime_even_without_news() -> None:
    clock = FakeClock()
    answers = AnswerCache(60, clock=clock)
    answers.live = True
    key = ("MUG", "web", date(2026, 11, 27))
    answers.put(key, b"body", answers.generation())
    clock.now += 59
    assert answers.get(key) == b"body"
    clock.now += 2
    assert answers.get(key) is None


def test_a_lifetime_of_zero_keeps_nothing() -> None:
    answers = AnswerCache(0)
    answers.live = True
    key = ("MUG", "web", date(2026, 11, 27))
    answers.put(key, b"body", answers.generation())
    assert answers.get(key) is None


def test_the_cache_starts_over_rather_than_grow_without_bound() -> None:
    answers = AnswerCache(10, max_skus=2)
    answers.live = True
    day = date(2026, 11, 27)
    for code in ("A", "B", "C"):
        answers.put((code, "web", day), code.encode(), answers.generation())
    assert [answers.get((code, "web", day)) for code in ("A", "B", "C")] == [None, None, b"C"]


# ---------------------------------------------------------------- the remembered answer sent before routing


def remembered_and_routed(shop: TestClient, ctx: Context, path: str, key: str) -> tuple[Any, Any]:
    """The same read twice: first through the route (which remembers it), then answered before routing."""
    routed = shop.get(path, headers=bearer(key))
    remembered = shop.get(path, headers=bearer(key))
    return routed, remembered


@pytest.mark.parametrize("path", [MUG_ON_WEB, "/v1/availability/MUG"])
def test_a_remembered_answer_is_the_routes_answer_byte_for_byte(
    shop: TestClient, ctx: Context, keys: Keys, watcher: ChangeWatcher, statements: StatementCounter, path: str
) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    watcher.poll()
    routed = shop.get(path, headers=bearer(keys.web))
    before = statements.count
    remembered = shop.get(path, headers=bearer(keys.web))
    assert statements.count == before
    assert remembered.status_code == routed.status_code == 200
    assert remembered.content == routed.content
    assert remembered.headers["content-type"] == routed.headers["content-type"] == "application/json"
    assert remembered.headers["content-length"] == routed.headers["content-length"]


def answers_from_memory(shop: TestClient, keys: Keys) -> float:
    prefix = 'restock_availability_answers_total{source="memory"}'
    text = shop.get("/metrics", headers=bearer(keys.warehouse)).text
    [line] = [line for line in text.splitlines() if line.startswith(prefix)]
    return float(line.split()[-1])


def test_a_remembered_answer_is_counted_in_the_metrics_under_its_route(
    shop: TestClient, ctx: Context, keys: Keys, watcher: ChangeWatcher
) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    watcher.poll()
    assert shop.get(MUG_ON_WEB, headers=bearer(keys.web)).status_code == 200
    before = answers_from_memory(shop, keys)
    for _ in range(3):
        assert shop.get(MUG_ON_WEB, headers=bearer(keys.web)).status_code == 200
    assert answers_from_memory(shop, keys) - before == 3
    assert 'route="/v1/availability/{sku}",status="200"' in shop.get("/metrics", headers=bearer(keys.admin)).text


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("warehouse", MUG_ON_WEB, 403),  # not a storefront's read
        ("market", MUG_ON_WEB, 403),  # another channel's storefront
        ("web", MUG_ON_WEB + "&limit=5", 422),  # a query parameter the route does not know
        ("web", "/v1/availability/MUG?channel=web&channel=web", 422),  # given twice
        ("nobody", MUG_ON_WEB, 401),
    ],
)
def test_a_remembered_answer_is_never_sent_to_a_request_the_route_would_refuse(
    shop: TestClient, ctx: Context, keys: Keys, watcher: ChangeWatcher, who: str, path: str, status: int
) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    watcher.poll()
    assert shop.get(MUG_ON_WEB, headers=bearer(keys.web)).status_code == 200  # now remembered
    key = {"warehouse": keys.warehouse, "market": keys.market, "web": keys.web, "nobody": "rk_unknown"}[who]
    refused = shop.get(path, headers=bearer(key))
    assert refused.status_code == status
    assert refused.headers["content-type"] == "application/problem+json"


def test_an_admin_reads_a_remembered_answer_for_any_channel(
    shop: TestClient, ctx: Context, keys: Keys, watcher: ChangeWatcher, statements: StatementCounter
) -> None:
    on_hand(ctx, "MUG", "W2", 2)
    watcher.poll()
    routed = shop.get("/v1/availability/MUG?channel=market", headers=bearer(keys.market))
    assert shop.get("/v1/warehouses", headers=bearer(keys.admin)).status_code == 200  # the admin key is now known
    before = statements.count
    remembered = shop.get("/v1/availability/MUG?channel=market", headers=bearer(keys.admin))
    assert remembered.content == routed.content
    assert statements.count == before
    assert shop.get("/v1/availability/MUG", headers=bearer(keys.admin)).status_code == 404  # no channel named
