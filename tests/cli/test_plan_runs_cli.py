"""`restock plan --csv`, `--record`, `restock plan runs` and `restock plan compare` as a script uses them."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

from restock.services.planning_views import PLAN_CSV_COLUMNS
from tests.cli.test_cli import as_json
from tests.cli.test_planning_cli import history


def test_the_plan_is_written_as_csv_most_urgent_first_with_the_json_figures(restock: Any, tmp_path: Path) -> None:
    history(restock, os.environ["RESTOCK_DATABASE_URL"])
    [mug] = as_json(restock("plan", "--json"))["suggestions"]
    target = tmp_path / "plan.csv"
    written = restock("plan", "--csv", str(target))
    assert written.stdout.strip() == f"wrote 1 suggestion to {target}"
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert list(rows[0]) == list(PLAN_CSV_COLUMNS)
    assert (rows[0]["sku"], int(rows[0]["quantity"]), rows[0]["value"]) == (
        "MUG",
        mug["quantity"],
        f"{mug['value']:.2f}",
    )
    assert rows[0]["explanation"] == mug["explanation"]
    assert restock("plan", "--csv", "-").stdout == target.read_text(encoding="utf-8")
    refused = restock("plan", "--csv", "-", "--json", ok=False)
    assert refused.exit_code == 2
    assert "choose one" in refused.stderr


def test_recorded_runs_are_listed_and_compared(restock: Any) -> None:
    history(restock, os.environ["RESTOCK_DATABASE_URL"])
    assert "no plan run stored yet" in restock("plan", "runs").stdout
    first = restock("plan", "--record")
    assert "stored as plan run 1" in first.stdout
    assert "per supplier" in first.stdout
    alone = restock("plan", "compare", ok=False)
    assert alone.exit_code == 1
    assert "plan run 1 is the first one stored" in alone.stderr
    second = as_json(restock("plan", "--record", "--json"))["run"]
    assert (second["id"], second["source"], second["lines"]) == (2, "manual", 1)
    runs = as_json(restock("plan", "runs", "--json"))
    assert [r["id"] for r in runs] == [2, 1]
    assert [r["id"] for r in as_json(restock("plan", "runs", "--limit", "1", "--json"))] == [2]
    compared = as_json(restock("plan", "compare", "--json"))
    assert (compared["run"]["id"], compared["before"]["id"], compared["unchanged"]) == (2, 1, 1)
    assert (compared["new"], compared["dropped"], compared["changed"]) == ([], [], [])
    assert "0 new, 0 dropped, 0 changed, 1 unchanged" in restock("plan", "compare", "1", "--with", "2").stdout
    missing = restock("plan", "compare", "9", ok=False)
    assert missing.exit_code == 1
    assert "no plan run 9" in missing.stderr
    assert restock("plan", "compare", "0", ok=False).exit_code == 2


def test_a_recorded_run_keeps_the_drafts_it_made_also_with_an_idempotency_key(restock: Any) -> None:
    history(restock, os.environ["RESTOCK_DATABASE_URL"])
    made = as_json(restock("plan", "--create-pos", "--record", "--json"))
    assert made["run"]["drafts"] == [po["id"] for po in made["purchase_orders"]] != []
    keyed = ("plan", "--create-pos", "--record", "--idempotency-key", "k1", "--json")
    once = as_json(restock(*keyed))
    assert as_json(restock(*keyed)) == once  # the same key: nothing more made or stored
    assert once["run"]["drafts"] == [po["id"] for po in once["purchase_orders"]]
    assert [r["id"] for r in as_json(restock("plan", "runs", "--json"))] == [once["run"]["id"], made["run"]["id"]]
