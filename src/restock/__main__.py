"""`python -m restock` is the `restock` command."""

from restock.cli import app

app()
