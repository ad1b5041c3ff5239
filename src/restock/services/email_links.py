"""Signed links in e-mails as the use cases see them: the domain's token rules and the secret they are signed with.

The rules (claims, signing, verifying, expiry) are pure and live in `restock.domain.signed_links`; this module
adds the one thing they need from outside, the secret, so that a use case or an e-mail handler imports a single
module. Nothing here reaches into the notify adapter: e-mails use links, links do not use e-mails.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from restock.config import Settings
from restock.domain.signed_links import ACTIONS, CANCEL_LINE, STOP_UPDATES, UNSUBSCRIBE, Claims, epoch, sign, verify
from restock.store.link_secret import stored_link_secret

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


def link_secret(session: Session, settings: Settings) -> str:
    """RESTOCK_SECRET_KEY, or the database's own random key (made on first use, the same for every process)."""
    if settings.notify.secret_key:
        return settings.notify.secret_key
    return stored_link_secret(session)
