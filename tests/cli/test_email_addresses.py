"""The CLI refuses what the API refuses: one e-mail rule (restock.domain.validation.email) for both."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli.test_cli import setup_shop

SMUGGLING = ["a,b@evil.example.com", "Ann <ann@example.com>", '"a,b"@example.com', "ann@localhost"]


@pytest.mark.parametrize("address", SMUGGLING)
def test_the_cli_refuses_an_order_for_an_address_that_is_not_one_mailbox(restock: Any, address: str) -> None:
    setup_shop(restock)
    result = restock("order", "place", "--channel", "web", "--email", address, "--line", "MUG:1", ok=False)
    assert result.exit_code == 1
    assert "invalid e-mail address" in result.output


@pytest.mark.parametrize("address", SMUGGLING)
def test_the_cli_refuses_a_sign_up_for_an_address_that_is_not_one_mailbox(restock: Any, address: str) -> None:
    setup_shop(restock)
    result = restock("subscribe", "MUG", "--channel", "web", "--email", address, ok=False)
    assert result.exit_code == 1
    assert "invalid e-mail address" in result.output
