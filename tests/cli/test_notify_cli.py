"""The communication commands: subscribe, worker --once, outbox, webhooks; JSON shapes and clear refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import as_json


def _shop(restock: Any) -> None:
    restock("warehouse", "add", "W1")
    restock("channel", "add", "web", "--warehouses", "W1")
    restock("sku", "add", "MUG", "--price", "12.50")


def test_subscribe_then_a_restock_writes_the_alert_into_the_mail_folder(
    restock: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RESTOCK_MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.setenv("RESTOCK_SHOP_NAME", "Mugs & Co")
    _shop(restock)
    sub = as_json(restock("subscribe", "MUG", "--channel", "web", "--email", "ann@example.com", "--json"))
    assert sub["status"] == "waiting"
    assert sub["email"] == "ann@example.com"
    restock("stock", "adjust", "MUG", "W1", "2", "--reason", "count")
    result = as_json(restock("worker", "--once", "--json"))
    assert result["delivered"] == 2  # the availability change, then its e-mail
    assert result["dead"] == 0
    [eml] = list((tmp_path / "mail").glob("*.eml"))
    assert "Subject: Mugs & Co: MUG is available again" in eml.read_text()
    assert as_json(restock("outbox", "--json"))["counts"] == {"pending": 0, "dead": 0, "delivered": 2}


def test_bad_input_is_one_line_and_a_non_zero_exit(restock: Any) -> None:
    _shop(restock)
    refused = restock("subscribe", "MUG", "--channel", "web", "--email", "nope", ok=False)
    assert refused.exit_code == 1
    assert "invalid e-mail address" in refused.output
    missing = restock("outbox", "--retry", "99", ok=False)
    assert missing.exit_code == 1
    assert "unknown outbox message 99" in missing.output
    bad_hook = restock("webhook", "add", "not-a-url", ok=False)
    assert "absolute http(s) URL" in bad_hook.output


def test_webhooks_are_added_shown_once_with_their_secret_and_listed(restock: Any) -> None:
    added = as_json(restock("webhook", "add", "https://erp.example.com/h", "--event", "backorder.delayed", "--json"))
    assert added["secret"].startswith("whsec_")
    assert added["events"] == ["backorder.delayed"]
    listed = as_json(restock("webhook", "list", "--json"))
    assert [(w["id"], w["url"]) for w in listed] == [(added["id"], "https://erp.example.com/h")]
    assert "secret" not in listed[0]
    shown = as_json(restock("webhook", "show", str(added["id"]), "--json"))
    assert shown["attempts"] == []


def test_a_webhook_to_a_private_address_is_refused_in_one_line_and_nothing_is_stored(restock: Any) -> None:
    refused = restock("webhook", "add", "http://169.254.169.254/latest/meta-data/", ok=False)
    assert refused.exit_code == 1
    assert refused.stderr.count("\n") == 1
    assert "a link-local address" in refused.stderr
    assert as_json(restock("webhook", "list", "--json")) == []


def test_webhook_show_says_when_an_endpoint_is_paused_by_its_breaker(
    restock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The breaker's state, shown with the attempts: failures in a row, and until when deliveries wait."""
    from restock.config import Settings
    from restock.services.context import Context
    from restock.store.db import unit_of_work
    from restock.store.webhooks import add_attempt

    monkeypatch.setenv("RESTOCK_WEBHOOK_ALLOW_PRIVATE", "127.0.0.1")
    monkeypatch.setenv("RESTOCK_WEBHOOK_BREAKER_FAILURES", "2")
    hook = as_json(restock("webhook", "add", "http://127.0.0.1:9/h", "--json"))
    restock("warehouse", "add", "W1")
    restock("channel", "add", "web", "--warehouses", "W1")
    restock("sku", "add", "MUG")
    restock("stock", "adjust", "MUG", "W1", "1", "--reason", "count")
    ctx = Context.from_settings(Settings.from_env())
    with unit_of_work(ctx.engine) as session:
        for _ in range(2):
            add_attempt(session, hook["id"], 1, "availability.changed", ctx.clock.now(), None, "TimeoutError", 10)
    shown = as_json(restock("webhook", "show", str(hook["id"]), "--json"))
    assert shown["consecutive_failures"] == 2
    assert shown["paused_until"] is not None
    assert "after 2 failures in a row" in " ".join(restock("webhook", "show", str(hook["id"])).stdout.split())
