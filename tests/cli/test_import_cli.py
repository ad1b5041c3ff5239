"""`restock import` and `restock export`: CSV files in and out, every error on its own line, a key for retries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SKUS = "code,name,price,backorder_policy\nMUG,Mug,12.50,confirmed\nCUP,Cup,3.50,always\n"


def setup_shop(restock: Any) -> None:
    restock("warehouse", "add", "W1")
    restock("channel", "add", "web", "--warehouses", "W1")
    restock("supplier", "add", "ACME", "--lead-time-days", "14")


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_an_import_prints_what_it_did_and_an_export_writes_the_same_shape(restock: Any, tmp_path: Path) -> None:
    setup_shop(restock)
    result = restock("import", "skus", write(tmp_path, "skus.csv", SKUS))
    assert "imported skus: 2 rows; 2 created, 0 updated, 0 unchanged" in result.stdout
    counted = restock("import", "stock", write(tmp_path, "count.csv", "sku,warehouse,counted\nMUG,W1,7\n"))
    assert "1 updated, 0 unchanged, 1 stock movements written" in counted.stdout
    exported = restock("export", "stock")
    assert exported.stdout == "sku,warehouse,counted\nMUG,W1,7\n"
    target = tmp_path / "out.csv"
    written = restock("export", "skus", "--output", str(target))
    assert f"wrote 2 skus rows to {target}" in written.stdout
    assert target.read_text(encoding="utf-8").splitlines()[1] == "CUP,Cup,3.50,always,30,100,,"
    again = json.loads(restock("import", "skus", str(target), "--json").stdout)
    assert again == {"kind": "skus", "rows": 2, "created": 0, "updated": 0, "unchanged": 2, "movements": 0}


def test_a_bad_file_prints_one_line_per_error_exits_non_zero_and_imports_nothing(restock: Any, tmp_path: Path) -> None:
    setup_shop(restock)
    bad = write(tmp_path, "bad.csv", "code,name,price\nMUG,Mug,12.50\nC U P,Cup,1\nPLATE,Plate,cheap\n")
    result = restock("import", "skus", bad, ok=False)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("line 3, column code: invalid SKU code 'C U P'")
    assert lines[1] == "line 4, column price: invalid price 'cheap'"
    assert lines[2] == "error: the file has 2 errors; nothing was imported"
    assert result.stdout == ""
    assert restock("export", "skus").stdout.count("\n") == 1  # the header only: MUG was not imported either


def test_the_same_idempotency_key_imports_once(restock: Any, tmp_path: Path) -> None:
    setup_shop(restock)
    restock("import", "skus", write(tmp_path, "skus.csv", SKUS))
    count = write(tmp_path, "count.csv", "sku,warehouse,counted\nMUG,W1,5\n")
    first = restock("import", "stock", count, "--idempotency-key", "count-1", "--json")
    restock("stock", "adjust", "MUG", "W1", "-2", "--reason", "damage")
    again = restock("import", "stock", count, "--idempotency-key", "count-1", "--json")
    assert json.loads(again.stdout) == json.loads(first.stdout)
    assert restock("export", "stock").stdout == "sku,warehouse,counted\nMUG,W1,3\n"  # not counted again


def test_a_missing_file_is_a_usage_error(restock: Any, tmp_path: Path) -> None:
    result = restock("import", "stock", str(tmp_path / "nope.csv"), ok=False)
    assert result.exit_code == 2
    assert "no such file" in result.stderr
