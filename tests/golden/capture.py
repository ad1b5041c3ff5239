"""Everything a user or integrator sees, captured as text: the guard of "nothing changes for a user".

A refactoring must leave the OpenAPI document, the database schema, the CLI's output and JSON, the
outbox payloads (what webhooks carry) and the e-mails byte-for-byte as they were. This module runs a
fixed story through the real CLI on a fresh SQLite database and the demo, and returns named texts;
`tests/golden/test_user_facing_output_is_unchanged.py` compares them with `expected/`.

Only what differs between two honest runs is normalised: random order ids, API keys, secrets, link
tokens, MIME boundaries, Message-IDs, the real time of day.

After a deliberate change of what users see, write the expected files anew and review the diff:
    .venv/bin/python -m tests.golden.capture --write
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

EXPECTED = Path(__file__).parent / "expected"
TODAY = "2026-11-27"

_ID_PATTERNS: list[tuple[str, str]] = [
    (r"ord_[0-9a-f]{24}", "ord"),
    (r"shp_[0-9a-f]{24}", "shp"),
    (r"rk_[A-Za-z0-9_\-]+", "key"),
    (r"whsec_[A-Za-z0-9_\-]{16,}", "whsec"),
]
_FIXED_PATTERNS: list[tuple[str, str]] = [
    (r"(/links/[a-z-]+/)[A-Za-z0-9_.\-=]+", r"\1<token>"),
    (r"={10,}\d+={2}", "<boundary>"),
    (r"Message-ID: <[^>]+>", "Message-ID: <id>"),
    (r"^Date: .*$", "Date: <date>"),
    (r"(\d{4}-\d\d-\d\d)[T ]\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?", r"\1T<time>"),
    (r"(\d{4}-\d\d-\d\d) \d\d:\d\d\b", r"\1 <hh:mm>"),
    (r"/tmp/[A-Za-z0-9_]+/", "<tmp>/"),
    (r"\b[0-9a-f]{32}\b", "<hex32>"),
    (r"\d+\.\d+ ?s\b", "<seconds>"),
    (r"Date: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}", "Date: <date>"),  # in payloads
    (r"\d+:\d\d:\d\d\b", "<clock>"),
]


class Normaliser:
    """Replaces run-specific values by stable names (the n-th order id seen is always `ord#n`)."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def _name(self, kind: str, value: str) -> str:
        if value not in self.seen:
            self.seen[value] = f"<{kind}#{sum(1 for v in self.seen.values() if v.startswith(f'<{kind}#')) + 1}>"
        return self.seen[value]

    def __call__(self, text: str) -> str:
        for pattern, kind in _ID_PATTERNS:
            text = re.sub(pattern, lambda m, kind=kind: self._name(kind, m.group(0)), text)  # type: ignore[misc]
        for pattern, replacement in _FIXED_PATTERNS:
            text = re.sub(pattern, replacement, text, flags=re.MULTILINE)
        return text


