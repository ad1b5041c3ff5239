"""Webhook deliveries: a signed POST, like Stripe's and Shopify's, so a receiver can trust and order them.

Header `Restock-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>`.
A receiver recomputes the HMAC over the raw body, compares in constant time, and refuses an old `t`
(replays). `Restock-Delivery` carries the deduplication key, the same on every retry of one message.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

SIGNATURE_HEADER = "Restock-Signature"
EVENT_HEADER = "Restock-Event"
DELIVERY_HEADER = "Restock-Delivery"


def signature(secret: str, timestamp: int, body: str) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: str, header: str, body: str, now: int, tolerance: int = 300) -> bool:
    """What a receiver does (and what the tests do): the HMAC matches and the timestamp is recent."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, header) and abs(now - timestamp) <= tolerance


@dataclass(frozen=True)
class PostResult:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, secret: str, event: str, delivery: str, body: str, timeout: float) -> PostResult:
    """One attempt: a 2xx answer is success; anything else (another status, a timeout, a refused connection)
    is a failure the worker retries with backoff."""
    timestamp = int(time.time())
    request = urllib.request.Request(
        url,
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "restock-webhooks",
            SIGNATURE_HEADER: signature(secret, timestamp, body),
            EVENT_HEADER: event,
            DELIVERY_HEADER: delivery,
        },
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, error = int(response.status), None
    except urllib.error.HTTPError as failure:
        status, error = int(failure.code), f"HTTP {failure.code}"
    except (urllib.error.URLError, OSError, ValueError) as failure:
        status, error = None, f"{failure.__class__.__name__}: {failure}"[:500]
    return PostResult(status, error, int((time.perf_counter() - started) * 1000))
