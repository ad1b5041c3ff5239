"""Every CLI command that changes state, run twice with one --idempotency-key: one effect, the first result."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from restock.cli import once
from restock.config import Settings
from restock.domain.errors import OutcomeUnknown
from restock.services import apikeys, catalog, orders, purchasing, stock, subscriptions, webhooks
from restock.services.context import Context
from restock.store.db import unit_of_work
from restock.store.schema import Order
from tests.cli.test_cli import as_json, setup_shop
from tests.cli.test_planning_cli import history


def ctx() -> Context:
    return Context.from_settings(Settings.from_env())


def first_order() -> orders.OrderView:
    """The one order of the test (and that there is only one)."""
    with unit_of_work(ctx().engine, readonly=True) as session:
        [order_id] = session.scalars(select(Order.id)).all()
    return orders.show_order(ctx(), order_id)


def on_hand(sku: str, warehouse: str) -> int:
    return next(b.on_hand for b in stock.balances(ctx(), sku) if b.warehouse == warehouse)


@dataclass(frozen=True)
class Case:
    command: list[str]
    effect: Callable[[], Any]
    """What the command changed, read back: the same after the second run."""
    expected: Any
    before: tuple[tuple[str, ...], ...] = ()


PLACE = ("order", "place", "--channel", "web", "--email", "ann@example.com", "--line", "MUG:1", "--json")
PO = ("po", "create", "ACME", "--warehouse", "W1", "--line", "MUG:10")
SENT = (PO, ("po", "send", "1"))
CONFIRMED = (*SENT, ("po", "confirm", "1", "--eta", "2026-12-10"))

CASES = {
    "warehouse add": Case(
        ["warehouse", "add", "W9"], lambda: [w.code for w in catalog.list_warehouses(ctx())], ["W1", "W9"]
    ),
    "channel add": Case(["channel", "add", "app", "--warehouses", "W1"], lambda: len(catalog.list_channels(ctx())), 2),
    "supplier add": Case(
        ["supplier", "add", "NEWCO", "--lead-time-days", "5"], lambda: len(catalog.list_suppliers(ctx())), 2
    ),
    "sku add": Case(["sku", "add", "CUP", "--price", "3.50"], lambda: len(catalog.list_skus(ctx())), 2),
    "stock adjust": Case(["stock", "adjust", "MUG", "W1", "5", "--reason", "found"], lambda: on_hand("MUG", "W1"), 8),
    "stock transfer": Case(
        ["stock", "transfer", "MUG", "W1", "W2", "2"],
        lambda: (on_hand("MUG", "W1"), on_hand("MUG", "W2")),
        (1, 2),
        (("warehouse", "add", "W2"),),
    ),
    "po create": Case([*PO], lambda: len(purchasing.list_pos(ctx())), 1),
    "po send": Case(["po", "send", "1"], lambda: purchasing.show_po(ctx(), 1).status, "sent", (PO,)),
    "po confirm": Case(
        ["po", "confirm", "1", "--eta", "2026-12-10"], lambda: str(purchasing.show_po(ctx(), 1).eta), "2026-12-10", SENT
    ),
    "po eta": Case(
        ["po", "eta", "1", "2026-12-20"], lambda: str(purchasing.show_po(ctx(), 1).eta), "2026-12-20", CONFIRMED
    ),
    "po receive": Case(
        ["po", "receive", "1", "--line", "MUG:4"], lambda: purchasing.show_po(ctx(), 1).lines[0].received, 4, CONFIRMED
    ),
    "po cancel": Case(["po", "cancel", "1"], lambda: purchasing.show_po(ctx(), 1).status, "cancelled", (PO,)),
    "order place": Case([*PLACE[:-1]], lambda: (first_order().lines[0].allocated, on_hand("MUG", "W1")), (1, 3)),
    "order cancel": Case(["order", "cancel", "{id}"], lambda: first_order().status, "cancelled", (PLACE,)),
    "order ship": Case(["order", "ship", "{id}"], lambda: first_order().status, "shipped", (PLACE,)),
    "subscribe": Case(
        ["subscribe", "CUP", "--channel", "web", "--email", "ann@example.com"],
        lambda: len(subscriptions.list_subscriptions(ctx())),
        1,
        (("sku", "add", "CUP"),),
    ),
    "webhook add": Case(["webhook", "add", "https://erp.example.com/h"], lambda: len(webhooks.list_webhooks(ctx())), 1),
    "apikey create": Case(["apikey", "create", "--role", "admin"], lambda: len(apikeys.list_keys(ctx())), 1),
    "apikey revoke": Case(
        ["apikey", "revoke", "1"],
        lambda: apikeys.list_keys(ctx())[0].revoked_at is not None,
        True,
        (("apikey", "create", "--role", "admin"),),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_a_changing_command_run_twice_with_one_key_has_one_effect_and_prints_the_first_result(
    restock: Any, name: str
) -> None:
    case = CASES[name]
    setup_shop(restock)
    made: dict[str, Any] = {}
    for step in case.before:
        made = as_json(restock(*step, "--json")) if step == PLACE else {}
        if step != PLACE:
            restock(*step)
    command = [word.format(**made) for word in case.command]
    first = restock(*command, "--idempotency-key", f"k-{name}", "--json")
    after_first = case.effect()
    again = restock(*command, "--idempotency-key", f"k-{name}", "--json")
    assert as_json(again) == as_json(first)
    assert case.effect() == after_first == case.expected


def test_a_replay_prints_the_first_text_too(restock: Any) -> None:
    setup_shop(restock)
    first = restock("stock", "adjust", "MUG", "W1", "5", "--reason", "found", "--idempotency-key", "t-1")
    again = restock("stock", "adjust", "MUG", "W1", "5", "--reason", "found", "--idempotency-key", "t-1")
    assert again.stdout == first.stdout == "MUG at W1: on hand 8, allocated 0\n"
    as_json_again = restock(
        "stock", "adjust", "MUG", "W1", "5", "--reason", "found", "--idempotency-key", "t-1", "--json"
    )
    assert as_json(as_json_again)["on_hand"] == 8
    assert on_hand("MUG", "W1") == 8


def test_a_replayed_table_is_the_first_table(restock: Any) -> None:
    setup_shop(restock)
    placed = as_json(restock(*PLACE))["id"]
    first = restock("order", "ship", str(placed), "--idempotency-key", "ship-1")
    again = restock("order", "ship", str(placed), "--idempotency-key", "ship-1")
    assert "shipped" in first.stdout
    assert again.stdout == first.stdout


def test_the_same_key_for_another_command_is_refused_in_one_line_and_changes_nothing(restock: Any) -> None:
    setup_shop(restock)
    restock("stock", "adjust", "MUG", "W1", "5", "--reason", "found", "--idempotency-key", "k")
    other = restock("stock", "adjust", "MUG", "W1", "6", "--reason", "found", "--idempotency-key", "k", ok=False)
    assert other.exit_code == 1
    assert other.stderr.count("\n") == 1
    assert "was used for another command or other arguments" in other.stderr
    different = restock("warehouse", "add", "W7", "--idempotency-key", "k", ok=False)
    assert different.exit_code == 1
    assert on_hand("MUG", "W1") == 8
    assert [w.code for w in catalog.list_warehouses(ctx())] == ["W1"]


def test_a_refused_change_with_a_key_can_be_retried_once_it_is_allowed(restock: Any) -> None:
    """A refusal changed nothing, so the key stays free: the same command runs once the cause is gone."""
    setup_shop(restock)
    refused = restock("stock", "transfer", "MUG", "W1", "W2", "1", "--idempotency-key", "mv", ok=False)
    assert "W2" in refused.stderr
    restock("warehouse", "add", "W2")
    restock("stock", "transfer", "MUG", "W1", "W2", "1", "--idempotency-key", "mv")
    assert on_hand("MUG", "W2") == 1


def test_a_bad_idempotency_key_is_a_usage_error(restock: Any) -> None:
    setup_shop(restock)
    refused = restock("warehouse", "add", "W7", "--idempotency-key", "x" * 201, ok=False)
    assert refused.exit_code == 2
    assert "1-200 printable ASCII" in refused.stderr


def test_plan_create_pos_twice_with_one_key_makes_the_draft_pos_once(restock: Any) -> None:
    history(restock, Settings.from_env().database_url)
    first = as_json(restock("plan", "--create-pos", "--json", "--idempotency-key", "plan-1"))
    again = as_json(restock("plan", "--create-pos", "--json", "--idempotency-key", "plan-1"))
    assert len(first["purchase_orders"]) == 1
    assert again == first
    assert len(purchasing.list_pos(ctx())) == 1


@pytest.mark.parametrize("key", [None, "adj-7"])
def test_an_unknown_outcome_says_so_and_prints_the_command_to_retry_with_a_key(
    restock: Any, monkeypatch: pytest.MonkeyPatch, key: str | None
) -> None:
    setup_shop(restock)
    typed = ["stock", "adjust", "MUG", "W1", "5", "--reason", "found", *(["--idempotency-key", key] if key else [])]
    monkeypatch.setattr(sys, "argv", ["restock", *typed])

    def lost(*args: Any, **kwargs: Any) -> Any:
        raise OutcomeUnknown("the database connection was lost while the change was being committed")

    monkeypatch.setattr(stock, "adjust_stock", lost)
    monkeypatch.setattr(once.idempotency, "run_once", lost)
    answer = restock(*typed, ok=False)
    assert answer.exit_code == once.OUTCOME_UNKNOWN_EXIT
    message = " ".join(answer.stderr.split())
    assert message.startswith("error: outcome unknown")
    retry = message.split("at most once: " if key is None else "the same key: ")[1]
    assert retry.startswith("restock stock adjust MUG W1 5 --reason found --idempotency-key ")
    if key:
        assert retry.endswith("--idempotency-key adj-7")
