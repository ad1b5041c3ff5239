"""Who may do what: bearer API keys and the three roles."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from restock.api.problems import ApiProblem
from restock.domain.model import Role
from restock.services import apikeys
from restock.services.apikeys import Principal
from restock.services.context import Context

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer rk_...`")


async def context(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


class KeyCache:
    """Keys seen in the last few seconds, so that a request does not pay a database round trip to know its caller.

    Only valid keys are kept (an unknown key always asks the database), by their hash, for `ttl` seconds:
    a revoked key stops working on every worker within that time. `ttl` 0 turns the cache off.
    """

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Principal | None:
        if self.ttl <= 0:
            return None
        with self._lock:
            entry = self._entries.get(apikeys.hash_key(key))
        if entry is None or entry[0] < self.clock():
            return None
        return entry[1]

    def put(self, key: str, who: Principal) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) > 10_000:  # many keys: start over rather than grow without bound
                self._entries.clear()
            self._entries[apikeys.hash_key(key)] = (self.clock() + self.ttl, who)


async def principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    """The caller: from this worker's key cache, or (off the event loop) from the database."""
    if credentials is None:
        raise ApiProblem(401, "unauthenticated", "send an API key as `Authorization: Bearer <key>`")
    cache: KeyCache = request.app.state.key_cache
    found = cache.get(credentials.credentials)
    if found is None:
        ctx: Context = request.app.state.ctx
        found = await run_in_threadpool(apikeys.authenticate, ctx, credentials.credentials)
        if found is not None:
            cache.put(credentials.credentials, found)
    if found is None:
        raise ApiProblem(401, "unauthenticated", "unknown or revoked API key")
    return found


def forbidden() -> ApiProblem:
    """One answer for 'not your role', 'not your channel' and 'no such object': existence is not revealed."""
    return ApiProblem(403, "forbidden", "this key may not do that")


def has_role(who: Principal, *roles: Role) -> bool:
    """Admin may do everything; the others only what their role allows."""
    return who.role is Role.ADMIN or who.role in roles


def require(*roles: Role):  # type: ignore[no-untyped-def]
    """A dependency that lets through only the given roles (admin always)."""

    async def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if not has_role(who, *roles):
            raise forbidden()
        return who

    return check


Caller = Annotated[Principal, Depends(principal)]
Admin = Annotated[Principal, Depends(require())]
Warehouse = Annotated[Principal, Depends(require(Role.WAREHOUSE))]
Storefront = Annotated[Principal, Depends(require(Role.STOREFRONT))]
Ctx = Annotated[Context, Depends(context)]


def _query_names(dependant: Any) -> Iterator[str]:
    """The query parameters an operation declares, its dependencies' included."""
    for param in dependant.query_params:
        yield param.alias
    for sub in dependant.dependencies:
        yield from _query_names(sub)


async def refuse_unknown_query(request: Request) -> None:
    """Query parameters an operation does not define are refused, like unknown body fields: a typo in a filter
    must not silently widen a result."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = set(_query_names(dependant))
    names = [name for name, _ in request.query_params.multi_items()]
    unknown = sorted(set(names) - known)
    if unknown:
        raise ApiProblem(422, "invalid_request", f"unknown query parameter(s): {', '.join(unknown)[:200]}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ApiProblem(422, "invalid_request", f"query parameter(s) given twice: {', '.join(repeated)[:200]}")


def on_own_channel(who: Principal, channel: str) -> bool:
    """A storefront key acts on its own channel only."""
    return who.role is not Role.STOREFRONT or who.channel == channel


def own_channel(who: Principal, channel: str) -> None:
    if not on_own_channel(who, channel):
        raise forbidden()
