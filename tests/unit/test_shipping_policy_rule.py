"""The one rule for what a shipping policy may be: creating a channel, editing one and placing an order use it."""

from __future__ import annotations

import pytest

from restock.domain.catalog import shipping_policy
from restock.domain.errors import InvalidInput
from restock.domain.model import ShippingPolicy


def test_a_shipping_policy_is_as_available_or_complete() -> None:
    assert shipping_policy("as_available") is ShippingPolicy.AS_AVAILABLE
    assert shipping_policy("complete") is ShippingPolicy.COMPLETE
    for bad in ("", "Complete", "partial", "x" * 100):
        with pytest.raises(InvalidInput, match="shipping policy must be as_available or complete"):
            shipping_policy(bad)
