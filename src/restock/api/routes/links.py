"""The pages behind the links in e-mails: no API key, and nothing shown beyond the one thing the link is about.

Cancelling asks for a confirmation (a POST from the page's button): mail scanners open links, and must not
cancel anything. Unsubscribing and stopping updates happen on the first click (GET), and also answer the
one-click POST that mail clients send (RFC 8058): being unsubscribed by a scanner harms nobody.
"""

from __future__ import annotations

import html
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from restock.api.security import Ctx
from restock.domain.errors import RestockError
from restock.services import selfservice, subscriptions

router = APIRouter(prefix="/links", include_in_schema=False)
Token = Annotated[str, Path(min_length=10, max_length=600, pattern=r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$")]


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    """A minimal page; `body` is already escaped by the caller."""
    return HTMLResponse(
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><meta name='robots' content='noindex'>"
        f"<title>{html.escape(title)}</title></head><body style='font-family:sans-serif;max-width:36em;margin:auto'>"
        f"<h1>{html.escape(title)}</h1>{body}</body></html>",
        status_code=status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def invalid() -> HTMLResponse:
    return page("Link not valid", "<p>This link is not valid or has expired. Please contact us.</p>", 400)


def _what(view: selfservice.CancelLinkView) -> str:
    return f"{view.quantity} &times; {html.escape(view.sku_name)}"


CANCEL_STATES = {
    "cancelled": ("Cancelled", "<p>{what} is cancelled. You are not charged for it.</p>"),
    "ready_to_ship": (
        "Already on its way",
        "<p>{what} has arrived and is ready to ship: it can no longer be "
        "cancelled here. Please contact us if you do not want it.</p>",
    ),
    "shipped": ("Already shipped", "<p>{what} has shipped.</p>"),
}


def _cancel_page(view: selfservice.CancelLinkView, token: str) -> HTMLResponse:
    if view.state == "can_cancel":
        form = (
            f"<p>Cancel {_what(view)} from your order? Only this item is cancelled; you are not charged for it.</p>"
            f"<form method='post' action='/links/cancel/{html.escape(token)}'>"
            "<button type='submit'>Cancel this item</button></form>"
        )
        return page("Cancel a backordered item", form)
    title, text = CANCEL_STATES[view.state]
    return page(title, text.format(what=_what(view)))


@router.get("/cancel/{token}", response_class=HTMLResponse)
async def cancel_form(token: Token, ctx: Ctx) -> HTMLResponse:
    try:
        view = await run_in_threadpool(selfservice.cancel_link, ctx, token)
    except RestockError:
        return invalid()
    return _cancel_page(view, token)


@router.post("/cancel/{token}", response_class=HTMLResponse)
async def cancel(token: Token, ctx: Ctx) -> HTMLResponse:
    try:
        view = await run_in_threadpool(selfservice.cancel_by_link, ctx, token)
    except RestockError:
        return invalid()
    return _cancel_page(view, token)


async def _unsubscribe(token: str, ctx: Ctx) -> HTMLResponse:
    try:
        await run_in_threadpool(subscriptions.unsubscribe_by_link, ctx, token)
    except RestockError:
        return invalid()
    return page("Unsubscribed", "<p>You will get no more restock alerts at this address.</p>")


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe(token: Token, ctx: Ctx) -> HTMLResponse:
    return await _unsubscribe(token, ctx)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_one_click(token: Token, ctx: Ctx) -> HTMLResponse:
    return await _unsubscribe(token, ctx)


async def _stop_updates(token: str, ctx: Ctx) -> HTMLResponse:
    try:
        await run_in_threadpool(selfservice.stop_updates_by_link, ctx, token)
    except RestockError:
        return invalid()
    return page(
        "Updates stopped",
        "<p>You will get no more periodic updates about this order. "
        "We still write when its date moves or it ships.</p>",
    )


@router.get("/stop-updates/{token}", response_class=HTMLResponse)
async def stop_updates(token: Token, ctx: Ctx) -> HTMLResponse:
    return await _stop_updates(token, ctx)


@router.post("/stop-updates/{token}", response_class=HTMLResponse)
async def stop_updates_one_click(token: Token, ctx: Ctx) -> HTMLResponse:
    return await _stop_updates(token, ctx)
