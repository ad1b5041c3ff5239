"""The whole plan of a demo shop, drawn from the seed before anything is simulated or written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from random import Random

from restock.demo.catalog import SkuPlan, plan_catalog
from restock.demo.fates import Fates, plan_fates
from restock.demo.promotions import PromoRun, promotion_runs
from restock.demo.randomness import stream
from restock.demo.roles import assign_roles
from restock.demo.timeline import Calendar

CUSTOMER_POOL = 20_000


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


@dataclass(frozen=True)
class Shop:
    seed: int
    calendar: Calendar
    skus: tuple[SkuPlan, ...]
    fates: Fates
    promotions: tuple[PromoRun, ...]
    customers: tuple[str, ...]


def _customers(rng: Random) -> tuple[str, ...]:
    return tuple(
        f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}{rng.randint(1, 999)}@{rng.choice(MAIL_DOMAINS)}"
        for _ in range(CUSTOMER_POOL)
    )


def plan_shop(seed: int, sku_count: int, today: date) -> Shop:
    calendar = Calendar(today)
    plans = assign_roles(stream(seed, "roles"), plan_catalog(stream(seed, "catalog"), sku_count))
    return Shop(
        seed=seed,
        calendar=calendar,
        skus=tuple(plans),
        fates=plan_fates(stream(seed, "suppliers"), calendar),
        promotions=promotion_runs(stream(seed, "promotions"), calendar, plans),
        customers=_customers(stream(seed, "customers")),
    )


def pick_customer(rng: Random, shop: Shop) -> str:
    """Some customers come back often: the pool is drawn with a skew towards its start."""
    return shop.customers[int(len(shop.customers) * rng.random() ** 1.7)]
