"""What every command shares: the consoles, the option types, reading the settings, and turning the errors a
user can cause into one readable line, so that each command module only parses, calls a use case and prints."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from restock.config import DEFAULT_DATABASE_URL, Settings
from restock.database_errors import ADVICE, first_line, shown_url, trouble_of
from restock.domain.errors import OrderRefused, RestockError
from restock.services.context import Context

out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
Lines = Annotated[list[str], typer.Option("--line", help="SKU:QTY, repeat for more lines.")]
NJobs = Annotated[int, typer.Option("--n-jobs", help="Processes statsforecast may use.", min=1, max=64)]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one red line on stderr and exit: stdout stays clean for whoever parses it."""
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def context() -> Context:
    """The use cases' context from the environment; bad settings are a usage error (exit 2), not a traceback."""
    try:
        return Context.from_settings(Settings.from_env())
    except ValueError as error:
        fail(str(error), 2)


def _refusal(refused: OrderRefused) -> str:
    """Every short line of a refused order, so the user sees all that is missing at once."""
    lines = "\n".join(
        f"  {s.sku}: requested {s.requested}, in stock {s.available_now}, backorderable {s.backorderable} ({s.reason})"
        for s in refused.short_lines
    )
    return f"order refused, not enough supply for:\n{lines}"


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can cause into one readable line and a non-zero exit; nothing was changed."""
    try:
        yield
    except OrderRefused as refused:
        fail(_refusal(refused))
    except RestockError as error:
        fail(str(error))
    except SQLAlchemyError as error:
        fail(database_message(error), 3)


def database_message(error: SQLAlchemyError) -> str:
    """The real cause, named: not initialised, unreachable, busy, full, read-only; or the driver's own words."""
    trouble = trouble_of(error)
    if trouble is None:
        return f"database error: {error.__class__.__name__}: {first_line(error)}"
    url = shown_url(os.environ.get("RESTOCK_DATABASE_URL") or DEFAULT_DATABASE_URL)
    return f"the database at {url} {trouble.value}: {first_line(error)} ({ADVICE[trouble]})"


def emit_json(data: Any) -> None:
    """JSON on stdout, written directly (not through Rich) so that nothing wraps or colours it."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def parse_lines(raw: list[str]) -> list[tuple[str, int]]:
    """`--line SKU:QTY` options as pairs; the SKU is split at the last colon, so a code may contain one."""
    parsed = []
    for item in raw:
        sku, sep, qty = item.rpartition(":")
        if not sep or not sku:
            fail(f"a line must look like SKU:QTY, got {item!r}", 2)
        try:
            parsed.append((sku, int(qty)))
        except ValueError:
            fail(f"the quantity in {item!r} is not a whole number", 2)
    return parsed


def parse_date(raw: str) -> date:
    """An ISO date from the command line, refused as a usage error before anything is touched."""
    try:
        return date.fromisoformat(raw)
    except ValueError:
        fail(f"not a date (YYYY-MM-DD): {raw!r}", 2)


def done(message: str, as_json: bool, data: Any) -> None:
    """The end of a command that changed one thing: a sentence for people, or the thing as JSON."""
    if as_json:
        emit_json(data)
    else:
        out.print(message, highlight=False)


def read_text_file(path: str) -> str:
    """A file the user named, read whole; a missing or unreadable one is a usage error, not a traceback."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        fail(f"no such file: {path}", 2)
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {path}: {error}", 2)


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None] | None]:
    """A Rich progress bar on stderr (stdout stays clean for --json), fed as (done, total); none when
    stderr is not a terminal, so logs and pipes get only the result and the errors."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if not err.is_terminal:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield report
