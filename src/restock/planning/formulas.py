"""The textbook inventory formulas the planner is built on, one definition each.

Units are whatever period the caller picks (days in restock): demand per period, lead time in periods.
Every function refuses arguments that have no meaning (negative demand, a service level of 100%, ...)
with a ValueError that says which argument is wrong, instead of returning a number nobody should trust.
"""

from __future__ import annotations

import math
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq
from scipy.stats import norm

Number = TypeVar("Number", float, npt.NDArray[np.float64])


def _finite(name: str, value: float) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number


def _not_negative(name: str, value: float) -> float:
    number = _finite(name, value)
    if number < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return number


def _positive(name: str, value: float) -> float:
    number = _finite(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be greater than zero, got {value!r}")
    return number


def _share(name: str, value: float) -> float:
    number = _finite(name, value)
    if not 0 < number < 1:
        raise ValueError(f"{name} must be strictly between 0 and 1 (e.g. 0.95 for 95%), got {value!r}")
    return number


def lead_time_demand_std(demand_mean: float, demand_std: float, lead_time_mean: float, lead_time_std: float) -> float:
    """Standard deviation of demand over a random lead time: sqrt(L sigma_d^2 + d^2 sigma_L^2).

    The first term is the day-to-day noise of demand over L periods, the second the risk that the
    supplier takes longer (or shorter) than usual while demand runs at its mean.
    """
    d = _not_negative("demand_mean", demand_mean)
    sd = _not_negative("demand_std", demand_std)
    lt = _not_negative("lead_time_mean", lead_time_mean)
    slt = _not_negative("lead_time_std", lead_time_std)
    return float(sigma_over_lead_time(d, sd, lt, slt))


def sigma_over_lead_time(d: Number, sd: Number, lt: Number, slt: Number) -> Number:
    """The same formula on numbers or whole numpy arrays (the planner's catalog-wide path), unchecked."""
    return np.sqrt(lt * sd * sd + d * d * slt * slt)  # type: ignore[no-any-return]


def service_factor(service_level: Number) -> Number:
    """z: the standard normal quantile of a cycle service level (0.95 -> 1.645)."""
    return norm.ppf(service_level)  # type: ignore[no-any-return]


def economic_order_quantity(annual_demand: Number, order_cost: Number, holding_cost: Number) -> Number:
    """sqrt(2 D S / H) on numbers or arrays, unchecked (see `eoq`)."""
    return np.sqrt(2 * annual_demand * order_cost / holding_cost)  # type: ignore[no-any-return]


def safety_stock(
    demand_mean: float, demand_std: float, lead_time_mean: float, lead_time_std: float, service_level: float
) -> float:
    """Units kept beyond expected lead-time demand so that a replenishment cycle ends without a stock-out
    with probability `service_level` (the cycle service level), demand over the lead time being normal.

    safety stock = z(service_level) x sqrt(L sigma_d^2 + d^2 sigma_L^2), with z the standard normal quantile.
    Below a 50% service level z, and so the safety stock, is negative: a deliberate choice to run short.
    """
    level = _share("service_level", service_level)
    sigma = lead_time_demand_std(demand_mean, demand_std, lead_time_mean, lead_time_std)
    return float(service_factor(level)) * sigma


def reorder_point(
    demand_mean: float, demand_std: float, lead_time_mean: float, lead_time_std: float, service_level: float
) -> float:
    """The inventory position at which to order: expected demand over the lead time plus the safety stock."""
    ss = safety_stock(demand_mean, demand_std, lead_time_mean, lead_time_std, service_level)
    return float(demand_mean) * float(lead_time_mean) + ss


def eoq(annual_demand: float, order_cost: float, holding_cost_per_unit_year: float) -> float:
    """Economic order quantity sqrt(2 D S / H): the lot size where yearly ordering and holding costs balance."""
    demand = _not_negative("annual_demand", annual_demand)
    cost = _not_negative("order_cost", order_cost)
    holding = _positive("holding_cost_per_unit_year", holding_cost_per_unit_year)
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
    rate = _share("fill_rate", fill_rate)
    quantity = _positive("order_quantity", order_quantity)
    sigma = _positive("lead_time_demand_std", lead_time_demand_std)
    target = (1 - rate) * quantity / sigma
    # G falls from about -k for very negative k to 0: the bracket below always holds the root.
    low, high = -(target + 2.0), 40.0
    return float(brentq(lambda k: standard_normal_loss(k) - target, low, high, xtol=1e-12, maxiter=200))
