"""Demand classes (Syntetos-Boylan), the censoring rule, and the demand file's checks: pure, no database."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from restock.domain.errors import InvalidInput
from restock.planning.classify import DemandClass, classify
from restock.planning.demand import correct_censored
from restock.planning.demand_file import parse_demand_csv

RNG_SEED = 20261127


def long_frame(series: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.concat(
        [
            pd.DataFrame({"unique_id": uid, "ds": pd.date_range("2026-01-01", periods=len(y)), "y": y.astype(float)})
            for uid, y in series.items()
        ],
        ignore_index=True,
    )


def synthetic_classes(days: int = 200) -> dict[str, np.ndarray]:
    """One series per class, built so that its class is known: sale frequency sets ADI, sizes set CV²."""
    rng = np.random.default_rng(RNG_SEED)
    sometimes = rng.random(days) < 0.25
    return {
        "smooth": rng.poisson(20, days) + 1,
        "erratic": rng.choice([1, 2, 40], days),
        "intermittent": np.where(sometimes, 3, 0),
        "lumpy": np.where(sometimes, rng.choice([1, 2, 40], days), 0),
        "new": rng.poisson(5, 20),
        "no_demand": np.zeros(days),
    }


def test_series_of_known_shape_fall_in_their_class() -> None:
    classes = classify(long_frame(synthetic_classes()), min_length=70).set_index("unique_id")["demand_class"]
    assert classes.to_dict() == {name: DemandClass(name).value for name in synthetic_classes()}


def test_a_series_on_both_cut_offs_counts_as_rare_and_irregular() -> None:
    # 100 sales in 132 days (ADI = 1.32), sizes 3 and 17 (mean 10, std 7: CV² = 0.49)
    sizes = np.tile([3, 17], 50)
    y = np.zeros(132)
    y[:100] = sizes
    stats = classify(long_frame({"edge": y}), min_length=70).iloc[0]
    assert stats["adi"] == pytest.approx(1.32)
    assert stats["cv2"] == pytest.approx(0.49)
    assert stats["demand_class"] == DemandClass.LUMPY


def stock_out_frame(sales: list[float], censored: list[bool], uid: str = "MUG@W1") -> pd.DataFrame:
    return pd.DataFrame({"unique_id": uid, "sales": sales, "censored": censored})


def test_stock_out_days_are_estimated_from_the_uncensored_days_around_them() -> None:
    frame = stock_out_frame([4, 6, 4, 6, 0, 0, 1, 4, 6], [False] * 4 + [True] * 3 + [False] * 2)
    corrected = correct_censored(frame)
    # the six uncensored days sold 30 units: 5 a day; the day that sold 1 before running out is raised too
    assert corrected.tolist() == [4, 6, 4, 6, 5, 5, 5, 4, 6]


def test_a_stock_out_day_keeps_sales_above_the_estimate() -> None:
    frame = stock_out_frame([2, 2, 9, 2], [False, False, True, False])
    assert correct_censored(frame).tolist() == [2, 2, 9, 2]  # 9 were sold: demand was at least that


def test_only_days_within_the_window_and_the_same_series_inform_the_estimate() -> None:
    far = stock_out_frame([100, 0, 0, 0, 0, 1], [False, False, False, False, False, True], uid="A@W1")
    other = stock_out_frame([50, 50], [False, False], uid="B@W1")
    corrected = correct_censored(pd.concat([far, other], ignore_index=True), window=2)
    # the censored day sees only the two days before it (0, 0), not the 100 nor series B's 50s
    assert corrected.tolist() == [100, 0, 0, 0, 0, 1, 50, 50]


def test_a_series_out_of_stock_throughout_keeps_its_sales() -> None:
    frame = stock_out_frame([0, 3, 0], [True, True, True])
    assert correct_censored(frame).tolist() == [0, 3, 0]


TODAY = date(2026, 11, 27)


def test_a_demand_file_is_read_with_its_optional_columns() -> None:
    records = parse_demand_csv("sku,date,quantity,channel\nMUG,2026-11-01,3,web\nMUG,2026-11-02,0,\n", today=TODAY)
    assert [(r.line, r.sku, r.day, r.quantity, r.warehouse, r.channel) for r in records] == [
        (2, "MUG", date(2026, 11, 1), 3, None, "web"),
        (3, "MUG", date(2026, 11, 2), 0, None, None),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "it is empty"),
        ("sku,date\nMUG,2026-11-01\n", r"missing columns \['quantity'\]"),
        ("sku,date,quantity,colour\nMUG,2026-11-01,1,red\n", r"unknown columns \['colour'\]"),
        ("sku,date,quantity\n", "no rows"),
        ("sku,date,quantity\nMUG,01/11/2026,1\n", r"line 2: not a date"),
        ("sku,date,quantity\nMUG,2026-11-28,1\n", r"line 2: the date 2026-11-28 is in the future"),
        ("sku,date,quantity\nMUG,2026-11-01,1.5\n", r"line 2: the quantity '1.5' is not a whole number"),
        ("sku,date,quantity\nMUG,2026-11-01,-1\n", r"line 2: the quantity -1 is outside"),
        ("sku,date,quantity\n,2026-11-01,1\n", r"line 2: the sku is empty"),
        ("sku,date,quantity\nMUG,2026-11-01,1,9\n", r"line 2: more values than columns"),
        ("sku,date,quantity\nMUG,2026-11-01,1\nMUG,2026-11-01,2\n", r"line 3: the same SKU.* as line 2"),
    ],
)
def test_a_malformed_demand_file_is_refused_with_the_line_at_fault(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_demand_csv(text, today=TODAY)


@given(
    st.lists(
        st.tuples(st.sampled_from(["A@W1", "B@W1"]), st.integers(0, 50), st.booleans()),
        min_size=1,
        max_size=60,
    )
)
def test_correction_never_lowers_demand_and_leaves_uncensored_days_alone(
    days: list[tuple[str, int, bool]],
) -> None:
    frame = pd.DataFrame(days, columns=["unique_id", "sales", "censored"]).sort_values("unique_id", kind="stable")
    corrected = correct_censored(frame)
    sales = frame["sales"].to_numpy(dtype=float)
    censored = frame["censored"].to_numpy()
    assert (corrected >= sales).all()
    assert (corrected[~censored] == sales[~censored]).all()
    # an estimate never exceeds the largest uncensored day of its own series
    for uid in ("A@W1", "B@W1"):
        mine = (frame["unique_id"] == uid).to_numpy()
        seen = sales[mine & ~censored]
        ceiling = max(seen.max() if seen.size else 0.0, sales[mine].max() if mine.any() else 0.0)
        assert (corrected[mine] <= ceiling).all()
