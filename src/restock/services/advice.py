"""Backorder or out of stock, per SKU: what restock measured (the KPIs' facts and the suppliers' lateness), read in
one read-only transaction, judged by `restock.planning.advice`. It only recommends: the merchant applies an advice
with the `restock sku set` command it prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import Field
from sqlalchemy.orm import Session

from restock.domain.model import BackorderPolicy, BackorderPolicyName
from restock.domain.promise import MIN_SLIPS_FOR_MEASURED_LATENESS
from restock.planning.advice import (
    Advice,
    SkuMeasures,
    WaitRecord,
    advise_backorder_policy,
    broken_promise_chance,
)
from restock.planning.kpi import UNDATED, WAIT_BUCKETS, bucket_label, cancellation_by_wait, lost_demand, sales_frequency
from restock.services.context import Context, use_case
from restock.services.kpis import DEFAULT_KPI_DAYS, KpiQuery, load_kpi_facts
from restock.services.views import ReadModel
from restock.store import kpis as store
from restock.store.planning import supplier_terms
from restock.store.reliability import supplier_lateness

ADVICE_DAYS = DEFAULT_KPI_DAYS
"""The days of history an advice is drawn from (and its expectations are for)."""


class WaitOut(ReadModel):
    wait: str = Field(description="Days from the order to the latest ship date promised then ('undated': none).")
    backordered_units: int
    cancelled_units: int


class MeasuresOut(ReadModel):
    price: float
    unit_cost: float | None = Field(description="The lowest among its suppliers' terms.")
    margin: float | None
    days: int = Field(description="Days of history measured.")
    selling_days: int = Field(description="Days with at least one unit ordered.")
    demand: float = Field(description="Censor-corrected demand over those days, in units.")
    lost_units: float = Field(description="Estimated demand lost on out-of-stock days.")
    broken_chance: float | None = Field(
        description="Share of its suppliers' POs later than their ship windows allow; null: fewer than 3 measured."
    )
    replenish_days: int | None = Field(description="Quickest supplier's lead time + window slack + handling.")
    waits: list[WaitOut]


class ExpectedOut(ReadModel):
    """Over as many days as were measured, against the policy as it is."""

    kept_sales: float = Field(description="Backordered units sold and not cancelled.")
    cancellations: float
    broken_promises: float = Field(description="Backordered units shipped later than promised.")
    net_value: float = Field(description="kept sales x margin - the costs the rule gives cancellations and lateness.")
    up_to: bool = Field(description="Nobody was measured cancelling: the gain is at most this.")


class PolicyAdviceOut(ReadModel):
    sku: str
    policy_now: BackorderPolicyName
    max_wait_days_now: int
    policy: BackorderPolicyName
    max_wait_days: int
    changes: bool
    why: str
    expects: ExpectedOut
    command: str | None = Field(description="The command that applies the advice; null: nothing to change.")
    measures: MeasuresOut


@dataclass(frozen=True)
class _Suppliers:
    """What the suppliers of each SKU tell: per SKU, the (days late, window slack) of each of its suppliers' POs
    measured, and the days each would take to deliver a backorder from a new PO."""

    lateness: dict[str, list[tuple[int, int]]]
    replenish_days: dict[str, list[int]]


def _suppliers(session: Session, ctx: Context) -> _Suppliers:
    default = ctx.settings.default_lateness_days
    slack, code = {}, {}
    for row in store.supplier_allowances(session).to_dict("records"):
        late = row["lateness_p90_days"]
        slack[str(row["supplier"])] = default if late is None or pd.isna(late) else int(late)
        code[int(row["supplier_id"])] = str(row["supplier"])
    observed = {code[sid]: lates for sid, lates in supplier_lateness(session, ctx.clock.today()).items()}
    lateness: dict[str, list[tuple[int, int]]] = {}
    replenish: dict[str, list[int]] = {}
    for term in supplier_terms(session).to_dict("records"):
        sku, supplier = str(term["sku"]), str(term["supplier"])
        lateness.setdefault(sku, []).extend((late, slack[supplier]) for late in observed.get(supplier, []))
        days = int(term["quoted_lead_time"]) + slack[supplier] + ctx.settings.handling_days
        replenish.setdefault(sku, []).append(days)
    return _Suppliers(lateness, replenish)


def _waits(found: dict[str, tuple[int, int]]) -> tuple[tuple[WaitRecord, ...], WaitRecord | None]:
    """The dated waits in order and the undated one, from one SKU's (backordered, cancelled) units per wait."""
    dated = tuple(
        WaitRecord(low, high, *found[bucket_label(low, high)])
        for low, high in WAIT_BUCKETS
        if bucket_label(low, high) in found
    )
    undated = WaitRecord(0, None, *found[UNDATED]) if UNDATED in found else None
    return dated, undated


