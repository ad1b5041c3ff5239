"""A realistic demo shop in one command: a year of history and today's open promises, identical for the same seed.

The availability rules, the backorder queue and replenishment planning only show what they are worth on
data that looks like a real shop's: fast smooth sellers next to slow intermittent ones, weekly and annual
seasonality, promotions, stock-outs, and suppliers that keep or miss their dates. A merchant trying the
product, a developer debugging a rule and the planning code all need that data, reproducibly.

How it is built:

1. The past is *simulated*, day by day per SKU: deliveries arrive, customers order what is on hand (a
   day with nothing on hand is a stock-out day without sales), and the buyer reorders from the SKU's
   supplier when stock runs low. Suppliers confirm an ETA and then keep it, slip it with notice, or
   deliver late without notice; that history is what measures their lateness.
2. The simulated year is bulk-inserted in one transaction (SQLAlchemy Core, in chunks, a batch of SKUs at
   a time so memory stays flat): shipped orders, purchase orders with their ETA history, and a ledger that
   balances by construction (one allocation and one shipment movement per SKU x warehouse x day).
3. Today's situation (backorders pegged to confirmed POs, pre-orders, a late PO, an unconfirmed one,
   tonight's unshipped orders) is then created through the real use cases, each with the business clock
   stopped at the moment it happened, so every promise is exactly one the services would have made.

Everything random comes from `random.Random` streams derived from the seed; the wall clock is never read
(only `ctx.clock`). Order ids of the history come from the seeded stream; the use cases draw their own.
"""

from __future__ import annotations

import enum
import math
from bisect import bisect
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from random import Random
from typing import Any, NamedTuple

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from restock.config import Clock
from restock.domain.errors import Conflict, InvalidInput, OrderRefused
from restock.domain.model import AvailabilityState, BackorderPolicy, POStatus
from restock.services import purchasing
from restock.services.availability import AvailabilityView, catalog_availability
from restock.services.backorders import waiting_backorders
from restock.services.context import Context
from restock.services.orders import LineRequest, OrderRequest, place_order
from restock.services.supply import refresh_supplier_lateness
from restock.store.db import unit_of_work
from restock.store.schema import (
    Base,
    Channel,
    ChannelWarehouse,
    EtaChange,
    LinePart,
    Movement,
    Order,
    OrderLine,
    POLine,
    PurchaseOrder,
    Sku,
    Stock,
    Supplier,
    SupplierSku,
    Warehouse,
)

MIN_SKUS = 200
MAX_SKUS = 20_000
HISTORY_DAYS = 365
HORIZON_DAYS = HISTORY_DAYS + 120
"""Expected demand is known this far: the buyer plans deliveries that arrive after today."""
CHUNK_ROWS = 5_000
BATCH_SKUS = 250
"""SKUs simulated and written together: memory stays flat at any catalog size (a day's orders mix the SKUs of one
batch; the default catalog is one batch, so its ledger ids follow time exactly)."""
SUPPLY_CUT_DAYS = 45
"""SKUs meant to be sold out today get no delivery in their last weeks of history."""
ADJUSTMENT_CHANCE = 0.003
"""Per SKU x warehouse x day: damage, count corrections and restocked returns, about one a year."""
MIN_ON_HAND = 1
CUSTOMER_POOL = 20_000
CUTOFF = time(20, 0)
"""Orders placed before the cut-off ship the same day; the day's orders run from yesterday's cut-off."""
ALLOCATED_AT = time(20, 0)
SHIPPED_AT = time(21, 0)
OPENING_AT = time(18, 0)

MAIN, EAST, HUB = 0, 1, 2
WEB, MARKETPLACE = 0, 1


# ---------------------------------------------------------------- the shop's fixed cast


@dataclass(frozen=True)
class WarehouseSpec:
    code: str
    name: str


WAREHOUSES = (
    WarehouseSpec("MAIN", "Main warehouse"),
    WarehouseSpec("EAST", "3PL East"),
    WarehouseSpec("HUB", "Marketplace fulfilment hub"),
)


@dataclass(frozen=True)
class ChannelSpec:
    code: str
    name: str
    warehouses: tuple[int, ...]
    """Indexes into WAREHOUSES, in the order orders are allocated from them."""
    weekday_factor: tuple[float, ...]
    """Demand by weekday, Monday first: web shoppers buy on Sunday evening and Monday."""
    basket_weights: tuple[float, ...]
    """Cumulative weights of orders with 1, 2, 3... lines."""


CHANNELS = (
    ChannelSpec("web", "Web shop", (MAIN, EAST), (1.12, 1.05, 1.0, 0.97, 0.9, 0.86, 1.1), (0.62, 0.86, 0.96, 1.0)),
    ChannelSpec("marketplace", "Marketplace", (HUB,), (0.97, 0.96, 0.97, 0.99, 1.01, 1.05, 1.05), (0.86, 0.97, 1.0)),
)


@dataclass(frozen=True)
class SupplierSpec:
    """A supplier's habits: how often the buyer orders, how fast it confirms, and how it keeps its dates."""

    code: str
    name: str
    lead_time_days: int
    order_weekdays: tuple[int, ...]
    every_weeks: int
    confirm_after_days: tuple[int, int]
    slip_share: float
    """Share of POs whose confirmed ETA is moved later, with notice."""
    slip_days: tuple[int, int]
    silent_delay_share: float
    """Share of POs arriving after their (last) ETA without any notice."""
    early_share: float

    @property
    def review_period_days(self) -> float:
        return 7 * self.every_weeks / len(self.order_weekdays)


SUPPLIERS = (
    SupplierSpec("QUICKSHIP", "Quickship Wholesale", 4, (0, 3), 1, (0, 0), 0.0, (0, 0), 0.0, 0.0),
    SupplierSpec("NORDHOME", "Nordic Home Goods", 18, (0,), 1, (1, 2), 0.0, (0, 0), 0.0, 0.15),
    SupplierSpec("EUROPAK", "Europak Distribution", 10, (2,), 1, (1, 3), 0.18, (1, 5), 0.08, 0.05),
    SupplierSpec("FAREAST", "Far East Trading Co.", 42, (1,), 2, (2, 5), 0.55, (3, 18), 0.3, 0.0),
)
FAREAST = 3
QUICKSHIP = 0


@dataclass(frozen=True)
class Product:
    noun: str
    low: float
    high: float


@dataclass(frozen=True)
class Category:
    prefix: str
    materials: tuple[str, ...]
    products: tuple[Product, ...]
    variants: tuple[tuple[str, str, float], ...]
    """(name, code, price factor): colours cost the same, larger sizes more."""
    peak_day: int
    """Day of the year when demand peaks."""
    amplitude: float
    supplier_weights: tuple[float, ...]
    """Cumulative weights over SUPPLIERS."""


COLOURS = (
    ("Sage", "SAG", 1.0),
    ("Charcoal", "CHR", 1.0),
    ("Ochre", "OCH", 1.0),
    ("Navy", "NVY", 1.0),
    ("Cream", "CRM", 1.0),
    ("Terracotta", "TER", 1.0),
    ("Black", "BLK", 1.0),
    ("White", "WHT", 1.0),
)
SIZES = (("Small", "S", 0.8), ("Medium", "M", 1.0), ("Large", "L", 1.25), ("Extra large", "XL", 1.5))

