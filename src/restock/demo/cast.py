"""The demo shop's fixed cast: its warehouses, sales channels and suppliers, each with the habits the
simulation gives it. Everything else refers to them by index (MAIN, WEB, FAREAST...), in this order."""

from __future__ import annotations

from dataclasses import dataclass

MAIN, EAST, HUB = 0, 1, 2
WEB, MARKETPLACE = 0, 1


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
