"""The `restock` fixture every CLI test uses: the command run in-process on a fresh SQLite database."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from restock.cli import app


@pytest.fixture
def restock(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run `restock ...` in-process against a fresh SQLite database on a fixed business date."""
    db = tmp_path / "restock.db"
    shutil.copy(sqlite_template, db)
    monkeypatch.setenv("RESTOCK_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("RESTOCK_TODAY", "2026-11-27")
    runner = CliRunner()

    def run(*args: str, ok: bool = True) -> Any:
        result = runner.invoke(app, list(args))
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return run