CATEGORIES = (
    Category(
        "KIT",
        ("Stoneware", "Enamel", "Bamboo", "Glass", "Oak", "Speckled", "Nordic"),
        (
            Product("Mug", 8, 16),
            Product("Espresso Cup Set", 14, 28),
            Product("Teapot", 22, 48),
            Product("Cafetiere", 18, 45),
            Product("Chef's Knife", 25, 90),
            Product("Chopping Board", 12, 35),
            Product("Mixing Bowl", 9, 24),
            Product("Tea Towel Set", 7, 15),
            Product("Storage Jar", 5, 14),
            Product("Water Glass Set", 12, 30),
        ),
        COLOURS,
        345,
        0.35,
        (0.1, 0.5, 0.7, 1.0),
    ),
    Category(
        "HOM",
        ("Linen", "Wool", "Velvet", "Rattan", "Ceramic", "Recycled", "Woven"),
        (
            Product("Cushion Cover", 12, 25),
            Product("Throw Blanket", 35, 95),
            Product("Scented Candle", 9, 28),
            Product("Photo Frame", 8, 30),
            Product("Table Lamp", 45, 160),
            Product("Doormat", 15, 35),
            Product("Wall Clock", 25, 70),
            Product("Vase", 14, 60),
        ),
        COLOURS,
        330,
        0.3,
        (0.0, 0.35, 0.6, 1.0),
    ),
    Category(
        "GRD",
        ("Galvanised", "Terracotta", "Recycled", "Steel", "Cedar"),
        (
            Product("Watering Can", 12, 35),
            Product("Plant Pot", 6, 40),
            Product("Pruning Shears", 14, 45),
            Product("Garden Gloves", 6, 15),
            Product("Bird Feeder", 10, 35),
            Product("Seed Tray Set", 5, 12),
            Product("Raised Bed Kit", 70, 220),
        ),
        SIZES,
        130,
        0.75,
        (0.3, 0.3, 0.8, 1.0),
    ),
    Category(
        "OUT",
        ("Insulated", "Ultralight", "Trail", "Alpine", "Coastal"),
        (
            Product("Water Bottle", 12, 35),
            Product("Camping Mug", 9, 18),
            Product("Head Torch", 15, 45),
            Product("Picnic Blanket", 20, 55),
            Product("Dry Bag", 12, 35),
            Product("Folding Stool", 20, 60),
            Product("Two-Person Tent", 90, 320),
        ),
        COLOURS,
        190,
        0.55,
        (0.2, 0.2, 0.5, 1.0),
    ),
    Category(
        "TOY",
        ("Wooden", "Rainbow", "Classic", "Eco", "Junior"),
        (
            Product("Jigsaw Puzzle", 10, 25),
            Product("Building Blocks Set", 20, 65),
            Product("Plush Bear", 12, 30),
            Product("Card Game", 8, 20),
            Product("Stunt Kite", 18, 45),
            Product("Marble Run", 30, 80),
        ),
        SIZES,
        350,
        0.9,
        (0.0, 0.2, 0.45, 1.0),
    ),
    Category(
        "STA",
        ("Dotted", "Lined", "Kraft", "Linen-bound", "Pastel"),
        (
            Product("Notebook A5", 5, 14),
            Product("Gel Pen Set", 4, 12),
            Product("Desk Organiser", 12, 35),
            Product("Sticky Notes Pack", 3, 8),
            Product("Weekly Planner", 9, 22),
            Product("Fountain Pen", 18, 120),
        ),
        COLOURS,
        245,
        0.5,
        (0.6, 0.6, 0.9, 1.0),
    ),
)


def _fixed_start(month: int, day: int, year: int) -> date:
    return date(year, month, day)


def _black_week_start(year: int) -> date:
    """Monday of the week of Black Friday (the day after the fourth Thursday of November)."""
    first = date(year, 11, 1)
    thanksgiving = first + timedelta(days=(3 - first.weekday()) % 7 + 21)
    return thanksgiving - timedelta(days=3)


@dataclass(frozen=True)
class Promotion:
    name: str
    starts: Callable[[int], date]
    days: int
    lift: float
    share: float
    """Share of eligible SKUs on promotion."""
    channel: int | None = None
    category: str | None = None


PROMOTIONS = (
    Promotion("January sale", partial(_fixed_start, 1, 2), 10, 1.6, 0.35),
    Promotion("Spring sale", partial(_fixed_start, 3, 20), 5, 1.9, 0.3),
    Promotion("Garden week", partial(_fixed_start, 5, 8), 7, 2.2, 0.9, category="GRD"),
    Promotion("Marketplace deal days", partial(_fixed_start, 7, 14), 2, 3.5, 0.5, channel=MARKETPLACE),
    Promotion("Back to school", partial(_fixed_start, 8, 25), 7, 2.0, 0.9, category="STA"),
    Promotion("Black Week", _black_week_start, 8, 2.6, 0.6),
)

FIRST_NAMES = (
    "amelia", "oliver", "isla", "noah", "ava", "leo", "mia", "arthur", "freya", "oscar", "ivy", "george",
    "lily", "theo", "sophia", "harry", "grace", "jack", "ella", "finn", "ruby", "alfie", "chloe", "henry",
    "emily", "jacob", "zara", "max", "evie", "lucas",
)  # fmt: skip
LAST_NAMES = (
    "smith", "jones", "taylor", "brown", "williams", "wilson", "johnson", "davies", "patel", "wright",
    "walker", "khan", "green", "hall", "wood", "clarke", "hughes", "turner", "moore", "cooper", "murphy",
    "ward", "kaur", "young", "king", "hill", "baker", "evans", "martin", "nowak",
)  # fmt: skip
MAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example")
TRADE_BUYER = "buying@clearance-outlet.example"
ADJUSTMENT_REASONS = (
    ("damaged in warehouse", -1),
    ("cycle count correction", -1),
    ("found during stock count", 1),
    ("customer return restocked", 1),
)
DIURNAL_WEIGHTS = (6, 5, 3, 2, 1, 0.5, 0.3, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4.5, 4.5, 5, 5, 4.5, 4.5, 4.5, 5, 5.5, 6)
"""Orders per hour from 20:00 (yesterday's cut-off) to 20:00."""
DIURNAL_CUMULATIVE = tuple(sum(DIURNAL_WEIGHTS[: hour + 1]) for hour in range(24))


# ---------------------------------------------------------------- the plan: catalog, calendar, suppliers' fates


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


@dataclass(frozen=True)
class Calendar:
    """Day 0 is a year before today; day HISTORY_DAYS is today."""

    today: date

    @property
    def start(self) -> date:
        return self.today - timedelta(days=HISTORY_DAYS)

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def at(self, day: int, moment: time) -> datetime:
        return datetime.combine(self.date_of(day), moment)

    def day_of(self, when: date) -> int:
        return (when - self.start).days


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


@dataclass(frozen=True)
class PromoRun:
    first: int
    last: int
    lift: float
    channel: int | None
    members: frozenset[int]


@dataclass(frozen=True)
class Shop:
    seed: int
    calendar: Calendar
    skus: tuple[SkuPlan, ...]
    fates: Fates
    promotions: tuple[PromoRun, ...]
    customers: tuple[str, ...]


def _stream(seed: int, name: str) -> Random:
    """An independent random stream per concern, so that changing one part of the demo leaves the others alone."""
    return Random(f"restock-demo:{seed}:{name}")


def _pick(rng: Random, cumulative_weights: Sequence[float]) -> int:
    """Index drawn by cumulative weights: `Random.choices` without its per-call overhead (it runs 100k times)."""
    return bisect(cumulative_weights, rng.random() * cumulative_weights[-1])


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


def _catalog(rng: Random, count: int) -> list[SkuPlan]:
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


def _assign_roles(rng: Random, plans: list[SkuPlan]) -> list[SkuPlan]:
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


