"""`restock import KIND FILE` and `restock export KIND`: CSV in and out, in the same shapes (see the README)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from restock.cli.once import IdempotencyKey, Printed, run_changing
from restock.cli.shared import JsonFlag, context, err, fail, out, progress_bar, read_text_file, user_errors
from restock.domain.imports import ExportKind, ImportKind, ImportRefused
from restock.services import exports, imports
from restock.services.context import Context


def import_file(
    kind: Annotated[ImportKind, typer.Argument(help="What the file holds.")],
    file: Annotated[str, typer.Argument(help="The CSV file, with its header row.")],
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Import SKUs, a stock count or purchase orders: the whole file or nothing (every error is listed)."""
    text = read_text_file(file)

    def work(ctx: Context) -> Printed:
        try:
            with progress_bar(f"importing {kind}") as report:
                result = imports.import_csv(ctx, kind, text, report)
        except ImportRefused as refused:
            _refused(refused)
        return Printed(_summary(result), result.to_json())

    digest = hashlib.sha256(text.encode()).hexdigest()
    run_changing(idempotency_key, as_json, ("import", kind.value, digest), work)


def _refused(refused: ImportRefused) -> NoReturn:
    """One line per error on stderr, then the verdict; exit 1 (nothing was imported)."""
    for error in refused.errors:
        err.print(error.text(), highlight=False, soft_wrap=True, markup=False)
    fail(str(refused))


def _summary(result: imports.ImportOut) -> str:
    moved = f", {result.movements} stock movements written" if result.kind == ImportKind.STOCK else ""
    return (
        f"imported {result.kind}: {result.rows} row{'' if result.rows == 1 else 's'}; "
        f"{result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged{moved}"
    )


def export_file(
    kind: Annotated[ExportKind, typer.Argument(help="What to export.")],
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write to this file, not to stdout.")] = None,
) -> None:
    """Export SKUs, stock, orders or purchase orders as CSV; all but orders in the shapes `restock import` reads."""
    with user_errors():
        text = exports.export_csv(context(), kind)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        fail(f"cannot write {output}: {error}", 2)
    rows = text.count("\n") - 1
    out.print(f"wrote {rows} {kind} rows to {output}", highlight=False)
