"""Outbox events are types: each topic has one class, stored as the JSON it always was, and read back whole."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from restock.domain.events import (
    EVENT_TYPES,
    AvailabilityChanged,
    BackorderDelayed,
    BackorderFilled,
    BackorderStillWaiting,
    BackorderUnpromised,
    Event,
    LineSnapshot,
    OrderCancelled,
    OrderPlaced,
    OrderShipped,
    PlanRunRecorded,
    POCancelled,
    RestockAlertDue,
    ShipmentSnapshot,
    ShippedLine,
    Topic,
    delay_notice_type,
)
from restock.domain.model import AvailabilityState, LineStatus, OrderStatus, Reason, ShipWindow
from restock.store.outbox import event_of, event_row, is_event, payload_of

NOW = datetime(2026, 12, 1, 9, 30, 15, 123456)
WINDOW = ShipWindow(date(2026, 12, 4), date(2026, 12, 7))
LINE = LineSnapshot(
    sku="A-1",
    quantity=5,
    allocated=2,
    backordered=3,
    status=LineStatus.BACKORDERED,
    ship_window=WINDOW,
    delayed=False,
)
ORDER = {
    "id": "o1",
    "email": "a@example.com",
    "status": OrderStatus.OPEN,
    "channel": "web",
    "placed_at": NOW,
    "lines": (LINE,),
}
DELAY = {
    "order": "o1",
    "line": 7,
    "email": "a@example.com",
    "channel": "web",
    "sku": "A-1",
    "quantity": 3,
    "old_window": WINDOW,
    "first_promised_latest": date(2026, 12, 7),
    "part": 9,
    "notice": "abc",
}
EVENTS: list[Event] = [
    OrderPlaced(**ORDER),
    OrderShipped(
        **ORDER,
        lines_ended=(3, 4),
        shipments=(
            ShipmentSnapshot(
                id="shp_1",
                warehouse="W1",
                carrier="DHL",
                tracking_number="JD0001",
                tracking_url=None,
                shipped_at=NOW,
                lines=(ShippedLine(sku="A-1", quantity=2),),
            ),
        ),
    ),
    OrderCancelled(**ORDER, lines_ended=(5,)),
    BackorderFilled(order="o1", line=7, sku="A-1", quantity=2, warehouse="W1", part=9),
    BackorderDelayed(**DELAY, new_window=ShipWindow(date(2026, 12, 9), date(2026, 12, 12))),
    BackorderUnpromised(**DELAY, new_window=None),
    BackorderStillWaiting(
        order="o1",
        line=7,
        email="a@example.com",
        sku="A-1",
        quantity=3,
        placed_at=NOW,
        ship_window=None,
        on=date(2026, 12, 1),
    ),
    AvailabilityChanged(
        sku="A-1",
        channel="web",
        old_state=AvailabilityState.OUT_OF_STOCK,
        new_state=AvailabilityState.IN_STOCK,
        available_now=4,
        backorderable=0,
        ship_window=None,
        reason=Reason.ON_HAND,
        notice="def",
    ),
    RestockAlertDue(sku="A-1", channel="web", at=NOW),
    POCancelled(po=3, repegged_parts=2),
    PlanRunRecorded(run=4, to="buyer@example.com"),
]


def _without_key(event: Event) -> Event:
    return event_of(event.topic, json.loads(event_row(event, NOW)["payload"]))


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.topic)
def test_an_event_read_back_from_its_message_is_the_same_event_but_for_its_key(event: Event) -> None:
    back = _without_key(event)
    assert type(back) is type(event)
    assert payload_of(back) == payload_of(event)
    key_fields = {k: None for k in ("part", "notice", "on", "at") if k in vars(event)}
    assert back == type(event)(**{**vars(event), **key_fields})


def test_every_event_topic_has_its_class_and_the_deliveries_have_none() -> None:
    assert {e.topic for e in EVENTS} == set(EVENT_TYPES) == set(Topic) - {Topic.EMAIL, Topic.WEBHOOK}
    assert not is_event(Topic.EMAIL)
    assert not is_event(Topic.WEBHOOK)


def test_the_order_placed_payload_is_the_order_as_the_api_shows_it_with_the_email() -> None:
    assert payload_of(EVENTS[0]) == {
        "id": "o1",
        "email": "a@example.com",
        "status": "open",
        "channel": "web",
        "placed_at": "2026-12-01T09:30:15.123456Z",
        "lines": [
            {
                "sku": "A-1",
                "quantity": 5,
                "allocated": 2,
                "backordered": 3,
                "status": "backordered",
                "ship_window": {"earliest": "2026-12-04", "latest": "2026-12-07"},
                "delayed": False,
                "shipped": 0,
                "preorder": False,
            }
        ],
        "external_ref": None,
        "customer_name": None,
        "shipping_policy": "as_available",
    }


def test_a_shipped_message_is_keyed_by_its_shipments_each_of_which_ships_once() -> None:
    row = event_row(EVENTS[1], NOW)
    assert row["dedup_key"] == "order_shipped:o1:shp_1"
    assert json.loads(row["payload"])["shipments"][0]["lines"] == [{"sku": "A-1", "quantity": 2}]


def test_a_filled_backorder_is_the_message_the_fill_always_wrote() -> None:
    row = event_row(EVENTS[3], NOW)
    assert (row["topic"], row["dedup_key"]) == ("backorder_filled", "backorder_filled:9")
    assert json.loads(row["payload"]) == {
        "order": "o1",
        "line": 7,
        "sku": "A-1",
        "quantity": 2,
        "warehouse": "W1",
        "external_ref": None,
    }


def test_each_event_knows_its_deduplication_key() -> None:
    assert [e.dedup_key for e in EVENTS] == [
        "order_placed:o1",
        "order_shipped:o1:shp_1",
        "order_cancelled:o1:5",
        "backorder_filled:9",
        "backorder_delayed:9:abc",
        "backorder_unpromised:9:abc",
        "backorder_still_waiting:7:2026-12-01",
        "availability_changed:A-1:web:def",
        "restock_alert_due:A-1:web:2026-12-01T09:30:15.123456",
        "po_cancelled:3",
        "plan_run_recorded:4",
    ]


def test_an_event_read_back_has_no_key_of_its_own() -> None:
    with pytest.raises(ValueError, match="dedup_key"):
        _ = _without_key(EVENTS[3]).dedup_key


def test_a_delay_without_a_new_window_is_an_unpromised_backorder() -> None:
    assert delay_notice_type(WINDOW) is BackorderDelayed
    assert delay_notice_type(None) is BackorderUnpromised