def _fates(rng: Random, calendar: Calendar) -> Fates:
    """A fate for every day the buyer may order from each supplier for each warehouse; used only if ordered."""
    fates: list[PoFate] = []
    by_day: dict[tuple[int, int, int], int] = {}
    for supplier, spec in enumerate(SUPPLIERS):
        for day in _ordering_days(calendar, spec):
            for warehouse in range(len(WAREHOUSES)):
                by_day[(supplier, warehouse, day)] = len(fates)
                fates.append(_fate(rng, calendar, supplier, warehouse, day))
    return Fates(tuple(fates), by_day)


def _promotion_runs(rng: Random, calendar: Calendar, plans: Sequence[SkuPlan]) -> tuple[PromoRun, ...]:
    """Every promotion of the year of history and the months after, each with the SKUs it covers."""
    runs: list[PromoRun] = []
    for promo in PROMOTIONS:
        for year in (calendar.today.year - 1, calendar.today.year, calendar.today.year + 1):
            first = calendar.day_of(promo.starts(year))
            last = min(first + promo.days - 1, HORIZON_DAYS - 1)
            if last < 0 or first >= HORIZON_DAYS:
                continue
            members = frozenset(
                p.index
                for p in plans
                if (promo.category is None or p.category.prefix == promo.category) and rng.random() < promo.share
            )
            runs.append(PromoRun(max(first, 0), last, promo.lift, promo.channel, members))
    return tuple(runs)


def _customers(rng: Random) -> tuple[str, ...]:
    return tuple(
        f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}{rng.randint(1, 999)}@{rng.choice(MAIL_DOMAINS)}"
        for _ in range(CUSTOMER_POOL)
    )


def _plan_shop(seed: int, sku_count: int, today: date) -> Shop:
    calendar = Calendar(today)
    plans = _assign_roles(_stream(seed, "roles"), _catalog(_stream(seed, "catalog"), sku_count))
    return Shop(
        seed=seed,
        calendar=calendar,
        skus=tuple(plans),
        fates=_fates(_stream(seed, "suppliers"), calendar),
        promotions=_promotion_runs(_stream(seed, "promotions"), calendar, plans),
        customers=_customers(_stream(seed, "customers")),
    )


# ---------------------------------------------------------------- simulating the year


class Sale(NamedTuple):
    """One order line as it shipped: which warehouses gave how many."""

    day: int
    channel: int
    sku: int
    parts: tuple[tuple[int, int], ...]
    trade: bool = False


class LedgerEntry(NamedTuple):
    at: datetime
    sku: int
    warehouse: int
    kind: str
    on_hand_delta: int
    allocated_delta: int
    reason: str | None
    ref: str | None
    fate: int = -1
    """For receipts: the PO fate they belong to, turned into `po:<id>` once the PO has its id."""


class PoLineDraft(NamedTuple):
    fate: int
    sku: int
    quantity: int


@dataclass(frozen=True)
class SkuEnding:
    """How a SKU's year ended: all that today's story needs once the history is written."""

    web_stock_until: int
    """The last day that ended with stock in a web warehouse; -1 if never."""
    on_hand: tuple[int, ...]
    """Per warehouse."""

    def on_hand_for(self, channel: int) -> int:
        return sum(self.on_hand[w] for w in CHANNELS[channel].warehouses)


def _no_stock() -> list[int]:
    return [0] * len(WAREHOUSES)


@dataclass
class SkuOutcome:
    sales: list[Sale] = field(default_factory=list)
    ledger: list[LedgerEntry] = field(default_factory=list)
    po_lines: list[PoLineDraft] = field(default_factory=list)
    on_hand: list[int] = field(default_factory=_no_stock)
    web_stock_until: int = -1

    def ending(self) -> SkuEnding:
        return SkuEnding(self.web_stock_until, tuple(self.on_hand))


