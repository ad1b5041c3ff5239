"""Demand classes by average demand interval (ADI) and squared coefficient of variation (CV²).

Syntetos, Boylan and Croston (2005) showed which forecasting method wins where: with the cut-offs
ADI = 1.32 and CV² = 0.49, a series is *smooth* (frequent, regular sizes), *erratic* (frequent,
irregular sizes), *intermittent* (rare, regular sizes) or *lumpy* (rare, irregular sizes). Two more
classes keep the planner honest about what it does not know: *new* (too little history to measure,
let alone backtest) and *no_demand* (a long history without a single sale).
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49


class DemandClass(StrEnum):
    SMOOTH = "smooth"
    ERRATIC = "erratic"
    INTERMITTENT = "intermittent"
    LUMPY = "lumpy"
    NEW = "new"
    NO_DEMAND = "no_demand"


def classify(history: pd.DataFrame, *, min_length: int) -> pd.DataFrame:
    """One row per series of `history` (unique_id, ds, y): n, nonzero, adi, cv2 and demand_class.

    ADI is periods per non-zero period (1.0 = a sale every day); CV² is the squared coefficient of
    variation of the non-zero sizes (population variance), so both depend on the sizes and spacing of
    sales only. A series shorter than `min_length` periods is `new` (too short to backtest); a longer
    one without any sale is `no_demand`.
    """
    y = history["y"].to_numpy(dtype=float)
    sizes = pd.Series(np.where(y > 0, y, np.nan), index=history.index)
    grouped = sizes.groupby(history["unique_id"], sort=True, observed=True)
    stats = pd.DataFrame(
        {
            "n": grouped.size(),
            "nonzero": grouped.count(),
            "size_mean": grouped.mean(),
            "size_var": grouped.var(ddof=0),
        }
    )
    stats["adi"] = stats["n"] / stats["nonzero"].where(stats["nonzero"] > 0)
    stats["cv2"] = stats["size_var"] / stats["size_mean"] ** 2
    stats["demand_class"] = _classes(stats, min_length)
    stats.index.name = "unique_id"
    return stats.drop(columns=["size_mean", "size_var"]).reset_index()


def _classes(stats: pd.DataFrame, min_length: int) -> np.ndarray:
    frequent = stats["adi"].to_numpy() < ADI_CUTOFF
    regular = stats["cv2"].to_numpy() < CV2_CUTOFF
    short = stats["n"].to_numpy() < min_length
    no_sales = stats["nonzero"].to_numpy() == 0
    return np.select(
        [
            short,
            no_sales,
            frequent & regular,
            frequent,
            regular,
        ],
        [DemandClass.NEW, DemandClass.NO_DEMAND, DemandClass.SMOOTH, DemandClass.ERRATIC, DemandClass.INTERMITTENT],
        default=DemandClass.LUMPY,
    )
