"""The shop's own order number (`external_ref`): what it may look like, and when a second order with it is the
first one sent again.

A shop that re-sends an order (a webhook retried, an import run twice) sends the same number; restock answers
with the order it already has, like an idempotency key. A number reused for other goods is a mistake on the
shop's side and is refused, not silently merged.
"""

from __future__ import annotations

from collections.abc import Iterable

from restock.domain.errors import InvalidInput

MAX_EXTERNAL_REF = 100


def check_external_ref(value: str) -> str:
    """1-100 printable characters, not blank: what a shop's order number column holds."""
    if not value.strip() or len(value) > MAX_EXTERNAL_REF or not value.isprintable():
        raise InvalidInput(
            f"an external reference (the shop's order number) must be 1-{MAX_EXTERNAL_REF} printable characters"
        )
    return value


def is_the_same_order(first: Iterable[tuple[str, int]], asked: Iterable[tuple[str, int]]) -> bool:
    """A second order with a reference already used is the first sent again when it asks for the same SKUs in
    the same quantities (line order aside); anything else is a different order under a taken reference."""
    return sorted(first) == sorted(asked)
