"""Signed links for e-mails: a customer acts on one thing (cancel a line, unsubscribe) without an API key.

A token is `base64url(JSON claims) . base64url(HMAC-SHA256(claims))`: it names the action and the one
object it applies to, and may expire. Nothing else about the order is in it or reachable through it.
These are the token's rules alone; the secret is passed in (`restock.services.email_links.link_secret`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from restock.domain.errors import InvalidInput

CANCEL_LINE = "cancel-line"
UNSUBSCRIBE = "unsubscribe"
STOP_UPDATES = "stop-updates"
ACTIONS = (CANCEL_LINE, UNSUBSCRIBE, STOP_UPDATES)


@dataclass(frozen=True)
class Claims:
    action: str
    subject: str
    """The one object the link acts on: an order line's id, a subscription's id, an order's id."""
    expires: int | None = None
    """Seconds since the epoch (UTC); None: the link does not expire (unsubscribe links must keep working)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(claims: Claims, secret: str) -> str:
    body = json.dumps({"a": claims.action, "s": claims.subject, "e": claims.expires}, separators=(",", ":")).encode()
    mac = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return f"{_b64(body)}.{_b64(mac)}"


def verify(token: str, secret: str, action: str, now: datetime) -> Claims:
    """The claims of a genuine, unexpired token for `action`; InvalidInput (one message for all) otherwise."""
    refused = InvalidInput("this link is not valid or has expired")
    body_part, _, mac_part = token.partition(".")
    try:
        body, mac = _unb64(body_part), _unb64(mac_part)
        expected = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        if not hmac.compare_digest(mac, expected):
            raise refused
        raw = json.loads(body)
        claims = Claims(str(raw["a"]), str(raw["s"]), raw["e"])
    except (ValueError, KeyError, TypeError):
        raise refused from None
    if claims.action != action:
        raise refused
    if claims.expires is not None and claims.expires < epoch(now):
        raise refused
    return claims


def epoch(moment: datetime) -> int:
    """A stored (naive, UTC) timestamp as seconds since the epoch."""
    return int(moment.replace(tzinfo=UTC).timestamp())
