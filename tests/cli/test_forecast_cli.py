"""`restock demand import` and `restock forecast evaluate`: JSON shapes, the benchmark, clear refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def series_file(tmp_path: Path) -> str:
    """Two smooth series with a weekly pattern and two intermittent ones, 70 days each."""
    rng = np.random.default_rng(11)
    rows = ["unique_id,ds,y"]
    for i in range(4):
        for day in range(70):
            weekly = int(rng.poisson(20 if day % 7 in (5, 6) else 10))
            y = weekly if i < 2 else 4 * int(rng.random() < 0.3)
            rows.append(f"S{i},{np.datetime64('2026-01-01') + day},{y}")
    return write(tmp_path, "series.csv", "\n".join(rows) + "\n")


def test_evaluate_prints_scores_per_class_beside_the_benchmark(restock: Any, tmp_path: Path) -> None:
    result = json.loads(restock("forecast", "evaluate", series_file(tmp_path), "--horizon", "7", "--json").stdout)
    assert set(result) == {"frequency", "season_length", "overall", "benchmark", "by_class"}
    assert (result["frequency"], result["season_length"]) == ("daily", 7)  # told from the dates
    assert set(result["overall"]) == set(result["benchmark"]) == {"mase", "smape"}
    assert set(result["by_class"]) == {"smooth", "intermittent"}
    for scores in result["by_class"].values():
        assert scores["series"] == 2
        assert set(scores) == {"series", "mase", "smape", "benchmark"}
        assert scores["mase"] > 0
        assert 0 <= scores["smape"] <= 200
    # a weekly pattern with noise: the chosen model beats last week repeated
    smooth = result["by_class"]["smooth"]
    assert smooth["mase"] < smooth["benchmark"]["mase"]
    table = restock("forecast", "evaluate", series_file(tmp_path), "--horizon", "7").stdout
    assert "benchmark MASE" in table
    assert "daily series, a season of 7 points" in table
    assert "overall" in table


def test_the_horizon_and_season_change_what_is_held_out(restock: Any, tmp_path: Path) -> None:
    path = series_file(tmp_path)
    week = json.loads(restock("forecast", "evaluate", path, "--horizon", "7", "--json").stdout)
    fortnight = json.loads(restock("forecast", "evaluate", path, "--horizon", "14", "--json").stdout)
    assert week["benchmark"] != fortnight["benchmark"]
    daily = json.loads(restock("forecast", "evaluate", path, "--horizon", "7", "--season-length", "1", "--json").stdout)
    assert daily["benchmark"] != week["benchmark"]  # the benchmark repeats the last point, not the last week


def monthly_file(tmp_path: Path) -> str:
    """Five years of monthly sales with a yearly pattern, dated on the first of each month."""
    rng = np.random.default_rng(4)
    pattern = [7, 7, 8, 9, 10, 10, 9, 9, 10, 11, 16, 20]
    rows = ["unique_id,ds,y"]
    for i in range(2):
        for month in range(60):
            day = f"{2020 + month // 12}-{month % 12 + 1:02d}-01"
            rows.append(f"S{i},{day},{pattern[month % 12] * (10 + i) + int(rng.poisson(5))}")
    return write(tmp_path, "monthly.csv", "\n".join(rows) + "\n")


def test_monthly_dates_are_evaluated_with_a_season_of_twelve(restock: Any, tmp_path: Path) -> None:
    path = monthly_file(tmp_path)
    result = json.loads(restock("forecast", "evaluate", path, "--horizon", "12", "--json").stdout)
    assert (result["frequency"], result["season_length"]) == ("monthly", 12)
    assert result["overall"]["mase"] < 1  # the yearly pattern is caught
    told = json.loads(
        restock("forecast", "evaluate", path, "--horizon", "12", "--frequency", "quarterly", "--json").stdout
    )
    assert (told["frequency"], told["season_length"]) == ("quarterly", 4)  # a frequency given wins


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,ds,y\nA,1,2\n", "missing columns ['unique_id']"),
        ("unique_id,ds,y\n", "no rows"),
        ("unique_id,ds,y\nA,1,two\n", "line 2: y 'two' is not a number"),
        ("unique_id,ds,y\nA,1,2\nA,yesterday,3\n", "line 3: ds 'yesterday' is neither a date"),
        ("unique_id,ds,y\nA,1,2\nA,1,3\n", "line 3 repeats a unique_id and ds"),
        ("unique_id,ds,y\nA,1,2\nA,2,3\n", "series 'A' has 2 points: each series needs more than the horizon"),
        ("unique_id,ds,y\nA,2026-01-01,2\nA,2026-01-04,3\n", "the dates are 3 days apart"),
    ],
)
def test_a_malformed_series_file_is_refused_in_one_line(restock: Any, tmp_path: Path, text: str, message: str) -> None:
    result = restock("forecast", "evaluate", write(tmp_path, "bad.csv", text), "--json", ok=False)
    assert result.exit_code != 0
    assert result.stdout == ""
    assert message in " ".join(result.stderr.split())


def test_an_unknown_frequency_is_refused_naming_the_known_ones(restock: Any, tmp_path: Path) -> None:
    result = restock("forecast", "evaluate", series_file(tmp_path), "--frequency", "hourly", ok=False)
    assert result.exit_code != 0
    assert "daily, weekly, monthly, quarterly, yearly, got 'hourly'" in " ".join(result.stderr.split())


def test_a_missing_file_is_refused(restock: Any, tmp_path: Path) -> None:
    result = restock("forecast", "evaluate", str(tmp_path / "nope.csv"), ok=False)
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def setup_shop(restock: Any) -> None:
    restock("warehouse", "add", "W1")
    restock("channel", "add", "web", "--warehouses", "W1")
    restock("sku", "add", "MUG", "--price", "12.50")


def test_demand_import_reports_what_it_stored(restock: Any, tmp_path: Path) -> None:
    setup_shop(restock)
    path = write(tmp_path, "demand.csv", "sku,date,quantity\nMUG,2026-11-01,3\nMUG,2026-11-02,4\n")
    assert json.loads(restock("demand", "import", path, "--json").stdout) == {
        "rows": 2,
        "skus": 1,
        "first_day": "2026-11-01",
        "last_day": "2026-11-02",
        "units": 7,
    }
    assert "imported 2 rows" in restock("demand", "import", path).stdout


def test_demand_import_refuses_a_bad_file_whole(restock: Any, tmp_path: Path) -> None:
    setup_shop(restock)
    path = write(tmp_path, "demand.csv", "sku,date,quantity\nMUG,2026-11-01,3\nMUG,2026-13-01,4\n")
    result = restock("demand", "import", path, ok=False)
    assert result.exit_code == 1
    assert "line 3: not a date" in " ".join(result.stderr.split())
    unknown = write(tmp_path, "unknown.csv", "sku,date,quantity\nMUG,2026-11-01,3\nCUP,2026-11-01,4\n")
    assert "line 3: unknown SKU 'CUP'" in " ".join(restock("demand", "import", unknown, ok=False).stderr.split())
