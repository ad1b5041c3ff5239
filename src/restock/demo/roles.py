"""Casting today's story: which SKUs are sold out, late, on pre-order or without supply, and their policies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from random import Random

from restock.demo.cast import FAREAST
from restock.demo.catalog import Role, SkuPlan, Velocity
from restock.demo.timeline import HISTORY_DAYS
from restock.domain.model import BackorderPolicy


@dataclass(frozen=True)
class RoleQuota:
    role: Role
    count: int
    needs: Callable[[SkuPlan], bool]


def _sells_well(plan: SkuPlan) -> bool:
    return plan.velocity is not Velocity.SLOW


def _imported_and_selling(plan: SkuPlan) -> bool:
    return plan.supplier == FAREAST and plan.velocity is not Velocity.SLOW


def _anything(plan: SkuPlan) -> bool:
    return True


def _role_quotas(count: int) -> tuple[RoleQuota, ...]:
    return (
        RoleQuota(Role.LATE, 2, _imported_and_selling),
        RoleQuota(Role.PREORDER, 2, _anything),
        RoleQuota(Role.BACKORDERED, max(6, count // 35), _sells_well),
        RoleQuota(Role.CAP_REACHED, 1, _sells_well),
        RoleQuota(Role.NO_SUPPLY, max(4, count // 50), _anything),
        RoleQuota(Role.UNCONFIRMED, 2, _anything),
        RoleQuota(Role.NEVER_WITH_INBOUND, 2, _anything),
        RoleQuota(Role.ALWAYS_UNPROMISED, 2, _anything),
    )


ROLE_POLICIES = {Role.NEVER_WITH_INBOUND: BackorderPolicy.NEVER, Role.ALWAYS_UNPROMISED: BackorderPolicy.ALWAYS}
LATE_SELLOUT_DAYS_AGO = (34, 16)
"""The late POs' SKUs sell out early enough for customers to wait on them (see `_late_story`)."""


def _with_role(plan: SkuPlan, role: Role, variant: int, rng: Random) -> SkuPlan:
    """Give a SKU its part in today's story: the policy it needs and the day it sells out."""
    days_ago = LATE_SELLOUT_DAYS_AGO[variant % 2] if role is Role.LATE else rng.randint(4, 12)
    return replace(
        plan,
        role=role,
        variant=variant,
        policy=ROLE_POLICIES.get(role, BackorderPolicy.CONFIRMED),
        max_wait_days=max(plan.max_wait_days, 45 if role is Role.PREORDER else 30),
        backorder_limit_pct=50 if role is Role.CAP_REACHED else 100,
        sellout_day=HISTORY_DAYS - days_ago if role.sells_out else None,
    )


def assign_roles(rng: Random, plans: list[SkuPlan]) -> list[SkuPlan]:
    """Pick the SKUs that play a part in today's story; a few regular ones get policy never or always."""
    order = list(range(len(plans)))
    rng.shuffle(order)
    taken: set[int] = set()
    result = list(plans)
    for quota in _role_quotas(len(plans)):
        fitting = [i for i in order if i not in taken and quota.needs(plans[i])]
        fallback = [i for i in order if i not in taken and i not in fitting]
        for variant, i in enumerate((fitting + fallback)[: quota.count]):
            taken.add(i)
            result[i] = _with_role(plans[i], quota.role, variant, rng)
    regulars = [i for i in order if i not in taken]
    for i in regulars[:2]:
        result[i] = replace(result[i], policy=BackorderPolicy.NEVER)
    for i in regulars[2:4]:
        result[i] = replace(result[i], policy=BackorderPolicy.ALWAYS)
    return result
