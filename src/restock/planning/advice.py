"""Backorder or out of stock: which backorder policy pays for a SKU, from what restock measured (pure).

A backorder is a bet. Kept, it earns the margin (price - unit cost). Cancelled, it earns nothing and costs
CANCELLATION_COST of the price (payment fees, the work, a customer let down). Shipped later than promised, it costs
BROKEN_PROMISE_COST of the price (a support contact, often a refund of the shipping, a customer less likely to
return). Saying "out of stock" instead earns nothing and costs nothing. So a backorder promised a wait with
cancellation rate c, from suppliers that break a promise with chance p, is worth, per unit,

    margin x (1 - c) - price x (CANCELLATION_COST x c + BROKEN_PROMISE_COST x p)

and the rule (`advise_backorder_policy`) offers the waits whose backorders, all together, were worth the most:

1. It keeps the policy when it cannot judge: no price or unit cost recorded, or nothing sold or backordered in the
   days measured.
2. The measured waits (`WAIT_BUCKETS` with at least MIN_MEASURED_UNITS backordered units), shortest first, each
   worth its units x the value above: the limit is the end of the prefix of waits whose total is largest. None (every
   prefix loses) is `never`; a shorter prefix than all is `confirmed` with `max_wait_days` at its end; all of them
   keep the SKU's own limit (no evidence against it). With no wait measured, `never` when even a backorder nobody
   cancels loses money (thin margin, promises broken often), else the limit stays.
3. `always` (undated backorders too, when no confirmed supply backs one) when nothing was cut, an undated backorder
   is worth taking (the undated wait's cancellation rate, or that of a wait at least as long as the suppliers take
   to replenish, with no promise to break), there is demand to win (out-of-stock days lost at least MIN_LOST_SHARE of
   the demand, or undated backorders already kept) and the SKU sells often (on at least SELLS_OFTEN of the days: it
   is reordered soon, so an undated wait stays short). A SKU already `always` keeps it unless the undated
   backorders measured lose money.

What it expects to change (`expected_change`) is read off the same days: the backorders a shorter limit would have
refused, or the lost demand a longer one would have taken (at the cancellation rate measured, or none: "up to").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from restock.domain.model import BackorderPolicy

CANCELLATION_COST = 0.3
"""What a cancelled backorder costs, as a share of the price."""
BROKEN_PROMISE_COST = 0.5
"""What a backorder shipped later than promised costs, as a share of the price."""
ASSUMED_BROKEN_CHANCE = 0.1
"""The chance a promise breaks when the suppliers' lateness is not measured yet: the share a P90 window is built to
miss."""
MIN_MEASURED_UNITS = 5
"""Backordered units a promised wait needs before its cancellation rate counts."""
MIN_LOST_SHARE = 0.05
"""Share of the demand lost on out-of-stock days worth taking undated backorders for."""
SELLS_OFTEN = 1 / 7
"""A SKU that sells on at least one day a week is reordered soon enough for an undated wait to stay short."""


@dataclass(frozen=True)
class WaitRecord:
    """Backorders promised one range of waits (days from the order to the latest ship date; `high` None: no end)."""

    low: int
    high: int | None
    backordered: int
    cancelled: int

    @property
    def label(self) -> str:
        return f"{self.low}+" if self.high is None else f"{self.low}-{self.high}"

    @property
    def rate(self) -> float:
        return self.cancelled / self.backordered if self.backordered else 0.0

    @property
    def kept(self) -> int:
        return self.backordered - self.cancelled

    @property
    def measured(self) -> bool:
        return self.backordered >= MIN_MEASURED_UNITS


@dataclass(frozen=True)
class SkuMeasures:
    """What restock measured of one SKU over `days` days."""

    sku: str
    policy: BackorderPolicy
    max_wait_days: int
    price: float
    unit_cost: float | None
    """The lowest unit cost among its suppliers; None: none recorded."""
    days: int
    selling_days: int
    """Days with at least one unit ordered."""
    demand: float
    """Censor-corrected demand over the days, in units."""
    lost_units: float
    """Estimated demand lost on out-of-stock days."""
    waits: tuple[WaitRecord, ...] = ()
    """Dated backorders by promised wait, shortest first."""
    undated: WaitRecord | None = None
    broken_chance: float | None = None
    """The chance its suppliers break a promise (`broken_promise_chance`); None: not measured."""
    replenish_days: int | None = None
    """Days its quickest supplier takes from a PO to the latest date a promise would give."""

    @property
    def margin(self) -> float:
        return self.price - (self.unit_cost or 0.0)


@dataclass(frozen=True)
class Expected:
    """What the advice expects over as many days as were measured, against the policy as it is (signed)."""

    kept_sales: float = 0.0
    """Units sold on backorder and not cancelled."""
    cancellations: float = 0.0
    """Backordered units cancelled."""
    broken_promises: float = 0.0
    """Backordered units shipped later than promised."""
    net_value: float = 0.0
    """kept sales x margin - the costs of the cancellations and broken promises (CANCELLATION_COST,
    BROKEN_PROMISE_COST)."""
    up_to: bool = False
    """The gain assumes nobody cancels (no wait measured): at most this."""


@dataclass(frozen=True)
class Advice:
    sku: str
    policy: BackorderPolicy
    max_wait_days: int
    why: str
    expected: Expected = field(default_factory=Expected)

    def changes(self, measures: SkuMeasures) -> bool:
        return (self.policy, self.max_wait_days) != (measures.policy, measures.max_wait_days)

    @property
    def command(self) -> str:
        """The command that applies it (the advice only recommends)."""
        wait = f" --max-wait {self.max_wait_days}" if self.policy is not BackorderPolicy.NEVER else ""
        return f"restock sku set {self.sku} --backorder {self.policy.value}{wait}"


def broken_promise_chance(lateness: Sequence[tuple[int, int]], minimum: int) -> float | None:
    """The share of POs later than the slack their ship windows allow: (days late against the first confirmed ETA,
    the supplier's lateness allowance in its windows) per PO (`domain.promise.lateness_days`, and the measured P90 or
    the default window width). None with fewer than `minimum` POs."""
    if len(lateness) < minimum:
        return None
    return sum(1 for late, allowance in lateness if late > allowance) / len(lateness)


def backorder_value(m: SkuMeasures, cancellation_rate: float, broken_chance: float) -> float:
    """What one backorder is worth, in money (see the module's docstring)."""
    penalty = CANCELLATION_COST * cancellation_rate + BROKEN_PROMISE_COST * broken_chance
    return m.margin * (1 - cancellation_rate) - m.price * penalty


def _broken(m: SkuMeasures) -> float:
    return ASSUMED_BROKEN_CHANCE if m.broken_chance is None else m.broken_chance


def _best_prefix(m: SkuMeasures, waits: Sequence[WaitRecord]) -> int:
    """How many of the measured waits, shortest first, make the largest total value (0: none pays)."""
    best, best_total, total = 0, 0.0, 0.0
    for i, wait in enumerate(waits, start=1):
        total += wait.backordered * backorder_value(m, wait.rate, _broken(m))
        if total > best_total:
            best, best_total = i, total
    return best


def advise_backorder_policy(m: SkuMeasures) -> Advice:
    """The backorder policy that pays, with why in one line and what it expects to change (see the module)."""
    keep = Advice(m.sku, m.policy, m.max_wait_days, "")
    if m.price <= 0 or m.unit_cost is None:
        return _keep(keep, "no unit cost recorded: the margin a backorder earns is unknown (restock supplier terms)")
    backordered = sum(w.backordered for w in m.waits) + (m.undated.backordered if m.undated else 0)
    if m.selling_days == 0 and backordered == 0:
        return _keep(keep, f"nothing sold or backordered in {m.days} days: nothing to judge by")
    measured = [w for w in m.waits if w.measured]
    if not measured and backorder_value(m, 0.0, _broken(m)) <= 0:
        return _never(m, _why_never(m, None))
    cut = _best_prefix(m, measured)
    if measured and cut == 0:
        return _never(m, _why_never(m, measured[0]))
    if measured and cut < len(measured):
        limit = min(m.max_wait_days, _end(measured[cut - 1]))
        return _confirmed(m, limit, _why_cut(measured, cut, limit))
    if _undated_pays(m, measured):
        return _advice(m, BackorderPolicy.ALWAYS, m.max_wait_days, _why_always(m, measured))
    if m.policy is BackorderPolicy.ALWAYS:
        return _undated_or_not(m, keep)
    if m.policy is BackorderPolicy.NEVER and m.lost_units <= 0:
        return _keep(keep, f"no demand lost to a stock-out in {m.days} days: backorders would win nothing")
    return _confirmed(m, m.max_wait_days, _why_confirmed(m, measured))


def _undated_or_not(m: SkuMeasures, keep: Advice) -> Advice:
    """A SKU taking undated backorders keeps doing so unless the undated ones measured lose money."""
    undated = m.undated
    if undated is None or not undated.measured:
        return _keep(keep, "no undated backorder measured against `always`, and every wait measured pays")
    value = backorder_value(m, undated.rate, 0.0)
    if value > 0:
        return _keep(keep, f"customers kept {1 - undated.rate:.0%} of undated backorders: each is worth {value:.2f}")
    return _confirmed(
        m,
        m.max_wait_days,
        f"customers cancel {undated.rate:.0%} of undated backorders: each is worth {value:.2f}, so only against "
        "confirmed supply",
    )


def _end(wait: WaitRecord) -> int:
    return wait.low if wait.high is None else wait.high


def _undated_pays(m: SkuMeasures, measured: Sequence[WaitRecord]) -> bool:
    """An undated backorder is worth taking, there is demand it would win, and the SKU sells often."""
    longest = _longest_wait(m, measured)
    if longest is None or backorder_value(m, longest.rate, 0.0) <= 0:
        return False
    undated_kept = m.undated.kept if m.undated is not None else 0
    wins = m.demand > 0 and m.lost_units >= MIN_LOST_SHARE * m.demand
    return (wins or undated_kept > 0) and m.selling_days >= SELLS_OFTEN * m.days


def _longest_wait(m: SkuMeasures, measured: Sequence[WaitRecord]) -> WaitRecord | None:
    """The wait an undated backorder is judged by: the undated ones measured, else the longest measured wait if it
    reaches what the suppliers take to replenish (an undated backorder waits for a PO to be made and to arrive)."""
    if m.undated is not None and m.undated.measured:
        return m.undated
    if not measured or m.replenish_days is None:
        return None
    longest = measured[-1]
    return longest if longest.high is None or longest.high >= m.replenish_days else None


def _keep(advice: Advice, why: str) -> Advice:
    return Advice(advice.sku, advice.policy, advice.max_wait_days, why)


def _never(m: SkuMeasures, why: str) -> Advice:
    return _advice(m, BackorderPolicy.NEVER, m.max_wait_days, why)


def _confirmed(m: SkuMeasures, limit: int, why: str) -> Advice:
    return _advice(m, BackorderPolicy.CONFIRMED, limit, why)


def _advice(m: SkuMeasures, policy: BackorderPolicy, limit: int, why: str) -> Advice:
    return Advice(m.sku, policy, limit, why, expected_change(m, policy, limit))


def _promises(m: SkuMeasures) -> str:
    """How often its promises break, in words: measured, or assumed."""
    if m.broken_chance is None:
        return f"a promise is assumed to break {ASSUMED_BROKEN_CHANCE:.0%} of the time (too few POs measured)"
    return f"{m.broken_chance:.0%} of its suppliers' POs came later than their ship windows allow"


def _wait_words(m: SkuMeasures, wait: WaitRecord) -> str:
    return "undated backorders" if wait is m.undated else f"backorders promised {wait.label} days"


def _why_never(m: SkuMeasures, first: WaitRecord | None) -> str:
    """Why no backorder pays: the margin against what the shortest wait measured (or a wait nobody cancels) costs."""
    rate = 0.0 if first is None else first.rate
    cancelled = "" if first is None else f", customers cancel {rate:.0%} of {_wait_words(m, first)}"
    return (
        f"a backorder earns {m.margin:.2f}{cancelled}, and {_promises(m)}: "
        f"each backorder is worth {backorder_value(m, rate, _broken(m)):.2f}"
    )


def _why_cut(measured: Sequence[WaitRecord], cut: int, limit: int) -> str:
    kept, beyond = measured[:cut], measured[cut:]
    within = sum(w.cancelled for w in kept) / sum(w.backordered for w in kept)
    later = sum(w.cancelled for w in beyond) / sum(w.backordered for w in beyond)
    return (
        f"customers cancel {later:.0%} of backorders promised more than {limit} days ({within:.0%} up to {limit}): "
        f"the backorders beyond {limit} days cost more than they earned"
    )


def _why_always(m: SkuMeasures, measured: Sequence[WaitRecord]) -> str:
    longest = _longest_wait(m, measured)
    assert longest is not None
    share = m.lost_units / m.demand if m.demand else 0.0
    return (
        f"out-of-stock days lost {m.lost_units:.0f} units ({share:.0%} of demand) and customers kept "
        f"{1 - longest.rate:.0%} of {_wait_words(m, longest)}: take them undated too"
    )


def _why_confirmed(m: SkuMeasures, measured: Sequence[WaitRecord]) -> str:
    if not measured:
        return (
            f"a backorder earns {m.margin:.2f} and {_promises(m)}: backorders pay (no cancellation measured yet), "
            f"against confirmed supply within {m.max_wait_days} days"
        )
    worst = max(measured, key=lambda w: w.rate)
    return (
        f"backorders pay at every wait measured (at most {worst.rate:.0%} cancelled, of {_wait_words(m, worst)}) "
        f"and {_promises(m)}; undated ones are not shown to pay, so only against confirmed supply"
    )


def expected_change(m: SkuMeasures, policy: BackorderPolicy, limit: int) -> Expected:
    """What moving from the SKU's policy to `policy` with `limit` would have changed over the days measured.

    Refusing backorders (never, a shorter limit, no more undated ones) loses the units they kept and saves their
    cancellations and broken promises (kept dated units x the chance a promise breaks). Offering more (from never, or
    undated ones) wins the demand lost on out-of-stock days, less the cancellation rate measured at the longest wait
    (none measured: none assumed, and the figure is an upper bound).
    """
    if (policy, limit) == (m.policy, m.max_wait_days):
        return Expected()
    dropped = [w for w in m.waits if policy is BackorderPolicy.NEVER or w.low > limit]
    dropped_undated = m.undated is not None and policy is not BackorderPolicy.ALWAYS
    refused = [*dropped, *([m.undated] if dropped_undated and m.undated else [])]
    broken = _broken(m)
    kept = -float(sum(w.kept for w in refused))
    cancellations = -float(sum(w.cancelled for w in refused))
    late = -sum(w.kept for w in dropped) * broken
    up_to = False
    offers_more = policy is not BackorderPolicy.NEVER and (
        m.policy is BackorderPolicy.NEVER or (policy is BackorderPolicy.ALWAYS and m.policy is not policy)
    )
    if offers_more:
        measured = [w for w in (*m.waits, *([m.undated] if m.undated else [])) if w.measured]
        rate = max((w.rate for w in measured), default=0.0)
        up_to = not measured
        kept += m.lost_units * (1 - rate)
        cancellations += m.lost_units * rate
        if policy is not BackorderPolicy.ALWAYS or m.policy is BackorderPolicy.NEVER:
            late += m.lost_units * (1 - rate) * broken
    value = kept * m.margin - m.price * (CANCELLATION_COST * cancellations + BROKEN_PROMISE_COST * late)
    return Expected(kept, cancellations, late, value, up_to)
