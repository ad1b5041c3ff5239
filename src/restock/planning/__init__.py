"""Replenishment planning: demand history, forecasts, safety stock, reorder points, purchase suggestions."""
