"""An API client per test, on SQLite and on PostgreSQL, with one key per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from fastapi.testclient import TestClient

from restock.api.app import create_app
from restock.services import apikeys
from restock.services.context import Context
from tests.builders import standard_catalog


@dataclass(frozen=True)
class Keys:
    admin: str
    warehouse: str
    web: str
    """A storefront key for the `web` channel."""
    market: str
    """A storefront key for the `market` channel."""


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def keys(ctx: Context) -> Keys:
    standard_catalog(ctx)
    return Keys(
        admin=apikeys.create_key(ctx, "admin").key,
        warehouse=apikeys.create_key(ctx, "warehouse").key,
        web=apikeys.create_key(ctx, "storefront", "web").key,
        market=apikeys.create_key(ctx, "storefront", "market").key,
    )


@pytest.fixture
def client(ctx: Context, keys: Keys) -> Iterator[TestClient]:
    """Tests change stock through the services, behind the API's back: answers are not cached here
    (tests/api/test_availability_answers.py covers the cache)."""
    app = create_app(replace(ctx, settings=replace(ctx.settings, availability_cache_seconds=0)))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
