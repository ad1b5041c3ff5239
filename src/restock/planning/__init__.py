"""Replenishment planning: demand history, forecasts, safety stock, reorder points, purchase suggestions,
supplier choice and shortage risk.

Pure, vectorised (numpy/pandas) functions over the whole catalog at once; the use cases that load
their inputs live in restock.services (demand, planning, reliability).
"""

from restock.planning.formulas import eoq, fill_rate_safety_factor, reorder_point, safety_stock

__all__ = ["eoq", "fill_rate_safety_factor", "reorder_point", "safety_stock"]
