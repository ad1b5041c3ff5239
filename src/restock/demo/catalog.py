"""The demo's SKUs: drawn product by product from the categories, each with a price, a velocity, a supplier,
the warehouses that stock it and the channels that list it, and the part it plays in today's story."""

from __future__ import annotations

import enum
import math
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from random import Random

from restock.demo.cast import EAST, FAREAST, HUB, MAIN, SUPPLIERS
from restock.demo.products import CATEGORIES, Category
from restock.domain.model import BackorderPolicy


class Velocity(enum.Enum):
    FAST = "fast"
    MEDIUM = "medium"
    SLOW = "slow"


class Role(enum.Enum):
    """What a SKU is in the demo's story of today; most are simply regular."""

    REGULAR = "regular"
    PREORDER = "preorder"
    """Never stocked; a first release on a confirmed PO, with pre-orders waiting."""
    BACKORDERED = "backordered"
    """Sold out; a confirmed PO is due and customers wait on it."""
    LATE = "late"
    """Sold out; customers wait on a PO whose confirmed ETA has passed."""
    CAP_REACHED = "cap_reached"
    """Sold out; backorders took all the confirmed inbound the SKU's limit allows."""
    NO_SUPPLY = "no_supply"
    UNCONFIRMED = "unconfirmed"
    """Sold out; a PO was sent but the supplier has not confirmed a date."""
    NEVER_WITH_INBOUND = "never_with_inbound"
    """Policy `never`: sold out with a confirmed PO due, still not sellable."""
    ALWAYS_UNPROMISED = "always_unpromised"
    """Policy `always`: sold out, no supply, customers wait without a date."""

    @property
    def sells_out(self) -> bool:
        return self not in (Role.REGULAR, Role.PREORDER)


@dataclass(frozen=True)
class SkuPlan:
    index: int
    code: str
    name: str
    category: Category
    price: Decimal
    velocity: Velocity
    supplier: int
    lines_per_day: tuple[float, ...]
    """Base order lines per day, per channel (0 where the SKU is not listed)."""
    quantity_weights: tuple[float, ...]
    """Cumulative weights of lines for 1, 2, 3... units."""
    pack: int
    safety_days: float
    trend: float
    """Growth over the year: +0.3 sells 30% more at the end than at the start."""
    warehouses: tuple[int, ...]
    role: Role = Role.REGULAR
    policy: BackorderPolicy = BackorderPolicy.CONFIRMED
    max_wait_days: int = 30
    backorder_limit_pct: int = 100
    sellout_day: int | None = None
    """Day on which a trade buyer takes whatever web stock is left (roles that must be sold out today)."""
    variant: int = 0
    """Which telling of its role's story: the n-th SKU given the role."""

    @property
    def mean_quantity(self) -> float:
        previous, mean = 0.0, 0.0
        for units, cumulative in enumerate(self.quantity_weights, start=1):
            mean += units * (cumulative - previous)
            previous = cumulative
        return mean / self.quantity_weights[-1]

    def share_of(self, warehouse: int) -> float:
        """Share of its channel's demand a warehouse is stocked for: the 3PL backs up the main warehouse."""
        if warehouse == MAIN:
            return 0.7 if EAST in self.warehouses else 1.0
        return 0.45 if warehouse == EAST else 1.0


def _shop_price(raw: float) -> Decimal:
    """Prices as shops write them: 4.49, 12.99, 129.00."""
    if raw < 10:
        whole = max(1, math.floor(raw))
        return Decimal(f"{whole + (0.99 if raw - whole >= 0.5 else 0.49):.2f}")
    if raw < 100:
        return Decimal(f"{round(raw) - 0.01:.2f}")
    return Decimal(f"{round(raw / 5) * 5:.2f}")


def _velocity(rng: Random, price: Decimal) -> Velocity:
    """Cheap things sell fast, dear things slowly; with exceptions."""
    weights = (0.35, 0.85, 1.0) if price < 15 else (0.15, 0.65, 1.0) if price < 60 else (0.04, 0.4, 1.0)
    return rng.choices(list(Velocity), cum_weights=weights)[0]


def _lines_per_day(rng: Random, velocity: Velocity) -> float:
    """Fast sellers sell every day; slow ones on a few days a year."""
    low, high = {Velocity.FAST: (2.5, 7.0), Velocity.MEDIUM: (0.15, 1.0), Velocity.SLOW: (0.01, 0.1)}[velocity]
    return rng.uniform(low, high)


def _quantity_weights(price: Decimal) -> tuple[float, ...]:
    if price < 10:
        return (0.66, 0.86, 0.94, 0.98, 1.0)
    if price < 60:
        return (0.85, 0.96, 1.0)
    return (0.95, 1.0)


def _pack(price: Decimal) -> int:
    return 12 if price < 8 else 6 if price < 20 else 2 if price < 50 else 1


def _stocked_in(rng: Random, velocity: Velocity) -> tuple[tuple[int, ...], bool]:
    """Warehouses holding the SKU, and whether the marketplace lists it."""
    at_east = velocity is not Velocity.SLOW and rng.random() < 0.5
    listed = rng.random() < {Velocity.FAST: 0.8, Velocity.MEDIUM: 0.6, Velocity.SLOW: 0.3}[velocity]
    warehouses = (MAIN,) + ((EAST,) if at_east else ()) + ((HUB,) if listed else ())
    return warehouses, listed


def _sku_plan(rng: Random, index: int, code: str, name: str, category: Category, price: Decimal) -> SkuPlan:
    velocity = _velocity(rng, price)
    warehouses, listed = _stocked_in(rng, velocity)
    total = _lines_per_day(rng, velocity)
    marketplace = total * rng.uniform(0.25, 0.45) if listed else 0.0
    supplier = rng.choices(range(len(SUPPLIERS)), cum_weights=category.supplier_weights)[0]
    understocked = rng.random() < 0.15
    return SkuPlan(
        index=index,
        code=code,
        name=name,
        category=category,
        price=price,
        velocity=velocity,
        supplier=supplier,
        lines_per_day=(total - marketplace, marketplace),
        quantity_weights=_quantity_weights(price),
        pack=_pack(price),
        safety_days=rng.uniform(0.0, 2.0) if understocked else rng.uniform(3.0, 10.0),
        trend=rng.uniform(-0.35, 0.6),
        warehouses=warehouses,
        max_wait_days=60 if supplier == FAREAST else rng.choice((21, 30, 30, 30, 45)),
        backorder_limit_pct=80 if rng.random() < 0.1 else 100,
    )


def plan_catalog(rng: Random, count: int) -> list[SkuPlan]:
    """Products in categories, each in one to four variants (colours or sizes), until `count` SKUs exist."""
    plans: list[SkuPlan] = []
    numbers: Counter[str] = Counter()
    while len(plans) < count:
        category = CATEGORIES[len(plans) % len(CATEGORIES)] if rng.random() < 0.5 else rng.choice(CATEGORIES)
        product = rng.choice(category.products)
        material = rng.choice(category.materials)
        numbers[category.prefix] += 1
        number = numbers[category.prefix]
        base_price = rng.uniform(product.low, product.high)
        variants = rng.sample(category.variants, k=min(count - len(plans), rng.choice((1, 1, 2, 3, 4))))
        for variant, variant_code, factor in sorted(variants, key=category.variants.index):
            code = f"{category.prefix}-{number:03d}-{variant_code}"
            name = f"{material} {product.noun}, {variant}"
            price = _shop_price(base_price * factor)
            plans.append(_sku_plan(rng, len(plans), code, name, category, price))
    return plans
