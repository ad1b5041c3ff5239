"""Webhook deliveries: a signed POST, like Stripe's and Shopify's, so a receiver can trust and order them.

Header `Restock-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>`.
A receiver recomputes the HMAC over the raw body, compares in constant time, and refuses an old `t`
(replays). `Restock-Delivery` carries the deduplication key, the same on every retry of one message.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import socket
import time
from dataclasses import dataclass

import httpx

from restock.domain import webhook_targets as targets

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


def post(
    url: str, secret: str, event: str, delivery: str, body: str, timeout: float, allowed: tuple[str, ...] = ()
) -> PostResult:
    """One attempt, over within `timeout` seconds whatever the receiver does (a receiver that trickles its answer
    a byte at a time is cut off at the deadline): a 2xx answer is success; anything else (another status, a
    redirect, which is not followed, a timeout, a refused connection, an address that is not public) is a
    failure the worker retries with backoff."""
    started = time.perf_counter()
    try:
        status, error = asyncio.run(asyncio.wait_for(_attempt(url, secret, event, delivery, body, allowed), timeout))
    except TimeoutError:
        status, error = None, f"TimeoutError: no complete answer within {timeout:g} s"
    except targets.UnsafeTarget as refused:
        status, error = None, f"refused, no request sent: {refused}"
    except (httpx.HTTPError, OSError, ValueError) as failure:
        status, error = None, _describe(failure)
    return PostResult(status, error, int((time.perf_counter() - started) * 1000))


def _describe(failure: BaseException) -> str:
    """The failure as an integrator can act on it: httpx's wording, with the system's reason when there is one
    ("All connection attempts failed" says less than "Connection refused")."""
    text = f"{failure.__class__.__name__}: {failure}"
    cause: BaseException | None = failure
    while cause is not None:
        if isinstance(cause, OSError) and cause.errno:
            text = f"{failure.__class__.__name__}: {os.strerror(cause.errno)} ({failure})"
        cause = cause.__cause__ or cause.__context__
    return text[:500]


async def _attempt(
    url: str, secret: str, event: str, delivery: str, body: str, allowed: tuple[str, ...]
) -> tuple[int, str | None]:
    """Check where the URL's host points now, then POST; no proxy from the environment, no redirect followed."""
    await _check_target(url, allowed)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "restock-webhooks",
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery,
    }
    async with httpx.AsyncClient(trust_env=False, follow_redirects=False, timeout=None) as client:
        response = await client.post(url, content=body.encode(), headers=headers)
    status = response.status_code
    if 200 <= status < 300:
        return status, None
    if 300 <= status < 400:
        return status, f"HTTP {status} (redirects are not followed)"
    return status, f"HTTP {status}"


async def _check_target(url: str, allowed: tuple[str, ...]) -> None:
    """Resolve the host now (a name may have been re-pointed since it was registered) and refuse what is not public."""
    host, port = targets.host_and_port(url)
    address = targets.literal(host)
    if address is not None:
        targets.check_addresses(host, [address], allowed)
        return
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    targets.check_addresses(host, targets.addresses_of(infos), allowed)
