"""The vocabulary has one spelling: each `Literal` an API schema uses lists exactly its enum's values."""

from __future__ import annotations

import enum
from typing import Any, get_args

import pytest

from restock.domain.lines import CancelLinkState, CancelLinkStateName, PartKind, PartKindName
from restock.domain.model import (
    AvailabilityState,
    AvailabilityStateName,
    BackorderPolicy,
    BackorderPolicyName,
    LineStatus,
    LineStatusName,
    MessageStatus,
    MessageStatusName,
    OrderStatus,
    OrderStatusName,
    POStatus,
    POStatusName,
    Role,
    RoleName,
    ShippingPolicy,
    ShippingPolicyName,
    SubscriptionStatus,
    SubscriptionStatusName,
)
from restock.planning.policy import OrderPolicy, OrderPolicyName

PAIRS: list[tuple[type[enum.StrEnum], Any]] = [
    (PartKind, PartKindName),
    (CancelLinkState, CancelLinkStateName),
    (AvailabilityState, AvailabilityStateName),
    (BackorderPolicy, BackorderPolicyName),
    (LineStatus, LineStatusName),
    (MessageStatus, MessageStatusName),
    (OrderStatus, OrderStatusName),
    (POStatus, POStatusName),
    (Role, RoleName),
    (ShippingPolicy, ShippingPolicyName),
    (SubscriptionStatus, SubscriptionStatusName),
    (OrderPolicy, OrderPolicyName),
]


@pytest.mark.parametrize(("vocabulary", "literal"), PAIRS, ids=[e.__name__ for e, _ in PAIRS])
def test_each_literal_lists_exactly_its_enums_values_in_order(vocabulary: type[enum.StrEnum], literal: Any) -> None:
    assert list(get_args(literal)) == [member.value for member in vocabulary]