def _poisson(rng: Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _season(plan: SkuPlan, when: date) -> float:
    phase = 2 * math.pi * (when.timetuple().tm_yday - plan.category.peak_day) / 365.25
    return max(0.05, 1 + plan.category.amplitude * math.cos(phase))


def _trend(plan: SkuPlan, day: int) -> float:
    return 1 + plan.trend * (day / HISTORY_DAYS - 0.5)


def _demand_curve(shop: Shop, plan: SkuPlan, channel: int) -> list[float]:
    """Expected order lines per day up to the horizon: base rate x weekday x season x trend x promotions."""
    base = plan.lines_per_day[channel]
    if base == 0:
        return [0.0] * HORIZON_DAYS
    weekday = CHANNELS[channel].weekday_factor
    dates = [shop.calendar.date_of(d) for d in range(HORIZON_DAYS)]
    curve = [base * weekday[when.weekday()] * _season(plan, when) * _trend(plan, d) for d, when in enumerate(dates)]
    for run in shop.promotions:
        if plan.index in run.members and run.channel in (None, channel):
            for d in range(run.first, run.last + 1):
                curve[d] *= run.lift
    return curve


class StockSimulation:
    """One SKU through the year: deliveries in, customers' orders out, reorders when low.

    Only what is on hand ships, so stock never goes negative and receipts always precede the sales
    they feed; a day with nothing on hand is a stock-out day without sales.
    """

    def __init__(self, shop: Shop, plan: SkuPlan, rng: Random) -> None:
        self.shop, self.plan, self.rng = shop, plan, rng
        self.supplier = SUPPLIERS[plan.supplier]
        self.demand = [_demand_curve(shop, plan, c) for c in range(len(CHANNELS))]
        self.expected = [self._expected_units(w) for w in range(len(WAREHOUSES))]
        self.outcome = SkuOutcome()
        self.on_hand = self.outcome.on_hand
        self.on_order = _no_stock()
        self.arrivals: dict[int, list[tuple[int, int, int]]] = defaultdict(list)

    def run(self) -> SkuOutcome:
        self._open()
        for day in range(HISTORY_DAYS):
            self._receive(day)
            self._adjust(day)
            self._reorder(day)
            shipped = self._sell(day)
            if day == self.plan.sellout_day:
                self._sell_out(day, shipped)
            self._book_shipments(day, shipped)
            if any(self.on_hand[w] for w in CHANNELS[WEB].warehouses):
                self.outcome.web_stock_until = day
        return self.outcome

    def _entry(self, at: datetime, warehouse: int, kind: str, on_hand: int, allocated: int, **extra: Any) -> None:
        self.outcome.ledger.append(LedgerEntry(at, self.plan.index, warehouse, kind, on_hand, allocated, **extra))

    def _expected_units(self, warehouse: int) -> list[float]:
        """Running total of the units a warehouse is expected to ship, day by day: the buyer's forecast.

        The buyer knows the seasons and the promotions ahead, not what customers will actually do.
        """
        share = self.plan.share_of(warehouse) * self.plan.mean_quantity
        serving = [c for c, ch in enumerate(CHANNELS) if warehouse in ch.warehouses]
        running, totals = 0.0, [0.0]
        for day in range(HORIZON_DAYS):
            running += share * sum(self.demand[c][day] for c in serving)
            totals.append(running)
        return totals

    def _forecast(self, warehouse: int, day: int, days: float) -> float:
        """Units expected to ship from a warehouse in `days` days from `day`."""
        totals = self.expected[warehouse]
        whole = min(day + int(days), HORIZON_DAYS - 1)
        fraction = days - int(days)
        return totals[whole] - totals[day] + fraction * (totals[whole + 1] - totals[whole])

    def _open(self) -> None:
        """Go-live: a counted opening stock, roughly half a replenishment cycle plus safety."""
        cycle = self.supplier.review_period_days
        for warehouse in self.plan.warehouses:
            days = cycle * self.rng.uniform(0.3, 1.0) + self.plan.safety_days + self.supplier.lead_time_days
            quantity = max(MIN_ON_HAND, math.ceil(self._forecast(warehouse, 0, days)))
            self.on_hand[warehouse] = quantity
            at = self.shop.calendar.at(-1, OPENING_AT)
            self._entry(at, warehouse, "adjustment", quantity, 0, reason="opening stock count", ref="go-live")

    def _receive(self, day: int) -> None:
        for warehouse, quantity, fate in self.arrivals.pop(day, []):
            self.on_hand[warehouse] += quantity
            self.on_order[warehouse] -= quantity
            received_at = self.shop.fates.all[fate].received_at
            self._entry(received_at, warehouse, "receipt", quantity, 0, reason=None, ref=None, fate=fate)

    def _adjust(self, day: int) -> None:
        """Damage, count corrections, returns; none after a planned sell-out, which must stay sold out."""
        if self.plan.sellout_day is not None and day >= self.plan.sellout_day:
            return
        for warehouse in self.plan.warehouses:
            if self.rng.random() >= ADJUSTMENT_CHANCE:
                continue
            reason, sign = self.rng.choice(ADJUSTMENT_REASONS)
            delta = sign * self.rng.randint(1, 2)
            if self.on_hand[warehouse] + delta < 0:
                continue
            self.on_hand[warehouse] += delta
            at = self.shop.calendar.at(day, time(16, self.rng.randint(0, 59)))
            self._entry(at, warehouse, "adjustment", delta, 0, reason=reason, ref="adjustment")

    def _reorder(self, day: int) -> None:
        """On the supplier's ordering days, order up to target what has fallen to its reorder point."""
        calendar = self.shop.calendar
        for warehouse in self.plan.warehouses:
            fate_index = self.shop.fates.on(self.plan.supplier, warehouse, day)
            if fate_index is None:
                continue
            arrives = self.shop.fates.all[fate_index].arrives_on(calendar)
            if self.plan.role.sells_out and arrives >= HISTORY_DAYS - SUPPLY_CUT_DAYS:
                continue
            quantity = self._order_quantity(warehouse, day)
            if quantity == 0:
                continue
            self.on_order[warehouse] += quantity
            if arrives < HISTORY_DAYS:
                self.arrivals[arrives].append((warehouse, quantity, fate_index))
            self.outcome.po_lines.append(PoLineDraft(fate_index, self.plan.index, quantity))

    def _order_quantity(self, warehouse: int, day: int) -> int:
        """Order when stock plus stock on order will not last the lead time plus safety; up to one more cycle.

        Even the slowest seller keeps a unit on the shelf: a shop does not wait for a sale to reorder it.
        """
        lead = self.supplier.lead_time_days + self.plan.safety_days
        position = self.on_hand[warehouse] + self.on_order[warehouse]
        if position > max(self._forecast(warehouse, day, lead), MIN_ON_HAND):
            return 0
        target = self._forecast(warehouse, day, lead + self.supplier.review_period_days)
        return math.ceil(max(target - position, 1) / self.plan.pack) * self.plan.pack

    def _sell(self, day: int) -> list[int]:
        shipped = [0] * len(WAREHOUSES)
        for channel, spec in enumerate(CHANNELS):
            for _ in range(_poisson(self.rng, self.demand[channel][day])):
                weights = self.plan.quantity_weights
                wanted = 1 + _pick(self.rng, weights)
                parts = self._take(spec.warehouses, wanted)
                if parts:
                    self.outcome.sales.append(Sale(day, channel, self.plan.index, parts))
                    for warehouse, quantity in parts:
                        shipped[warehouse] += quantity
        return shipped

    def _take(self, warehouses: Sequence[int], wanted: int) -> tuple[tuple[int, int], ...]:
        """Units for one line, warehouse by warehouse in the channel's order; fewer if that is all there is."""
        parts = []
        for warehouse in warehouses:
            quantity = min(wanted, self.on_hand[warehouse])
            if quantity > 0:
                parts.append((warehouse, quantity))
                self.on_hand[warehouse] -= quantity
                wanted -= quantity
        return tuple(parts)

    def _sell_out(self, day: int, shipped: list[int]) -> None:
        """A trade buyer takes all web stock left, so the SKU is sold out for today's story."""
        parts = self._take(CHANNELS[WEB].warehouses, sum(self.on_hand))
        if parts:
            self.outcome.sales.append(Sale(day, WEB, self.plan.index, parts, trade=True))
            for warehouse, quantity in parts:
                shipped[warehouse] += quantity

    def _book_shipments(self, day: int, shipped: list[int]) -> None:
        """The day's orders, aggregated per warehouse: allocated at the cut-off, shipped an hour later."""
        for warehouse, quantity in enumerate(shipped):
            if quantity:
                ref = f"orders:{self.shop.calendar.date_of(day).isoformat()}"
                allocated_at = self.shop.calendar.at(day, ALLOCATED_AT)
                shipped_at = self.shop.calendar.at(day, SHIPPED_AT)
                self._entry(allocated_at, warehouse, "allocation", 0, quantity, reason="orders of the day", ref=ref)
                self._entry(shipped_at, warehouse, "shipment", -quantity, -quantity, reason=None, ref=ref)


@dataclass(frozen=True)
class Batch:
    """The simulated year of a batch of SKUs, ready to be written."""

    number: int
    outcomes: tuple[SkuOutcome, ...]

    def sales(self) -> Iterator[Sale]:
        for outcome in self.outcomes:
            yield from outcome.sales

    def ledger_in_time_order(self) -> list[LedgerEntry]:
        """Every movement of the year in time order, so that ledger ids follow time."""
        kinds = {"adjustment": 0, "receipt": 1, "allocation": 2, "shipment": 3}
        entries = [entry for outcome in self.outcomes for entry in outcome.ledger]
        entries.sort(key=lambda e: (e.at, e.sku, e.warehouse, kinds[e.kind]))
        return entries

    def po_lines(self) -> list[PoLineDraft]:
        return sorted((line for o in self.outcomes for line in o.po_lines), key=lambda line: (line.fate, line.sku))


def _simulate_sku(shop: Shop, plan: SkuPlan) -> SkuOutcome:
    if plan.role is Role.PREORDER:
        return SkuOutcome()  # a first release: no history at all
    return StockSimulation(shop, plan, _stream(shop.seed, f"sku:{plan.index}")).run()


def _simulate_batch(shop: Shop, number: int, meter: Meter) -> Batch:
    outcomes = []
    for plan in shop.skus[number * BATCH_SKUS : (number + 1) * BATCH_SKUS]:
        outcomes.append(_simulate_sku(shop, plan))
        meter.advance(1)
    return Batch(number, tuple(outcomes))


# ---------------------------------------------------------------- turning sales into customers' orders


class HistoricOrder(NamedTuple):
    id: str
    channel: int
    email: str
    placed_at: datetime
    sales: tuple[Sale, ...]


def _order_id(rng: Random) -> str:
    return f"ord_{rng.getrandbits(96):024x}"


def _placed_at(rng: Random, calendar: Calendar, day: int) -> datetime:
    hour = _pick(rng, DIURNAL_CUMULATIVE)
    return calendar.at(day - 1, CUTOFF) + timedelta(hours=hour, seconds=rng.randrange(3600))


def _customer(rng: Random, shop: Shop) -> str:
    """Some customers come back often: the pool is drawn with a skew towards its start."""
    return shop.customers[int(len(shop.customers) * rng.random() ** 1.7)]


def _baskets(rng: Random, sales: list[Sale], basket_weights: Sequence[float]) -> Iterator[list[Sale]]:
    """Group a day's lines into orders of 1-4 lines, never the same SKU twice in one order."""
    rng.shuffle(sales)
    i = 0
    while i < len(sales):
        size = 1 + _pick(rng, basket_weights)
        basket = [sales[i]]
        i += 1
        while len(basket) < size and i < len(sales) and sales[i].sku not in {s.sku for s in basket}:
            basket.append(sales[i])
            i += 1
        yield basket


def _pack_orders(shop: Shop, batch: Batch) -> list[HistoricOrder]:
    rng = _stream(shop.seed, f"orders:{batch.number}")
    by_day: dict[tuple[int, int], list[Sale]] = defaultdict(list)
    for sale in batch.sales():
        by_day[(sale.day, sale.channel)].append(sale)
    orders: list[HistoricOrder] = []
    for day in range(HISTORY_DAYS):
        for channel, spec in enumerate(CHANNELS):
            sales = by_day.get((day, channel), [])
            for trade in (s for s in sales if s.trade):
                at = shop.calendar.at(day, time(11, rng.randint(0, 59)))
                orders.append(HistoricOrder(_order_id(rng), channel, TRADE_BUYER, at, (trade,)))
            regular = [s for s in sales if not s.trade]
            for basket in _baskets(rng, regular, spec.basket_weights):
                at = _placed_at(rng, shop.calendar, day)
                orders.append(HistoricOrder(_order_id(rng), channel, _customer(rng, shop), at, tuple(basket)))
    return orders


# ---------------------------------------------------------------- writing the year


class Meter:
    """The Rich progress bar on stderr, one task per phase."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None
        self.total = 0

    def start(self, description: str, total: int) -> None:
        """A new phase; the previous one is shown complete."""
        if self.task is not None:
            self.progress.update(self.task, completed=self.total)
        self.task, self.total = self.progress.add_task(description, total=total), total

    def advance(self, amount: float) -> None:
        if self.task is not None:
            self.progress.advance(self.task, amount)


@contextmanager
def _meter() -> Iterator[Meter]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        yield Meter(progress)


@dataclass(frozen=True)
class Ids:
    """Database ids of the catalog, by the demo's own indexes."""

    warehouses: list[int]
    channels: list[int]
    suppliers: list[int]
    skus: list[int]


Row = dict[str, Any]


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[model.__tablename__]


def _insert(session: Session, model: type[Base], rows: Sequence[Row]) -> None:
    table = _table(model)
    for start in range(0, len(rows), CHUNK_ROWS):
        session.execute(insert(table), rows[start : start + CHUNK_ROWS])


def _insert_returning_ids(session: Session, model: type[Base], rows: Sequence[Row]) -> list[int]:
    """Insert in chunks and return the new ids in the order of `rows` (RETURNING, sorted by parameter order)."""
    table = _table(model)
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        result = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk)
        ids.extend(int(i) for i in result.scalars())
    return ids


