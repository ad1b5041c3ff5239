"""Fuzz every operation of the OpenAPI spec with schemathesis: no 5xx, no response that breaks its schema."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from restock.api.app import create_app
from restock.services import apikeys, stock
from restock.store.db import make_engine
from restock.store.migrate import upgrade
from tests.builders import confirmed_po, on_hand, standard_catalog
from tests.conftest import make_context


def _fuzzed_app(tmp: Path) -> tuple[object, str]:
    engine = make_engine(f"sqlite:///{tmp / 'fuzz.db'}")
    upgrade(engine)
    ctx = make_context(engine)
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 50)
    confirmed_po(ctx, "MUG", 20, eta_in_days=8)
    stock.adjust_stock(ctx, "MUG", "W2", 5, "opening count")
    return create_app(ctx), apikeys.create_key(ctx, "admin").key


_tmp = Path(__import__("tempfile").mkdtemp(prefix="restock-fuzz-"))
APP, ADMIN_KEY = _fuzzed_app(_tmp)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_with_a_server_error_or_breaks_its_schema(case: schemathesis.Case) -> None:
    # Business refusals of schema-valid requests (an unknown SKU, an order stock cannot cover, a reused
    # idempotency key) are right answers, so the positive-data check is the one left out.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        excluded_checks=[checks.positive_data_acceptance],
    )
