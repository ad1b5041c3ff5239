"""Per-SKU replenishment settings, their defaults, and the ABC classes that set each SKU's service level."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import numpy as np
import pandas as pd

from restock.config import Settings


class OrderPolicy(enum.StrEnum):
    ORDER_UP_TO = "order_up_to"
    """Periodic review: order what brings the position up to the order-up-to level."""
    EOQ = "eoq"
    """Order the economic order quantity (or more, when the position is far below the reorder point)."""


OrderPolicyName = Literal["order_up_to", "eoq"]
"""`OrderPolicy`'s values, for a schema that spells them as a `Literal`."""


@dataclass(frozen=True)
class PlanningSettings:
    """How one SKU is replenished. A SKU without settings of its own gets DEFAULT."""

    review_days: int = 7
    policy: OrderPolicy = OrderPolicy.ORDER_UP_TO
    order_cost: Decimal = Decimal("25.00")
    """Cost of placing one purchase order line (admin, receiving); only used by EOQ."""
    holding_rate_pct: Decimal = Decimal("25.00")
    """Yearly cost of holding one unit, in percent of its unit cost (capital, storage, shrinkage)."""
    service_level_pct: Decimal | None = None
    """Cycle service level for this SKU; None: the level of its ABC class."""

    def __post_init__(self) -> None:
        if not 1 <= self.review_days <= 365:
            raise ValueError(f"the review period must be from 1 to 365 days, got {self.review_days}")
        if not (self.order_cost.is_finite() and 0 <= self.order_cost <= Decimal("1000000")):
            raise ValueError(f"the order cost must be from 0 to 1000000, got {self.order_cost}")
        if not (self.holding_rate_pct.is_finite() and 0 < self.holding_rate_pct <= 100):
            raise ValueError(f"the holding rate must be above 0 and at most 100 percent, got {self.holding_rate_pct}")
        level = self.service_level_pct
        if level is not None and not (level.is_finite() and 50 <= level < 100):
            raise ValueError(f"a service level must be from 50 up to (not including) 100 percent, got {level}")


DEFAULT = PlanningSettings()


def abc_classes(revenue: pd.Series, settings: Settings) -> pd.Series:
    """A, B or C per SKU (the index), by share of revenue: the SKUs making the first A-share percent of
    revenue (largest first) are A, up to the B share B, the rest C. A SKU with no revenue is always C."""
    ordered = revenue.clip(lower=0).sort_values(ascending=False, kind="stable")
    total = float(ordered.sum())
    if total <= 0:
        return pd.Series("C", index=revenue.index)
    before = (ordered.cumsum() - ordered) / total * 100  # revenue share of the SKUs ranked above this one
    classes = np.select([before < settings.abc_a_share_pct, before < settings.abc_b_share_pct], ["A", "B"], default="C")
    found = pd.Series(classes, index=ordered.index)
    found[ordered <= 0] = "C"
    return found.reindex(revenue.index)


def class_service_levels(classes: pd.Series, settings: Settings) -> pd.Series:
    """The cycle service level (a share, 0.98) each class is planned for."""
    levels = {
        "A": settings.service_level_a_pct / 100,
        "B": settings.service_level_b_pct / 100,
        "C": settings.service_level_c_pct / 100,
    }
    return classes.map(levels).astype("float64")


def sku_revenue(rows: pd.DataFrame) -> pd.Series:
    """Forecast revenue per SKU (the index), over all its warehouses: forecast units x price."""
    return (rows["demand_mean"] * rows["price"]).groupby(rows["sku"]).sum()


def with_service_levels(rows: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Each row's ABC class and the service level it is planned for: the SKU's own, else its class's."""
    classes = abc_classes(sku_revenue(rows), settings)
    rows["abc"] = rows["sku"].map(classes).fillna("C")
    rows["service_level"] = rows["service_level"].fillna(class_service_levels(rows["abc"], settings))
    return rows


def with_default_settings(skus: pd.DataFrame) -> pd.DataFrame:
    """The skus frame of the engine from each SKU's price and own settings (NULL: DEFAULT's), rates as shares."""
    skus["price"] = skus["price"].astype("float64")
    skus["review_days"] = pd.to_numeric(skus["review_days"]).fillna(DEFAULT.review_days).astype("int64")
    skus["policy"] = skus["policy"].where(skus["policy"].notna(), DEFAULT.policy.value)
    skus["order_cost"] = skus["order_cost"].astype("float64").fillna(float(DEFAULT.order_cost))
    skus["holding_rate"] = skus["holding_rate_pct"].astype("float64").fillna(float(DEFAULT.holding_rate_pct)) / 100
    skus["service_level"] = skus["service_level_pct"].astype("float64") / 100
    return skus