def _write_catalog(session: Session, shop: Shop) -> Ids:
    warehouses = _insert_returning_ids(session, Warehouse, [{"code": w.code, "name": w.name} for w in WAREHOUSES])
    channels = _insert_returning_ids(
        session, Channel, [{"code": c.code, "name": c.name, "safety_buffer": 0} for c in CHANNELS]
    )
    _insert(
        session,
        ChannelWarehouse,
        [
            {"channel_id": channels[c], "warehouse_id": warehouses[w], "rank": rank}
            for c, spec in enumerate(CHANNELS)
            for rank, w in enumerate(spec.warehouses)
        ],
    )
    suppliers = _insert_returning_ids(
        session,
        Supplier,
        [
            {"code": s.code, "name": s.name, "lead_time_days": s.lead_time_days, "lateness_p90_days": None}
            for s in SUPPLIERS
        ],
    )
    skus = _insert_returning_ids(session, Sku, [_sku_row(plan) for plan in shop.skus])
    _insert(session, SupplierSku, _supplier_terms_rows(shop, suppliers, skus))
    return Ids(warehouses, channels, suppliers, skus)


def _supplier_terms_rows(shop: Shop, suppliers: list[int], skus: list[int]) -> list[Row]:
    """What each SKU's supplier charges (landed cost 45% of the shop price, MOQ two packs), so that
    `restock plan` has something to buy. Every fourth SKU can also come from Quickship: faster, dearer,
    smaller packs, which gives the planner a real choice when a stock-out is near."""
    rows: list[Row] = []
    for index, (plan, sku_id) in enumerate(zip(shop.skus, skus, strict=True)):
        cost = (plan.price * Decimal("0.45")).quantize(Decimal("0.01"))
        rows.append(_terms_row(suppliers[plan.supplier], sku_id, cost, plan.pack, 2 * plan.pack))
        if index % 4 == 0 and plan.supplier != QUICKSHIP:
            rows.append(_terms_row(suppliers[QUICKSHIP], sku_id, cost * Decimal("1.3"), 1, 1))
    return rows


def _terms_row(supplier_id: int, sku_id: int, cost: Decimal, pack: int, moq: int) -> Row:
    return {
        "supplier_id": supplier_id,
        "sku_id": sku_id,
        "lead_time_days": None,
        "moq": moq,
        "pack_size": pack,
        "unit_cost": cost.quantize(Decimal("0.01")),
    }


def _sku_row(plan: SkuPlan) -> Row:
    return {
        "code": plan.code,
        "name": plan.name,
        "price": plan.price,
        "backorder_policy": plan.policy.value,
        "max_wait_days": plan.max_wait_days,
        "backorder_limit_pct": plan.backorder_limit_pct,
    }


@dataclass(frozen=True)
class PoState:
    """A simulated PO as the database sees it today: received, or still open with what is known so far."""

    status: POStatus
    eta: date | None
    first_eta: date | None
    confirmed_at: datetime | None
    received_at: datetime | None
    eta_history: tuple[tuple[date | None, date, datetime], ...]


def _po_state(fate: PoFate, calendar: Calendar) -> PoState:
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


def _po_row(fate: PoFate, state: PoState, ids: Ids) -> Row:
    return {
        "supplier_id": ids.suppliers[fate.supplier],
        "warehouse_id": ids.warehouses[fate.warehouse],
        "status": state.status.value,
        "eta": state.eta,
        "eta_confirmed": state.confirmed_at is not None,
        "first_confirmed_eta": state.first_eta,
        "created_at": fate.created_at,
        "sent_at": fate.sent_at,
        "confirmed_at": state.confirmed_at,
        "received_at": state.received_at,
        "cancelled_at": None,
    }


def _units(sale: Sale) -> int:
    return sum(quantity for _, quantity in sale.parts)


def _order_row(order: HistoricOrder, ids: Ids) -> Row:
    return {
        "id": order.id,
        "channel_id": ids.channels[order.channel],
        "email": order.email,
        "priority": 0,
        "status": "shipped",
        "placed_at": order.placed_at,
        "idempotency_key": None,
        "request_hash": None,
    }


def _part_row(line_id: int, order: HistoricOrder, sale: Sale, warehouse: int, quantity: int, ids: Ids) -> Row:
    return {
        "order_line_id": line_id,
        "sku_id": ids.skus[sale.sku],
        "channel_id": ids.channels[order.channel],
        "kind": "shipped",
        "quantity": quantity,
        "warehouse_id": ids.warehouses[warehouse],
        "po_line_id": None,
        "priority": 0,
        "placed_at": order.placed_at,
        "window_earliest": None,
        "window_latest": None,
        "promised_latest": None,
        "delayed": False,
        "filled_by": None,
    }


