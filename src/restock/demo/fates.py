"""Suppliers' fates: for every day the buyer may order, when that PO would be confirmed, slip and arrive.

They are drawn before the simulation, from their own stream, so that how a supplier behaves does not
depend on what the buyer ordered; `po_state` then tells what the database knows of a fate today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from random import Random

from restock.demo.cast import SUPPLIERS, WAREHOUSES, SupplierSpec
from restock.demo.timeline import HISTORY_DAYS, Calendar
from restock.domain.model import POStatus


@dataclass(frozen=True)
class PoFate:
    """What will happen to a PO the buyer places with a supplier for a warehouse on a given day."""

    supplier: int
    warehouse: int
    created_at: datetime
    sent_at: datetime
    confirmed_at: datetime
    first_eta: date
    slips: tuple[tuple[datetime, date], ...]
    """(announced at, new ETA), in order."""
    received_at: datetime

    def arrives_on(self, calendar: Calendar) -> int:
        return calendar.day_of(self.received_at.date())


@dataclass(frozen=True)
class Fates:
    all: tuple[PoFate, ...]
    by_day: dict[tuple[int, int, int], int]
    """(supplier, warehouse, day) -> index into `all`, for the buyer's ordering days."""

    def on(self, supplier: int, warehouse: int, day: int) -> int | None:
        return self.by_day.get((supplier, warehouse, day))


def _ordering_days(calendar: Calendar, spec: SupplierSpec) -> list[int]:
    return [
        day
        for day in range(HISTORY_DAYS)
        if calendar.date_of(day).weekday() in spec.order_weekdays
        and calendar.date_of(day).isocalendar().week % spec.every_weeks == 0
    ]


def _slips(rng: Random, spec: SupplierSpec, confirmed: date, eta: date) -> tuple[tuple[datetime, date], ...]:
    """ETA moves announced by the supplier, each before the ETA it replaces."""
    if rng.random() >= spec.slip_share:
        return ()
    slips: list[tuple[datetime, date]] = []
    announced = confirmed
    for _ in range(rng.choice((1, 1, 2))):
        if (eta - announced).days < 2:
            break
        announced = announced + timedelta(days=rng.randint(1, (eta - announced).days - 1))
        eta = eta + timedelta(days=rng.randint(*spec.slip_days))
        slips.append((datetime.combine(announced, time(rng.randint(9, 16), rng.randint(0, 59))), eta))
    return tuple(slips)


def _fate(rng: Random, calendar: Calendar, supplier: int, warehouse: int, day: int) -> PoFate:
    spec = SUPPLIERS[supplier]
    created = calendar.at(day, time(10, 0)) + timedelta(minutes=rng.randint(0, 90))
    sent = created + timedelta(minutes=rng.randint(2, 40))
    confirm_after = rng.randint(*spec.confirm_after_days)
    confirmed = (
        sent + timedelta(hours=rng.randint(1, 3))
        if confirm_after == 0
        else datetime.combine(sent.date() + timedelta(days=confirm_after), time(rng.randint(9, 16), rng.randint(0, 59)))
    )
    first_eta = max(created.date() + timedelta(days=spec.lead_time_days + rng.choice((-1, 0, 0, 1))), confirmed.date())
    first_eta += timedelta(days=1) if first_eta == confirmed.date() else timedelta()
    slips = _slips(rng, spec, confirmed.date(), first_eta)
    arrival = slips[-1][1] if slips else first_eta
    if rng.random() < spec.silent_delay_share:
        arrival += timedelta(days=rng.randint(1, 6))
    elif rng.random() < spec.early_share and arrival - timedelta(days=1) > confirmed.date():
        arrival -= timedelta(days=1)
    received = datetime.combine(arrival, time(rng.randint(7, 11), rng.randint(0, 59)))
    return PoFate(supplier, warehouse, created, sent, confirmed, first_eta, slips, received)


def plan_fates(rng: Random, calendar: Calendar) -> Fates:
    """A fate for every day the buyer may order from each supplier for each warehouse; used only if ordered."""
    fates: list[PoFate] = []
    by_day: dict[tuple[int, int, int], int] = {}
    for supplier, spec in enumerate(SUPPLIERS):
        for day in _ordering_days(calendar, spec):
            for warehouse in range(len(WAREHOUSES)):
                by_day[(supplier, warehouse, day)] = len(fates)
                fates.append(_fate(rng, calendar, supplier, warehouse, day))
    return Fates(tuple(fates), by_day)


@dataclass(frozen=True)
class PoState:
    """A simulated PO as the database sees it today: received, or still open with what is known so far."""

    status: POStatus
    eta: date | None
    first_eta: date | None
    confirmed_at: datetime | None
    received_at: datetime | None
    eta_history: tuple[tuple[date | None, date, datetime], ...]


def po_state(fate: PoFate, calendar: Calendar) -> PoState:
    now = datetime.combine(calendar.today, time(0, 0))
    if fate.confirmed_at >= now:
        return PoState(POStatus.SENT, None, None, None, None, ())
    history: list[tuple[date | None, date, datetime]] = [(None, fate.first_eta, fate.confirmed_at)]
    for announced_at, new_eta in fate.slips:
        if announced_at < now:
            history.append((history[-1][1], new_eta, announced_at))
    received = fate.received_at if fate.received_at < now else None
    status = POStatus.RECEIVED if received else POStatus.CONFIRMED
    return PoState(status, history[-1][1], fate.first_eta, fate.confirmed_at, received, tuple(history))