def _measures(session: Session, ctx: Context, sku: str | None) -> list[SkuMeasures]:
    """Every SKU's measures (or one's), not archived, from the KPI facts of the last ADVICE_DAYS days."""
    facts = load_kpi_facts(session, ctx, KpiQuery(sku=sku, days=ADVICE_DAYS))
    policies = store.sku_policies(session)
    policies = policies[~policies["archived"] & (policies["sku"] == sku if sku else True)]
    table = (
        policies.merge(sales_frequency(facts.history), on="sku", how="left")
        .merge(lost_demand(facts.history, facts.prices, ["sku"]), on="sku", how="left")
        .merge(facts.costs, on="sku", how="left")
    )
    waits: dict[str, dict[str, tuple[int, int]]] = {}
    for w in cancellation_by_wait(facts.parts, ["sku"]).to_dict("records"):
        waits.setdefault(str(w["sku"]), {})[str(w["wait"])] = (int(w["backordered_units"]), int(w["cancelled_units"]))
    suppliers = _suppliers(session, ctx)
    measures = []
    for row in table.to_dict("records"):
        code = str(row["sku"])
        dated, undated = _waits(waits.get(code, {}))
        replenish = suppliers.replenish_days.get(code)
        measures.append(
            SkuMeasures(
                sku=code,
                policy=BackorderPolicy(str(row["backorder_policy"])),
                max_wait_days=int(row["max_wait_days"]),
                price=float(row["price"]),
                unit_cost=None if pd.isna(row["unit_cost"]) else float(row["unit_cost"]),
                days=ADVICE_DAYS if pd.isna(row["days"]) else int(row["days"]),
                selling_days=0 if pd.isna(row["selling_days"]) else int(row["selling_days"]),
                demand=0.0 if pd.isna(row["demand"]) else float(row["demand"]),
                lost_units=0.0 if pd.isna(row["lost_units"]) else float(row["lost_units"]),
                waits=dated,
                undated=undated,
                broken_chance=broken_promise_chance(suppliers.lateness.get(code, []), MIN_SLIPS_FOR_MEASURED_LATENESS),
                replenish_days=min(replenish) if replenish else None,
            )
        )
    return measures


def _out(m: SkuMeasures, advice: Advice) -> PolicyAdviceOut:
    expected = advice.expected
    waits = [*m.waits, *([m.undated] if m.undated else [])]
    labels = [w.label for w in m.waits] + ([UNDATED] if m.undated else [])
    changes = advice.changes(m)
    return PolicyAdviceOut(
        sku=m.sku,
        policy_now=m.policy.value,
        max_wait_days_now=m.max_wait_days,
        policy=advice.policy.value,
        max_wait_days=advice.max_wait_days,
        changes=changes,
        why=advice.why,
        expects=ExpectedOut(**{k: _rounded(v) for k, v in vars(expected).items()}),
        command=advice.command if changes else None,
        measures=MeasuresOut(
            price=m.price,
            unit_cost=m.unit_cost,
            margin=None if m.unit_cost is None else round(m.margin, 2),
            days=m.days,
            selling_days=m.selling_days,
            demand=round(m.demand, 2),
            lost_units=round(m.lost_units, 2),
            broken_chance=None if m.broken_chance is None else round(m.broken_chance, 4),
            replenish_days=m.replenish_days,
            waits=[
                WaitOut(wait=label, backordered_units=w.backordered, cancelled_units=w.cancelled)
                for label, w in zip(labels, waits, strict=True)
            ],
        ),
    )


def _rounded(value: Any) -> Any:
    return round(value, 2) if isinstance(value, float) else value


@use_case(readonly=True)
def advise_backorder_policies(session: Session, ctx: Context, sku: str | None = None) -> list[PolicyAdviceOut]:
    """For every SKU not archived (or one SKU), the backorder policy that pays, why, and what it expects to change;
    the SKUs whose advice changes something first."""
    advised = [_out(m, advise_backorder_policy(m)) for m in _measures(session, ctx, sku)]
    return sorted(advised, key=lambda a: (not a.changes, a.sku))