class HistoryWriter:
    """Writes the simulated year into the caller's transaction, one batch of SKUs at a time."""

    def __init__(self, session: Session, shop: Shop, ids: Ids, meter: Meter) -> None:
        self.session, self.shop, self.ids, self.meter = session, shop, ids, meter
        self.po_ids: dict[int, int] = {}
        self.po_states: dict[int, PoState] = {}

    def write(self, batch: Batch) -> None:
        share = len(batch.outcomes) / 3
        self._write_purchase_orders(batch)
        self._write_orders(_pack_orders(self.shop, batch))
        self.meter.advance(2 * share)
        self._write_ledger(batch.ledger_in_time_order())
        self.meter.advance(share)

    def _write_purchase_orders(self, batch: Batch) -> None:
        """The POs the batch's SKUs were ordered on (new ones with their ETA history), and their lines."""
        lines = batch.po_lines()
        fates = self.shop.fates.all
        new = sorted({line.fate for line in lines} - self.po_ids.keys(), key=lambda f: (fates[f].created_at, f))
        self.po_states.update((f, _po_state(fates[f], self.shop.calendar)) for f in new)
        rows = [_po_row(fates[f], self.po_states[f], self.ids) for f in new]
        self.po_ids.update(zip(new, _insert_returning_ids(self.session, PurchaseOrder, rows), strict=True))
        eta_rows = [
            {"po_id": self.po_ids[f], "old_eta": old, "new_eta": new_eta, "changed_at": at}
            for f in new
            for old, new_eta, at in self.po_states[f].eta_history
        ]
        _insert(self.session, EtaChange, eta_rows)
        line_rows = [
            {
                "po_id": self.po_ids[line.fate],
                "sku_id": self.ids.skus[line.sku],
                "ordered": line.quantity,
                "received": line.quantity if self.po_states[line.fate].status is POStatus.RECEIVED else 0,
                "promised": 0,
                # as confirm_po leaves them: a confirmed PO's lines are open for promises
                "promisable": self.po_states[line.fate].status is POStatus.CONFIRMED,
            }
            for line in lines
        ]
        _insert(self.session, POLine, line_rows)

    def _write_orders(self, orders: list[HistoricOrder]) -> None:
        """Shipped orders, their lines, and one shipped part per warehouse a line was taken from."""
        _insert(self.session, Order, [_order_row(order, self.ids) for order in orders])
        sales = [(order, sale) for order in orders for sale in order.sales]
        line_rows = [
            {"order_id": order.id, "sku_id": self.ids.skus[sale.sku], "quantity": _units(sale), "status": "shipped"}
            for order, sale in sales
        ]
        line_ids = _insert_returning_ids(self.session, OrderLine, line_rows)
        part_rows = [
            _part_row(line_id, order, sale, warehouse, quantity, self.ids)
            for (order, sale), line_id in zip(sales, line_ids, strict=True)
            for warehouse, quantity in sale.parts
        ]
        _insert(self.session, LinePart, part_rows)

    def _write_ledger(self, entries: list[LedgerEntry]) -> None:
        """The movements, then the balances as their sums: the two agree because one is computed from the other."""
        rows = [
            {
                "sku_id": self.ids.skus[e.sku],
                "warehouse_id": self.ids.warehouses[e.warehouse],
                "kind": e.kind,
                "on_hand_delta": e.on_hand_delta,
                "allocated_delta": e.allocated_delta,
                "reason": e.reason,
                "ref": f"po:{self.po_ids[e.fate]}" if e.fate >= 0 else e.ref,
                "created_at": e.at,
            }
            for e in entries
        ]
        _insert(self.session, Movement, rows)
        balances: dict[tuple[int, int], list[int]] = {}
        for e in entries:
            balance = balances.setdefault((e.sku, e.warehouse), [0, 0])
            balance[0] += e.on_hand_delta
            balance[1] += e.allocated_delta
        stock_rows = [
            {"sku_id": self.ids.skus[s], "warehouse_id": self.ids.warehouses[w], "on_hand": on_hand, "allocated": held}
            for (s, w), (on_hand, held) in sorted(balances.items())
        ]
        _insert(self.session, Stock, stock_rows)


def _write_year(ctx: Context, shop: Shop, meter: Meter) -> list[SkuEnding]:
    """Simulate and write the year batch by batch, in one transaction: all of it or nothing."""
    meter.start("simulating and writing a year of history", 2 * len(shop.skus))
    endings: list[SkuEnding] = []
    with unit_of_work(ctx.engine) as session:
        _refuse_non_empty(session)
        writer = HistoryWriter(session, shop, _write_catalog(session, shop), meter)
        for number in range(math.ceil(len(shop.skus) / BATCH_SKUS)):
            batch = _simulate_batch(shop, number, meter)
            writer.write(batch)
            endings.extend(outcome.ending() for outcome in batch.outcomes)
        for supplier_id in writer.ids.suppliers:
            refresh_supplier_lateness(session, supplier_id, ctx.clock.today())
    return endings


# ---------------------------------------------------------------- today's story, through the real use cases


@dataclass(frozen=True)
class StoppedClock(Clock):
    """The business clock held at one moment, so that what the demo does 'in the past' is dated then."""

    at: datetime = datetime(2000, 1, 1)

    def now(self) -> datetime:
        return self.at


def _as_of(ctx: Context, when: datetime) -> Context:
    return replace(ctx, clock=StoppedClock(when.date(), when))


@dataclass
class PlannedPO:
    """A PO of today's story; `id` is filled in when the step that creates it has run."""

    sku: str
    supplier: str
    quantity: int
    created_at: datetime
    confirmed_at: datetime | None = None
    eta: date | None = None
    slipped_at: datetime | None = None
    slipped_eta: date | None = None
    warehouse: str = WAREHOUSES[MAIN].code
    id: int | None = None


@dataclass(frozen=True)
class Step:
    at: datetime
    run: Callable[[Context], None]


@dataclass
class StoryResult:
    refused_orders: int = 0


def _create_po(po: PlannedPO, ctx: Context) -> None:
    po.id = purchasing.create_po(ctx, po.supplier, po.warehouse, [(po.sku, po.quantity)]).id
    purchasing.send_po(ctx, po.id)


def _confirm_po(po: PlannedPO, ctx: Context) -> None:
    assert po.id is not None, "created before it is confirmed"
    assert po.eta is not None, "a confirmation needs an ETA"
    purchasing.confirm_po(ctx, po.id, po.eta)


def _slip_po(po: PlannedPO, ctx: Context) -> None:
    assert po.id is not None, "created before its ETA moves"
    assert po.slipped_eta is not None, "a slip needs the new ETA"
    purchasing.change_eta(ctx, po.id, po.slipped_eta)


def _place(request: OrderRequest, result: StoryResult, ctx: Context) -> None:
    try:
        place_order(ctx, request)
    except OrderRefused:
        result.refused_orders += 1


def _po_steps(po: PlannedPO) -> list[Step]:
    steps = [Step(po.created_at, partial(_create_po, po))]
    if po.confirmed_at is not None:
        steps.append(Step(po.confirmed_at, partial(_confirm_po, po)))
    if po.slipped_at is not None:
        steps.append(Step(po.slipped_at, partial(_slip_po, po)))
    return steps


