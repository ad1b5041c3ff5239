"""The pure rules of purchase orders: what an ETA may be."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from restock.domain.errors import InvalidInput
from restock.domain.purchasing import MAX_ETA_AHEAD, eta_within_reach

TODAY = date(2026, 12, 1)


def test_an_eta_from_today_to_two_years_ahead_is_within_reach() -> None:
    assert eta_within_reach(TODAY, TODAY) == TODAY
    assert eta_within_reach(TODAY + MAX_ETA_AHEAD, TODAY) == TODAY + MAX_ETA_AHEAD


def test_an_eta_in_the_past_is_refused() -> None:
    with pytest.raises(InvalidInput, match="must not be in the past"):
        eta_within_reach(TODAY - timedelta(days=1), TODAY)


def test_an_eta_beyond_two_years_is_refused() -> None:
    with pytest.raises(InvalidInput, match="730 days ahead"):
        eta_within_reach(TODAY + MAX_ETA_AHEAD + timedelta(days=1), TODAY)
