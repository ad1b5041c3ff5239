"""The textbook inventory formulas the planner is built on, one definition each.

Units are whatever period the caller picks (days in restock): demand per period, lead time in periods.
The planner calls them on numpy arrays (one element per SKU x supplier, no loop) and the tests on numbers:
one definition each, whichever the caller. Every checked function refuses arguments that have no meaning
(negative demand, a service level of 100%, ...) with a ValueError that says which argument is wrong, instead
of returning a number nobody should trust; the unchecked ones say so.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq
from scipy.stats import norm

Number = TypeVar("Number", float, npt.NDArray[np.float64])


def _checked(name: str, value: Number, *, low: float, high: float, closed: bool, meaning: str) -> Number:
    """`value` (a number or an array) when every element is finite and within its bounds, else a ValueError
    naming the argument and showing the first value out of bounds."""
    numbers = np.asarray(value, dtype=np.float64)
    finite = np.isfinite(numbers)
    inside = finite & ((numbers >= low) if closed else (numbers > low)) & (numbers < high)
    if not inside.all():
        bad = numbers.flat[int(np.argmin(inside))]
        shown = value if numbers.ndim == 0 else float(bad)
        if not np.isfinite(bad):
            raise ValueError(f"{name} must be a finite number, got {shown!r}")
        raise ValueError(f"{name} must {meaning}, got {shown!r}")
    return value


def _not_negative(name: str, value: Number) -> Number:
    return _checked(name, value, low=0.0, high=math.inf, closed=True, meaning="not be negative")


def _positive(name: str, value: Number) -> Number:
    return _checked(name, value, low=0.0, high=math.inf, closed=False, meaning="be greater than zero")


def _share(name: str, value: Number) -> Number:
    meaning = "be strictly between 0 and 1 (e.g. 0.95 for 95%)"
    return _checked(name, value, low=0.0, high=1.0, closed=False, meaning=meaning)


def _like(result: Any, argument: Any) -> Any:
    """A plain float for a number argument, the array itself for an array argument."""
    return float(result) if np.ndim(argument) == 0 else result


def lead_time_demand_std(
    demand_mean: Number, demand_std: Number, lead_time_mean: Number, lead_time_std: Number
) -> Number:
    """Standard deviation of demand over a random lead time: sqrt(L sigma_d^2 + d^2 sigma_L^2).

    The first term is the day-to-day noise of demand over L periods, the second the risk that the
    supplier takes longer (or shorter) than usual while demand runs at its mean. Numbers or arrays.
    """
    d = _not_negative("demand_mean", demand_mean)
    sd = _not_negative("demand_std", demand_std)
    lt = _not_negative("lead_time_mean", lead_time_mean)
    slt = _not_negative("lead_time_std", lead_time_std)
    return cast(Number, _like(sigma_over_lead_time(d, sd, lt, slt), demand_mean))


def sigma_over_lead_time(d: Number, sd: Number, lt: Number, slt: Number) -> Number:
    """The same formula on numbers or whole numpy arrays, unchecked."""
    return np.sqrt(lt * sd * sd + d * d * slt * slt)  # type: ignore[no-any-return]


def service_factor(service_level: Number) -> Number:
    """z: the standard normal quantile of a cycle service level (0.95 -> 1.645)."""
    return norm.ppf(service_level)  # type: ignore[no-any-return]


def economic_order_quantity(annual_demand: Number, order_cost: Number, holding_cost: Number) -> Number:
    """sqrt(2 D S / H) on numbers or arrays, unchecked (see `eoq`): the planner keeps it only where finite."""
    return np.sqrt(2 * annual_demand * order_cost / holding_cost)  # type: ignore[no-any-return]


def safety_stock(
    demand_mean: Number, demand_std: Number, lead_time_mean: Number, lead_time_std: Number, service_level: Number
) -> Number:
    """Units kept beyond expected lead-time demand so that a replenishment cycle ends without a stock-out
    with probability `service_level` (the cycle service level), demand over the lead time being normal.

    safety stock = z(service_level) x sqrt(L sigma_d^2 + d^2 sigma_L^2), with z the standard normal quantile.
    Below a 50% service level z, and so the safety stock, is negative: a deliberate choice to run short.
    Numbers, or arrays of one element per SKU (the planner's catalog-wide path).
    """
    level = _share("service_level", service_level)
    sigma = lead_time_demand_std(demand_mean, demand_std, lead_time_mean, lead_time_std)
    return cast(Number, _like(service_factor(level) * sigma, demand_mean))


def lead_time_demand(demand_mean: Number, lead_time_mean: Number) -> Number:
    """Demand expected over the lead time: d x L."""
    return demand_mean * lead_time_mean


def reorder_point(
    demand_mean: Number, demand_std: Number, lead_time_mean: Number, lead_time_std: Number, service_level: Number
) -> Number:
    """The inventory position at which to order: expected demand over the lead time plus the safety stock."""
    ss = safety_stock(demand_mean, demand_std, lead_time_mean, lead_time_std, service_level)
    return cast(Number, _like(lead_time_demand(demand_mean, lead_time_mean) + ss, demand_mean))


def order_up_to_level(
    demand_mean: Number,
    demand_std: Number,
    lead_time_mean: Number,
    lead_time_std: Number,
    service_level: Number,
    review_period: Number,
) -> Number:
    """Periodic review: the level the position is raised to at each review, so that it covers the lead time
    plus the review period R: d (L + R) + z x sqrt((L + R) sigma_d^2 + d^2 sigma_L^2)."""
    covered = lead_time_mean + review_period
    ss = safety_stock(demand_mean, demand_std, covered, lead_time_std, service_level)
    return cast(Number, _like(lead_time_demand(demand_mean, covered) + ss, demand_mean))


def whole_packs(quantity: Number, moq: Number, pack_size: Number) -> Number:
    """What is ordered for a wanted `quantity`: at least the MOQ, rounded up to whole packs; nothing for
    nothing wanted (a quantity within 1e-9 of zero). The wanted quantity is first rounded up to a unit."""
    wanted = np.maximum(np.ceil(quantity - 1e-9), moq)
    rounded = np.ceil(wanted / pack_size) * pack_size
    return cast(Number, _like(np.where(quantity > 1e-9, rounded, 0), quantity))


def eoq(annual_demand: float, order_cost: float, holding_cost_per_unit_year: float) -> float:
    """Economic order quantity sqrt(2 D S / H): the lot size where yearly ordering and holding costs balance."""
    demand = float(_not_negative("annual_demand", annual_demand))
    cost = float(_not_negative("order_cost", order_cost))
    holding = float(_positive("holding_cost_per_unit_year", holding_cost_per_unit_year))
    return float(economic_order_quantity(demand, cost, holding))


def standard_normal_loss(k: float) -> float:
    """G(k) = phi(k) - k (1 - Phi(k)): expected units short per unit of sigma when k sigmas are held as safety."""
    return float(norm.pdf(k) - k * norm.sf(k))


def fill_rate_safety_factor(fill_rate: float, order_quantity: float, lead_time_demand_std: float) -> float:
    """The safety factor k that meets a fill rate: G(k) = (1 - fill_rate) x Q / sigma.

    A replenishment cycle of Q units may leave (1 - fill_rate) x Q units short on average; the expected
    shortage of a normal lead-time demand with k sigmas of safety stock is sigma x G(k). Safety stock
    is then k x sigma. k is negative when the lot alone already meets the fill rate.
    """
    rate = float(_share("fill_rate", fill_rate))
    quantity = float(_positive("order_quantity", order_quantity))
    sigma = float(_positive("lead_time_demand_std", lead_time_demand_std))
    target = (1 - rate) * quantity / sigma
    # G falls from about -k for very negative k to 0: the bracket below always holds the root.
    low, high = -(target + 2.0), 40.0
    return float(brentq(lambda k: standard_normal_loss(k) - target, low, high, xtol=1e-12, maxiter=200))
