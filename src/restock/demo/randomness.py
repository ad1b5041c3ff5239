"""The demo's sources of chance: one seeded stream per concern, and the draws that run in its hot loops.

Every random number of the demo comes from here, so the same seed gives the same shop.
"""

from __future__ import annotations

import math
from bisect import bisect
from collections.abc import Sequence
from random import Random


def stream(seed: int, name: str) -> Random:
    """An independent random stream per concern, so that changing one part of the demo leaves the others alone."""
    return Random(f"restock-demo:{seed}:{name}")


def pick(rng: Random, cumulative_weights: Sequence[float]) -> int:
    """Index drawn by cumulative weights: `Random.choices` without its per-call overhead (it runs 100k times)."""
    return bisect(cumulative_weights, rng.random() * cumulative_weights[-1])


def poisson(rng: Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
