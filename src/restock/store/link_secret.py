"""The database's own key for signing links in e-mails, for when RESTOCK_SECRET_KEY is not set."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from restock.store.delivery import insert_ignoring_duplicates
from restock.store.schema import LinkSecret


def stored_link_secret(session: Session) -> str:
    """The one random key of this database, made on first use: every process that asks gets the same one."""
    insert_ignoring_duplicates(session, LinkSecret, [{"id": 1, "secret": secrets.token_hex(32)}])
    secret = session.scalar(select(LinkSecret.secret).where(LinkSecret.id == 1))
    assert secret is not None
    return secret