@dataclass(frozen=True)
class StoryContext:
    """What today's story needs to know: the plan, how the year ended, and the suppliers' measured lateness."""

    shop: Shop
    endings: list[SkuEnding]
    lateness: dict[int, int]
    handling_days: int
    result: StoryResult
    rng: Random

    @property
    def today(self) -> date:
        return self.shop.calendar.today

    def day(self, days_before_today: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(self.today - timedelta(days=days_before_today), time(hour, minute))

    def sold_out_since(self, plan: SkuPlan) -> date:
        return self.shop.calendar.date_of(self.endings[plan.index].web_stock_until + 1)


def _orders_between(
    story: StoryContext,
    plan: SkuPlan,
    first: datetime,
    count: int,
    quantities: Sequence[int] = (1, 1, 1, 2),
    last: datetime | None = None,
) -> list[Step]:
    """`count` single-line web orders for a SKU, spread from `first` to `last` (yesterday evening)."""
    last = last or story.day(1, 19, 30)
    first = min(first, last)
    span = int((last - first).total_seconds())
    moments = sorted(first + timedelta(seconds=story.rng.randint(0, span)) for _ in range(count))
    steps = []
    for moment in moments:
        priority = 5 if story.rng.random() < 0.15 else 0
        quantity = story.rng.choice(quantities)
        email = _customer(story.rng, story.shop)
        request = OrderRequest(CHANNELS[WEB].code, email, (LineRequest(plan.code, quantity),), priority)
        steps.append(Step(moment, partial(_place, request, story.result)))
    return steps


def _first_order_at(story: StoryContext, plan: SkuPlan, po: PlannedPO, not_before_days: int) -> datetime:
    """Customers order once the SKU is sold out, the PO confirmed, and not earlier than a few days ago."""
    confirmed = po.confirmed_at or po.created_at
    sold_out = datetime.combine(story.sold_out_since(plan), time(8, 0))
    return max(sold_out, confirmed + timedelta(hours=1), story.day(not_before_days, 8))


def _po_quantity(plan: SkuPlan, supplier: SupplierSpec, minimum: int) -> int:
    units = sum(plan.lines_per_day) * plan.mean_quantity * (supplier.lead_time_days + 14)
    return math.ceil(max(units, minimum) / plan.pack) * plan.pack


def _eta_in_days(story: StoryContext, plan: SkuPlan, low: int, high: int, waited_days: int) -> int:
    """A due date whose promised window still fits the SKU's maximum wait for a customer who ordered days ago."""
    room = plan.max_wait_days - story.handling_days - story.lateness[plan.supplier] - waited_days
    return max(low, min(story.rng.randint(low, high), room))


def _confirmed_po(story: StoryContext, plan: SkuPlan, eta: date, quantity: int) -> PlannedPO:
    """A PO confirmed a lead time before its ETA (not later than two days ago), created a day before that."""
    supplier = SUPPLIERS[plan.supplier]
    confirm_on = min(eta - timedelta(days=supplier.lead_time_days), story.today - timedelta(days=2))
    confirmed_at = datetime.combine(confirm_on, time(14, story.rng.randint(0, 59)))
    created_at = confirmed_at - timedelta(days=1, hours=4)
    return PlannedPO(plan.code, supplier.code, quantity, created_at, confirmed_at, eta)


def _backordered_story(story: StoryContext, plan: SkuPlan) -> list[Step]:
    waiting_days = 10
    eta = story.today + timedelta(days=_eta_in_days(story, plan, 3, 16, waiting_days))
    count = story.rng.randint(3, 7)
    po = _confirmed_po(story, plan, eta, _po_quantity(plan, SUPPLIERS[plan.supplier], 4 * count + 10))
    first = _first_order_at(story, plan, po, waiting_days)
    return _po_steps(po) + _orders_between(story, plan, first, count)


def _cap_reached_story(story: StoryContext, plan: SkuPlan) -> list[Step]:
    """A PO of 24 under a 50% limit: twelve units may be promised, and four orders of three take them all."""
    waiting_days = 10
    eta = story.today + timedelta(days=_eta_in_days(story, plan, 3, 14, waiting_days))
    po = _confirmed_po(story, plan, eta, 24)
    first = _first_order_at(story, plan, po, waiting_days)
    return _po_steps(po) + _orders_between(story, plan, first, 4, quantities=(3,))


def _late_story(story: StoryContext, plan: SkuPlan) -> list[Step]:
    """Customers wait on a PO from the unreliable supplier whose confirmed ETA has passed.

    One variant slipped once with notice (its early customers' promises moved later) and is late again;
    the other just never came.
    """
    supplier = SUPPLIERS[plan.supplier]
    quantity = _po_quantity(plan, supplier, 30)
    if plan.variant % 2 == 0:
        po = PlannedPO(plan.code, supplier.code, quantity, story.day(70, 10), story.day(68, 15))
        po.eta = story.today - timedelta(days=20)
        po.slipped_at, po.slipped_eta = story.day(24, 11), story.today - timedelta(days=6)
        first = _first_order_at(story, plan, po, 33)
        before = _orders_between(story, plan, first, 3, last=story.day(25, 18))
        after = _orders_between(story, plan, story.day(23, 9), 3, last=story.day(8, 18))
        return _po_steps(po) + before + after
    po = PlannedPO(plan.code, supplier.code, quantity, story.day(50, 10), story.day(48, 15))
    po.eta = story.today - timedelta(days=3)
    first = _first_order_at(story, plan, po, 14)
    return _po_steps(po) + _orders_between(story, plan, first, 4, last=story.day(4, 18))


def _preorder_story(story: StoryContext, plan: SkuPlan) -> list[Step]:
    """A first release: confirmed, not yet arrived, and shoppers pre-ordering it."""
    waiting_days = 14
    eta = story.today + timedelta(days=_eta_in_days(story, plan, 5, 14, waiting_days))
    count = story.rng.randint(5, 10)
    po = _confirmed_po(story, plan, eta, _po_quantity(plan, SUPPLIERS[plan.supplier], 4 * count + 20))
    first = max(po.confirmed_at or po.created_at, story.day(waiting_days, 8)) + timedelta(hours=1)
    return _po_steps(po) + _orders_between(story, plan, first, count)


def _unconfirmed_story(story: StoryContext, plan: SkuPlan) -> list[Step]:
    supplier = SUPPLIERS[plan.supplier]
    created = story.day(story.rng.randint(1, 3), 10, story.rng.randint(0, 59))
    return _po_steps(PlannedPO(plan.code, supplier.code, _po_quantity(plan, supplier, 12), created))


def _never_with_inbound_story(story: StoryContext, plan: SkuPlan) -> list[Step]:
    eta = story.today + timedelta(days=story.rng.randint(5, 20))
    return _po_steps(_confirmed_po(story, plan, eta, _po_quantity(plan, SUPPLIERS[plan.supplier], 12)))


def _always_unpromised_story(story: StoryContext, plan: SkuPlan) -> list[Step]:
    first = datetime.combine(story.sold_out_since(plan), time(8, 0))
    return _orders_between(story, plan, max(first, story.day(6, 8)), story.rng.randint(1, 3))


STORIES: dict[Role, Callable[[StoryContext, SkuPlan], list[Step]]] = {
    Role.BACKORDERED: _backordered_story,
    Role.CAP_REACHED: _cap_reached_story,
    Role.LATE: _late_story,
    Role.PREORDER: _preorder_story,
    Role.UNCONFIRMED: _unconfirmed_story,
    Role.NEVER_WITH_INBOUND: _never_with_inbound_story,
    Role.ALWAYS_UNPROMISED: _always_unpromised_story,
}


def _tonights_orders(story: StoryContext) -> list[Step]:
    """Orders placed after yesterday's cut-off: allocated, waiting for today's shipping run."""
    free = {(p.index, c): story.endings[p.index].on_hand_for(c) for p in story.shop.skus for c in range(len(CHANNELS))}
    regular = [p for p in story.shop.skus if p.role is Role.REGULAR]
    steps = []
    for n in range(10 + len(story.shop.skus) // 40):
        channel = WEB if story.rng.random() < 0.75 else MARKETPLACE
        candidates = [p for p in regular if free[(p.index, channel)] >= 2]
        chosen = story.rng.sample(candidates, k=min(len(candidates), story.rng.choice((1, 1, 2, 3))))
        if not chosen:
            continue
        for plan in chosen:
            free[(plan.index, channel)] -= 1
        lines = tuple(LineRequest(plan.code, 1) for plan in chosen)
        request = OrderRequest(CHANNELS[channel].code, _customer(story.rng, story.shop), lines)
        at = story.day(1, 21, 5) + timedelta(minutes=n * 10 + story.rng.randint(0, 9))
        steps.append(Step(at, partial(_place, request, story.result)))
    return steps


def _plan_today(story: StoryContext) -> list[Step]:
    steps: list[Step] = []
    for plan in story.shop.skus:
        tell = STORIES.get(plan.role)
        if tell is not None:
            steps.extend(tell(story, plan))
    steps.extend(_tonights_orders(story))
    return sorted(steps, key=lambda s: s.at)


def _measured_lateness(ctx: Context) -> dict[int, int]:
    """Each supplier's P90 lateness as the services will use it, by the demo's supplier index."""
    with unit_of_work(ctx.engine, readonly=True) as session:
        measured = dict(session.execute(select(Supplier.code, Supplier.lateness_p90_days)).all())
    default = ctx.settings.default_lateness_days
    return {i: default if measured[s.code] is None else int(measured[s.code] or 0) for i, s in enumerate(SUPPLIERS)}


def _tell_todays_story(ctx: Context, shop: Shop, endings: list[SkuEnding], meter: Meter) -> StoryResult:
    story = StoryContext(
        shop, endings, _measured_lateness(ctx), ctx.settings.handling_days, StoryResult(), _stream(shop.seed, "today")
    )
    steps = _plan_today(story)
    meter.start("placing today's backorders, pre-orders and open POs", len(steps))
    for step in steps:
        step.run(_as_of(ctx, step.at))
        meter.advance(1)
    with unit_of_work(ctx.engine) as session:
        for supplier_id in session.scalars(select(Supplier.id).order_by(Supplier.id)):
            refresh_supplier_lateness(session, supplier_id, ctx.clock.today())
    return story.result


# ---------------------------------------------------------------- guard, summary and entry point


def _check_size(sku_count: int) -> None:
    if not MIN_SKUS <= sku_count <= MAX_SKUS:
        raise InvalidInput(f"the demo needs between {MIN_SKUS} and {MAX_SKUS} SKUs, got {sku_count}")


def _refuse_non_empty(session: Session) -> None:
    """The demo writes a whole shop with fixed codes: mixing it into real data would corrupt both."""
    counts = {
        name: session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in (
            ("SKUs", Sku),
            ("warehouses", Warehouse),
            ("channels", Channel),
            ("suppliers", Supplier),
            ("orders", Order),
            ("purchase orders", PurchaseOrder),
        )
    }
    found = ", ".join(f"{count} {name}" for name, count in counts.items() if count)
    if found:
        raise Conflict(
            f"the demo only loads into an empty database, and this one already has {found}; "
            "point RESTOCK_DATABASE_URL at a new database and run `restock init` first"
        )


@dataclass(frozen=True)
class DemoSummary:
    """What was loaded, counted back from the database rather than taken from the plan."""

    seed: int
    today: date
    catalog: tuple[int, int, int, int]
    """SKUs, warehouses, channels, suppliers."""
    shipped_orders: int
    shipped_lines: int
    shipped_units: int
    movements: int
    po_statuses: Counter[str]
    late_pos: int
    lateness: list[tuple[str, int | None]]
    waiting: int
    pegged: int
    web_states: Counter[str]
    examples: list[tuple[str, str]]
    """(state, SKU code): one SKU to look at per availability state."""
    refused_orders: int

    def text(self) -> str:
        skus, warehouses, channels, suppliers = self.catalog
        pos = self.po_statuses
        lines = [
            f"demo shop loaded (seed {self.seed}, today {self.today}):",
            f"  catalog: {skus} SKUs, {warehouses} warehouses, {channels} channels, {suppliers} suppliers",
            f"  history since {self.today - timedelta(days=HISTORY_DAYS)}: {self.shipped_orders:,} shipped orders, "
            f"{self.shipped_lines:,} lines, {self.shipped_units:,} units; {self.movements:,} ledger movements",
            f"  purchase orders: {pos['received']} received; open: {pos['confirmed']} confirmed "
            f"({self.late_pos} past their ETA), {pos['sent']} sent awaiting confirmation",
            "  supplier lateness (P90 days): " + ", ".join(f"{code} {days}" for code, days in self.lateness),
            f"  waiting backorders: {self.waiting} ({self.pegged} pegged to a confirmed PO, "
            f"{self.waiting - self.pegged} unpromised)",
            "  web availability: " + ", ".join(f"{self.web_states[s.value]} {s.value}" for s in AvailabilityState),
            "  look at (`restock availability SKU`): "
            + ", ".join(f"{code} ({state})" for state, code in self.examples),
        ]
        if self.refused_orders:
            lines.append(f"  note: the order rules refused {self.refused_orders} of today's demo orders")
        return "\n".join(lines)


def _examples(views: list[AvailabilityView]) -> list[tuple[str, str]]:
    """One SKU per state worth a look; a backorder with a ship window rather than one without a date."""
    first: dict[str, str] = {}
    for view in sorted(views, key=lambda v: v.decision.ship_window is None):
        first.setdefault(view.decision.state.value, view.sku)
    return [(state.value, first[state.value]) for state in AvailabilityState if state.value in first]


def _count(session: Session, model: type[Base], *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _summarise(ctx: Context, seed: int, result: StoryResult) -> DemoSummary:
    today = ctx.clock.today()
    waiting = waiting_backorders(ctx)
    views = catalog_availability(ctx, CHANNELS[WEB].code)
    states = Counter(v.decision.state.value for v in views)
    with unit_of_work(ctx.engine, readonly=True) as session:
        statuses = select(PurchaseOrder.status, func.count()).group_by(PurchaseOrder.status)
        return DemoSummary(
            seed=seed,
            today=today,
            catalog=(
                _count(session, Sku),
                _count(session, Warehouse),
                _count(session, Channel),
                _count(session, Supplier),
            ),
            shipped_orders=_count(session, Order, Order.status == "shipped"),
            shipped_lines=_count(session, OrderLine, OrderLine.status == "shipped"),
            shipped_units=session.scalar(select(func.sum(OrderLine.quantity)).where(OrderLine.status == "shipped"))
            or 0,
            movements=_count(session, Movement),
            po_statuses=Counter(dict(session.execute(statuses).all())),
            late_pos=_count(
                session,
                PurchaseOrder,
                PurchaseOrder.status.in_(["confirmed", "partially_received"]),
                PurchaseOrder.eta < today,
            ),
            lateness=[
                (code, days) for code, days in session.execute(select(Supplier.code, Supplier.lateness_p90_days))
            ],
            waiting=len(waiting),
            pegged=sum(1 for b in waiting if b.po is not None),
            web_states=states,
            examples=_examples(views),
            refused_orders=result.refused_orders,
        )


def load_demo(ctx: Context, seed: int = 7, sku_count: int = 240) -> str:
    """Fill an empty, migrated database with a year of a realistic shop's history and today's open promises.

    The same seed gives the same shop. Refuses (Conflict) a database that already holds data.
    Returns a short summary for a human.
    """
    _check_size(sku_count)
    with unit_of_work(ctx.engine, readonly=True) as session:
        _refuse_non_empty(session)
    shop = _plan_shop(seed, sku_count, ctx.clock.today())
    with _meter() as meter:
        endings = _write_year(ctx, shop, meter)
        result = _tell_todays_story(ctx, shop, endings, meter)
    return _summarise(ctx, seed, result).text()
