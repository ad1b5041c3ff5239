"""Typed errors that the entrypoints turn into a CLI message or an HTTP problem."""

from __future__ import annotations

from dataclasses import dataclass


class RestockError(Exception):
    """Base of every error a user can cause; the message is written for that user."""

    code = "restock_error"


class NotFound(RestockError):
    code = "not_found"


class InvalidInput(RestockError):
    code = "invalid_input"


class Conflict(RestockError):
    """The request is valid but the current state does not allow it (e.g. receiving a cancelled PO)."""

    code = "conflict"


class NotAllowed(RestockError):
    """The caller may not make this change (a shop cancelling allocated units): 403 through the API."""

    code = "forbidden"


class ReferenceTaken(Conflict):
    """A shop's order number already names another order on the channel (other lines): a mistake, not a retry."""

    code = "external_ref_taken"


class OutcomeUnknown(RestockError):
    """The database went away while committing, and whether the change was made could not be read back.

    Never retried blindly (it might have been applied): the caller retries with the same idempotency key.
    """

    code = "outcome_unknown"


@dataclass(frozen=True)
class ShortLine:
    sku: str
    requested: int
    available_now: int
    backorderable: int
    reason: str


class OrderRefused(RestockError):
    """An order that neither stock nor allowed backorders can cover; lists every short line."""

    code = "order_refused"

    def __init__(self, short_lines: list[ShortLine]) -> None:
        self.short_lines = short_lines
        detail = "; ".join(
            f"{s.sku}: requested {s.requested}, available now {s.available_now}, "
            f"backorderable {s.backorderable} ({s.reason})"
            for s in short_lines
        )
        super().__init__(f"order refused, not enough supply: {detail}")
