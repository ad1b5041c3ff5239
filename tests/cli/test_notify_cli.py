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
