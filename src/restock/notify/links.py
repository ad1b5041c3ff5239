"""Moved: signed links now live in `restock.services.email_links` (the secret) over `restock.domain.signed_links`
(the token rules), where both the use cases and the e-mail handlers may import them.

Kept as a re-export for the importers not yet changed (`restock.notify.handlers`, tests/api/test_notify_api.py);
new code imports `restock.services.email_links`.
"""

from __future__ import annotations

from restock.services.email_links import (
    ACTIONS,
    CANCEL_LINE,
    STOP_UPDATES,
    UNSUBSCRIBE,
    Claims,
    epoch,
    link_secret,
    sign,
    verify,
)

__all__ = [
    "ACTIONS",
    "CANCEL_LINE",
    "STOP_UPDATES",
    "UNSUBSCRIBE",
    "Claims",
    "epoch",
    "link_secret",
    "sign",
    "verify",
]
