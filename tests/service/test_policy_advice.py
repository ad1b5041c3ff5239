"""The backorder policy advice on a history built through the services, on both databases.

LAMP (20.00, ACME's unit cost 12.00, policy confirmed within 30 days). 40 days ago two POs of 6 from ACME are
confirmed, due in 1 and in 12 days; two orders of 6 are placed that day: the first is pegged to the early PO and
promised by day -33 (ETA + 2 days' handling + the default 4 days' slack: a wait of 7 days), the second to the late
one, promised by day -22 (a wait of 18 days). Its customer cancels 5 of the 6 on day -35.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from restock.domain.cancelling import CancelledBy
from restock.domain.errors import NotFound
from restock.services import catalog, orders, purchasing, terms
from restock.services.advice import advise_backorder_policies
from restock.services.context import Context
from tests.builders import confirmed_po, on_day, order, standard_catalog
from tests.conftest import TODAY


def on(ctx: Context, n: int) -> Context:
    return on_day(ctx, TODAY - timedelta(days=n))


def lamp_history(ctx: Context) -> None:
    standard_catalog(ctx)
    catalog.add_sku(ctx, "LAMP", "Lamp", "20.00", "confirmed", 30)
    terms.set_supplier_terms(ctx, "ACME", "LAMP", unit_cost="12.00")
    early = confirmed_po(on(ctx, 40), "LAMP", 6, eta_in_days=1)
    late = confirmed_po(on(ctx, 40), "LAMP", 6, eta_in_days=12)
    order(on(ctx, 40), "LAMP", 6, email="soon@example.com")
    waiting = order(on(ctx, 40), "LAMP", 6, email="later@example.com")
    orders.cancel_line(on(ctx, 35), waiting.id, "LAMP", 5, by=CancelledBy.CUSTOMER)
    purchasing.receive_po(on(ctx, 39), early, [("LAMP", 6)])
    purchasing.receive_po(on(ctx, 28), late, [("LAMP", 6)])


def test_customers_who_drop_long_waits_limit_the_wait_to_what_they_keep(ctx: Context) -> None:
    lamp_history(ctx)
    [lamp] = advise_backorder_policies(ctx, "LAMP")
    waits = [(w.wait, w.backordered_units, w.cancelled_units) for w in lamp.measures.waits]
    assert waits == [("0-7", 6, 0), ("15-21", 6, 5)]
    # ACME has 2 POs measured, fewer than 3: a promise is assumed to break 1 time in 10. At 0-7 days a backorder is
    # worth 8.00 - 20.00 x 0.5 x 0.1 = 7.00 (x 6 = 42); at 15-21 days, 8.00 x 1/6 - 20.00 x (0.3 x 5/6 + 0.05) =
    # -4.67 (x 6 = -28): 42 alone is the best the waits add up to, so the wait stops at 7 days.
    assert lamp.measures.broken_chance is None
    assert (lamp.policy, lamp.max_wait_days, lamp.changes) == ("confirmed", 7, True)
    assert lamp.command == "restock sku set LAMP --backorder confirmed --max-wait 7"
    assert lamp.why.startswith("customers cancel 83% of backorders promised more than 7 days (0% up to 7)")
    # refusing the 15-21 day backorders: 1 kept sale lost, 5 cancellations and 0.1 broken promise saved
    expects = lamp.expects
    assert (expects.kept_sales, expects.cancellations, expects.broken_promises) == (-1, -5, -0.1)
    assert expects.net_value == pytest.approx(-8 + 20 * (0.3 * 5 + 0.5 * 0.1))


def test_advice_for_every_sku_lists_changes_first_and_refuses_an_unknown_sku(ctx: Context) -> None:
    lamp_history(ctx)
    advised = advise_backorder_policies(ctx)
    assert [(a.sku, a.changes) for a in advised] == [("LAMP", True), ("MUG", False)]
    mug = advised[1]
    assert mug.why.startswith("no unit cost recorded")  # MUG has no supplier terms: its margin is unknown
    assert mug.command is None
    with pytest.raises(NotFound, match="unknown SKU 'NOPE'"):
        advise_backorder_policies(ctx, "NOPE")
