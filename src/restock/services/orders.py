"""Orders: placing (`services.placing`), cancelling (`services.fulfilling`), shipping (`services.shipping`) and reading
(`services.order_views`). The names callers know live on here."""

from __future__ import annotations

from restock.domain.errors import OrderRefused
from restock.services.fulfilling import (
    cancel_line,
    cancel_lines,
    cancel_order,
    locked_order,
    open_lines,
)
from restock.services.order_views import LineView, OrderView, order_view, show_order
from restock.services.placing import (
    MAX_LINES,
    MAX_PRIORITY,
    LineRequest,
    OrderRequest,
    new_order_id,
    place_order,
)
from restock.services.shipping import ship_order

__all__ = [
    "MAX_LINES",
    "MAX_PRIORITY",
    "LineRequest",
    "LineView",
    "OrderRefused",
    "OrderRequest",
    "OrderView",
    "cancel_line",
    "cancel_lines",
    "cancel_order",
    "locked_order",
    "new_order_id",
    "open_lines",
    "order_view",
    "place_order",
    "ship_order",
    "show_order",
]
