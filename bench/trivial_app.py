"""The baseline of bench/api_availability.py: the least a FastAPI endpoint can do, served like restock's API.

One GET endpoint returning a small constant JSON document. It is a plain `def`, as restock's routes are, so
it pays the same hop to the thread pool; no database, no authentication, no middleware.

    .venv/bin/python -m uvicorn trivial_app:app --app-dir bench --workers 2 --port 8001
"""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI(title="trivial")

ANSWER = {"sku": "SKU-00000", "channel": "web", "state": "in_stock", "available_now": 1}


@app.get("/trivial")
def trivial() -> dict[str, object]:
    """A small constant document, about the size of an availability answer's first fields."""
    return ANSWER
