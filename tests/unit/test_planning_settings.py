"""ABC service levels and class cut-offs come from the environment, and nonsense is refused at start-up."""

from __future__ import annotations

import pytest

from restock.config import Settings


def test_abc_service_levels_and_shares_default_to_98_95_90_and_80_95() -> None:
    s = Settings.from_env({})
    levels = (s.service_level_a_pct, s.service_level_b_pct, s.service_level_c_pct)
    assert (*levels, s.abc_a_share_pct, s.abc_b_share_pct) == (98, 95, 90, 80, 95)


def test_abc_settings_are_read_from_the_environment() -> None:
    s = Settings.from_env({"RESTOCK_SERVICE_LEVEL_A": "99", "RESTOCK_ABC_A_SHARE": "70", "RESTOCK_ABC_B_SHARE": "90"})
    assert (s.service_level_a_pct, s.abc_a_share_pct, s.abc_b_share_pct) == (99, 70, 90)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RESTOCK_SERVICE_LEVEL_B": "100"}, "RESTOCK_SERVICE_LEVEL_B must be a percentage from 50 to 99"),
        ({"RESTOCK_SERVICE_LEVEL_C": "40"}, "RESTOCK_SERVICE_LEVEL_C"),
        ({"RESTOCK_ABC_A_SHARE": "96"}, "0 < A <= B <= 100"),
        ({"RESTOCK_ABC_B_SHARE": "101"}, "0 < A <= B <= 100"),
        ({"RESTOCK_ABC_A_SHARE": "eighty"}, "whole number"),
    ],
)
def test_impossible_abc_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env)
