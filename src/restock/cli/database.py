"""`restock init` and `restock demo`: the two commands that make a database ready to use."""

from __future__ import annotations

from typing import Annotated

import typer

from restock.cli.shared import context, out, user_errors


def init() -> None:
    """Create or upgrade the database (Alembic migrations)."""
    from restock.store.migrate import upgrade

    ctx = context()
    with user_errors():
        upgrade(ctx.engine)
    out.print(f"database ready: {ctx.engine.url.render_as_string(hide_password=True)}")


def demo(
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 7,
    skus: Annotated[int, typer.Option(help="How many SKUs to create.", min=200, max=20000)] = 240,
) -> None:
    """Fill the database with a realistic, deterministic demo data set."""
    from restock.demo import load_demo

    ctx = context()
    with user_errors():
        summary = load_demo(ctx, seed=seed, sku_count=skus)
    out.print(summary)