@contextmanager
def _environment(folder: Path) -> Iterator[dict[str, str]]:
    env = {
        "RESTOCK_DATABASE_URL": f"sqlite:///{folder / 'restock.db'}",
        "RESTOCK_TODAY": TODAY,
        "RESTOCK_MAIL_DIR": str(folder / "mail"),
        "RESTOCK_SECRET_KEY": "golden-secret",
        "COLUMNS": "140",
        "TERM": "dumb",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with _steady_time_of_day():
            yield env
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


CLOCK_START = "12:00:00"
"""The time of day the captured story starts at, whatever the real one: with RESTOCK_TODAY the business clock is
the fixed date at the real time of day, and what is due (a "still waiting" update after 7 days, say) would
depend on the hour the capture runs."""
_CLOCK_USERS = ("restock.config", "restock.services.context", "restock.notify.worker", "restock.notify.webhook_lane")


@contextmanager
def _steady_time_of_day() -> Iterator[None]:
    """Real time, moved to start at TODAY's CLOCK_START: it still runs on (FIFO order, leases and backoff keep
    working), but the capture sees the same hours on every run."""
    import importlib
    import time as real_time
    from datetime import datetime, timedelta

    start = datetime.fromisoformat(f"{TODAY}T{CLOCK_START}")
    began = real_time.monotonic()

    def steady_now() -> datetime:
        return start + timedelta(seconds=real_time.monotonic() - began)

    modules = [importlib.import_module(name) for name in _CLOCK_USERS]
    saved = [module.utc_now for module in modules]
    for module in modules:
        module.utc_now = steady_now  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module, original in zip(modules, saved, strict=True):
            module.utc_now = original  # type: ignore[attr-defined]


def _runner() -> Callable[..., tuple[str, Any]]:
    from restock.cli import app

    runner = CliRunner()

    def run(*args: str) -> tuple[str, Any]:
        result = runner.invoke(app, list(args), env=dict(os.environ), terminal_width=140)
        out = result.stdout
        err = result.stderr if result.stderr_bytes is not None else ""
        text = f"$ restock {' '.join(args)}\n[exit {result.exit_code}]\n{out}"
        if err:
            text += f"[stderr]\n{err}"
        data = None
        if "--json" in args and result.exit_code == 0:
            try:
                data = json.loads(out)
            except ValueError:
                data = None
        return text, data

    return run


STORY: list[list[str]] = [
    ["init"],
    ["warehouse", "add", "W1", "--name", "Main warehouse"],
    ["warehouse", "add", "W2", "--name", "3PL East", "--json"],
    ["channel", "add", "web", "--warehouses", "W1,W2"],
    ["channel", "add", "market", "--warehouses", "W2", "--json"],
    ["supplier", "add", "ACME", "--lead-time-days", "14"],
    ["supplier", "add", "SLOW", "--lead-time-days", "40", "--json"],
    [
        "sku",
        "add",
        "MUG",
        "--name",
        "Stoneware mug",
        "--price",
        "12.50",
        "--backorder",
        "confirmed",
        "--max-wait-days",
        "30",
        "--backorder-limit",
        "100",
    ],
    ["sku", "add", "CUP", "--name", "Tea cup", "--price", "8", "--backorder", "always", "--json"],
    ["sku", "add", "BOWL", "--name", "Bowl", "--price", "20", "--backorder", "never"],
    ["sku", "add", "bad code!", "--name", "x", "--price", "1"],
    ["stock", "adjust", "MUG", "W1", "3", "--reason", "opening count"],
    ["stock", "adjust", "CUP", "W2", "1", "--reason", "opening count", "--json"],
    ["stock", "adjust", "BOWL", "W1", "2", "--reason", "opening count"],
    ["stock", "adjust", "MUG", "W1", "0", "--reason", "nothing"],
    ["stock", "adjust", "NOPE", "W1", "1", "--reason", "x"],
    ["po", "create", "ACME", "--warehouse", "W1", "--line", "MUG:10", "--line", "CUP:2", "--json"],
    ["po", "send", "1"],
    ["po", "confirm", "1", "--eta", "2026-12-05"],
    ["po", "confirm", "1", "--eta", "2026-11-01"],
    ["po", "list"],
    ["po", "list", "--status", "confirmed", "--json"],
    ["availability", "MUG", "--channel", "web", "--json"],
    ["availability", "MUG"],
    ["availability", "CUP", "--json"],
    ["availability", "BOWL", "--channel", "web"],
    ["subscribe", "BOWL", "--channel", "web", "--email", "cat@example.com"],
    ["availability", "BOWL", "--channel", "web"],
    [
        "order",
        "place",
        "--channel",
        "web",
        "--email",
        "ann@example.com",
        "--line",
        "MUG:5",
        "--idempotency-key",
        "checkout-42",
        "--json",
    ],
    [
        "order",
        "place",
        "--channel",
        "web",
        "--email",
        "ann@example.com",
        "--line",
        "MUG:5",
        "--idempotency-key",
        "checkout-42",
    ],
    ["order", "place", "--channel", "web", "--email", "bob@example.com", "--line", "CUP:5", "--json"],
    ["order", "place", "--channel", "web", "--email", "eve@example.com", "--line", "BOWL:3"],
    ["order", "place", "--channel", "web", "--email", "dan@example.com", "--line", "BOWL:2", "--json"],
    ["subscribe", "BOWL", "--channel", "web", "--email", "cat@example.com", "--json"],
    ["subscribe", "BOWL", "--channel", "market", "--email", "cat@example.com"],
    ["order", "place", "--channel", "web", "--email", "not-an-email", "--line", "MUG:1"],
    [
        "order",
        "place",
        "--channel",
        "market",
        "--email",
        "fay@example.com",
        "--line",
        "MUG:1",
        "--line",
        "CUP:1",
        "--json",
    ],
    ["backorders"],
    ["backorders", "--json"],
    ["po", "eta", "1", "2026-12-10"],
    ["po", "show", "1"],
    ["po", "show", "1", "--json"],
    ["backorders", "--json"],
    ["po", "receive", "1", "--line", "MUG:4", "--json"],
    ["order", "ship", "{order:0}"],
    ["order", "show", "{order:0}", "--json"],
    ["order", "cancel", "{order:1}", "--sku", "CUP", "--json"],
    ["order", "ship", "{order:2}", "--json"],
    ["po", "create", "SLOW", "--warehouse", "W2", "--line", "MUG:6", "--json"],
    ["po", "confirm", "2", "--eta", "2026-12-20", "--json"],
    ["po", "cancel", "1", "--json"],
    ["backorders", "--json"],
    ["stock", "transfer", "BOWL", "W1", "W2", "0"],
    ["stock", "adjust", "BOWL", "W1", "5", "--reason", "found", "--json"],
    ["stock", "show"],
    ["stock", "show", "MUG", "--json"],
    ["overview"],
    ["overview", "--channel", "web", "--json"],
    ["webhook", "list", "--json"],
    ["outbox", "--json"],
    ["worker", "--once"],
    ["outbox", "--dead"],
    ["supplier", "scorecard", "--json"],
    ["apikey", "create", "--role", "storefront", "--channel", "web", "--name", "web shop", "--json"],
    ["apikey", "list", "--json"],
]


def _story(run: Callable[..., tuple[str, Any]]) -> str:
    orders: list[str] = []
    texts = []
    for args in STORY:
        filled = [orders[int(a[7:-1])] if a.startswith("{order:") else a for a in args]
        text, data = run(*filled)
        if filled[:2] == ["order", "place"] and isinstance(data, dict) and data.get("id") not in orders:
            orders.append(data["id"])
        texts.append(text)
    return "\n".join(texts)


def _help_texts(run: Callable[..., tuple[str, Any]]) -> str:
    from restock.cli import app

    texts = [run("--help")[0]]
    import typer.main

    click_app = typer.main.get_command(app)
    for name, command in sorted(click_app.commands.items()):  # type: ignore[attr-defined]
        texts.append(run(name, "--help")[0])
        for sub in sorted(getattr(command, "commands", {})):
            texts.append(run(name, sub, "--help")[0])
    return "\n".join(texts)


def _emails(folder: Path, normalise: Normaliser) -> str:
    mails = sorted((folder / "mail").glob("*.eml"), key=lambda p: int(re.sub(r"\D", "", p.stem) or 0))
    return "\n\n======== next e-mail ========\n\n".join(normalise(p.read_text()) for p in mails)


def _outbox(folder: Path, normalise: Normaliser) -> str:
    with sqlite3.connect(folder / "restock.db") as db:
        rows = db.execute("SELECT id, topic, dedup_key, payload FROM outbox ORDER BY id").fetchall()
    lines = []
    for id_, topic, key, payload in rows:
        canonical = json.dumps(json.loads(payload), sort_keys=True, ensure_ascii=False)
        lines.append(normalise(f"{id_} {topic} {key} {canonical}"))
    return "\n".join(lines)


def _sqlite_schema(folder: Path) -> str:
    with sqlite3.connect(folder / "restock.db") as db:
        rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    return "\n".join(f"{t} {n} on {tbl}:\n{_constraints_sorted(sql)}\n" for t, n, tbl, sql in rows)


def _constraints_sorted(sql: str | None) -> str | None:
    """A table rebuilt by a migration (SQLite's batch mode) lists its constraints in no fixed order: sort them,
    so the snapshot shows what the schema is, not how it was reached."""
    if sql is None:
        return None
    lines = sql.splitlines()
    constraints = sorted(line.rstrip(", ") for line in lines if line.strip().startswith("CONSTRAINT"))
    if not constraints:
        return sql
    others = [line for line in lines if not line.strip().startswith("CONSTRAINT")]
    return "\n".join([*others[:-1], *constraints, others[-1]])


def _openapi() -> str:
    from restock.api.app import create_app
    from restock.config import Settings
    from restock.services.context import Context

    with tempfile.TemporaryDirectory() as tmp:
        settings = dataclasses.replace(Settings.from_env(), database_url=f"sqlite:///{tmp}/openapi.db")
        ctx = Context.from_settings(settings)
        try:
            return json.dumps(create_app(ctx).openapi(), indent=1, sort_keys=False, ensure_ascii=False)
        finally:
            ctx.engine.dispose()


def capture_story() -> dict[str, str]:
    """The README's tour and its edge cases through the CLI, then the worker's e-mails and the schema."""
    normalise = Normaliser()
    with tempfile.TemporaryDirectory() as tmp, _environment(Path(tmp)):
        folder = Path(tmp)
        run = _runner()
        story = _story(run)
        outbox = _outbox(folder, normalise)  # after the worker: delivered or not, the payloads are what counts
        return {
            "cli_story.txt": normalise(story),
            "cli_help.txt": normalise(_help_texts(run)),
            "outbox_story.txt": outbox,
            "emails_story.txt": _emails(folder, normalise),
            "schema_sqlite.txt": _sqlite_schema(folder),
            "openapi.json": _openapi(),
        }


def capture_demo() -> dict[str, str]:
    """The demo shop (seed 7): its summary, what it shows shoppers, its queue, plan, radar and e-mails."""
    normalise = Normaliser()
    with tempfile.TemporaryDirectory() as tmp, _environment(Path(tmp)):
        folder = Path(tmp)
        run = _runner()
        texts = [run(*args)[0] for args in DEMO]
        outbox = _outbox(folder, normalise)
        return {
            "cli_demo.txt": normalise("\n".join(texts)),
            "outbox_demo.txt": outbox,
            "emails_demo.txt": _emails(folder, normalise),
        }


DEMO: list[list[str]] = [
    ["init"],
    ["demo", "--seed", "7"],
    ["overview", "--json"],
    ["backorders", "--json"],
    ["po", "list", "--json"],
    ["availability", "HOM-001-CRM"],
    ["availability", "GRD-003-L", "--json"],
    ["supplier", "scorecard"],
    ["plan", "--json"],
    ["radar", "--json"],
    ["worker", "--once"],
]


def capture_all() -> dict[str, str]:
    return {**capture_story(), **capture_demo()}


def main() -> None:
    texts = capture_all()
    if "--write" in sys.argv:
        EXPECTED.mkdir(exist_ok=True)
        for name, text in texts.items():
            (EXPECTED / name).write_text(text)
        print(f"wrote {len(texts)} files to {EXPECTED}")
        return
    changed = [n for n, t in texts.items() if not (EXPECTED / n).exists() or (EXPECTED / n).read_text() != t]
    print("unchanged" if not changed else f"changed: {', '.join(changed)}")
    sys.exit(1 if changed else 0)


if __name__ == "__main__":
    main()
