"""The pages behind the links in e-mails: no API key, and nothing shown beyond the one thing the link is about.

Every answer is a page of the shop (its name, a small template with inline CSS, no external assets), an invalid
or expired link included: a customer never sees problem+json here. Cancelling and unsubscribing ask for a
confirmation (a POST from the page's button): mail scanners open links, and must not act on them. The
unsubscribe POST is also the one-click POST mail clients send (RFC 8058). Stopping periodic updates happens on
the first click (GET) and answers the one-click POST too: being opted out of them by a scanner harms nobody.
"""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.concurrency import run_in_threadpool

from restock.api.security import Ctx
from restock.domain.errors import RestockError
from restock.domain.lines import CancelLinkState
from restock.domain.model import SubscriptionStatus
from restock.services import selfservice, subscriptions
from restock.services.context import Context

router = APIRouter(prefix="/links", include_in_schema=False)
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_\-]{4,600}\.[A-Za-z0-9_\-]{4,600}")
"""What a signed token looks like; anything else gets the invalid-link page without a database round trip (checked
here rather than by the path's schema, whose refusal would be problem+json)."""

_PAGES = Environment(
    loader=PackageLoader("restock.api", "templates"), autoescape=select_autoescape(["html"]), undefined=StrictUndefined
)


def page(
    ctx: Context,
    title: str,
    paragraphs: list[str],
    *,
    action: str | None = None,
    button: str = "",
    status: int = 200,
) -> HTMLResponse:
    """A page of the shop; the template escapes every text it is given."""
    body = _PAGES.get_template("link_page.html").render(
        shop_name=ctx.settings.notify.shop_name, title=title, paragraphs=paragraphs, action=action, button=button
    )
    return HTMLResponse(
        body, status_code=status, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )


def invalid(ctx: Context) -> HTMLResponse:
    return page(
        ctx,
        "Link not valid",
        [f"This link is not valid or has expired. Please contact {ctx.settings.notify.shop_name}."],
        status=400,
    )


# ---------------------------------------------------------------- cancelling the late units of a delay notice


def _units(quantity: int, name: str) -> str:
    return f"{quantity} × {name}"


def _are(quantity: int) -> str:
    return "is" if quantity == 1 else "are"


def _staying(view: selfservice.CancelLinkView) -> list[str]:
    if not view.staying:
        return []
    return [
        f"The other {_units(view.staying, view.sku_name)} on your order {'stays' if view.staying == 1 else 'stay'}."
    ]


def _cancel_page(ctx: Context, view: selfservice.CancelLinkView, token: str) -> HTMLResponse:
    units, name = view.units, view.sku_name
    if view.state is CancelLinkState.CAN_CANCEL:
        late = _units(units.cancellable, name)
        text = [f"Cancel the {late} that {_are(units.cancellable)} late from your order?"]
        if units.cancellable < units.named:
            text.append(
                f"Only {units.cancellable} of the {_units(units.named, name)} named in our e-mail still "
                "wait for stock; that is what this cancels."
            )
        return page(
            ctx,
            "Cancel the late items",
            [*text, *_staying(view)],
            action=f"/links/cancel/{token}",
            button=f"Cancel the {units.cancellable} late × {name}",
        )
    if view.state is CancelLinkState.CANCELLED:
        done = f"The late {_units(view.quantity, name)} {_are(view.quantity)} cancelled."
        return page(ctx, "Cancelled", [done, *_staying(view)])
    if view.state is CancelLinkState.READY_TO_SHIP:
        return page(
            ctx,
            "Already on its way",
            [
                f"The {_units(units.named, name)} arrived and {_are(units.named)} ready to ship: no longer "
                f"cancellable here. Please contact {ctx.settings.notify.shop_name} if you do not want "
                f"{'it' if units.named == 1 else 'them'}."
            ],
        )
    return page(
        ctx, "Already shipped", [f"The {_units(units.named, name)} {'has' if units.named == 1 else 'have'} shipped."]
    )


@router.get("/cancel/{token}", response_class=HTMLResponse)
async def cancel_form(token: str, ctx: Ctx) -> HTMLResponse:
    if not TOKEN_SHAPE.fullmatch(token):
        return invalid(ctx)
    try:
        view = await run_in_threadpool(selfservice.cancel_link, ctx, token)
    except RestockError:
        return invalid(ctx)
    return _cancel_page(ctx, view, token)


@router.post("/cancel/{token}", response_class=HTMLResponse)
async def cancel(token: str, ctx: Ctx) -> HTMLResponse:
    if not TOKEN_SHAPE.fullmatch(token):
        return invalid(ctx)
    try:
        view = await run_in_threadpool(selfservice.cancel_by_link, ctx, token)
    except RestockError:
        return invalid(ctx)
    return _cancel_page(ctx, view, token)


# ---------------------------------------------------------------- restock alerts


LATER_SIGN_UPS = "Alerts you sign up for later are not affected."

_OWN_ALERT = {
    SubscriptionStatus.NOTIFIED: "Your restock alert for {name} was sent.",
    SubscriptionStatus.UNSUBSCRIBED: "Your restock alert for {name} was stopped before it was sent.",
}


def _names(names: tuple[str, ...]) -> str:
    """ "Cup", "Cup and Plate", "Cup, Plate and Bowl": each product once (an address may wait on two channels)."""
    once = list(dict.fromkeys(names))
    return once[0] if len(once) == 1 else f"{', '.join(once[:-1])} and {once[-1]}"


def _alerts(count: int) -> str:
    return "alert" if count == 1 else "alerts"


def _what_unsubscribing_stops(view: selfservice.UnsubscribeLinkView) -> list[str]:
    """The page's words, from whether the link's own alert still waits (normally it was sent: the link came in it)
    and which other alerts of the address wait: exactly what the POST stops."""
    others = len(view.others)
    if view.own is SubscriptionStatus.WAITING:
        if not others:
            return [f"This stops your restock alert for {view.sku_name}, the only one waiting for this address."]
        return [
            f"This stops your restock alert for {view.sku_name} and the {others} other {_alerts(others)} waiting "
            f"for this address, for {_names(view.others)}."
        ]
    own = _OWN_ALERT[view.own].format(name=view.sku_name)
    if not others:
        return [own, "No other restock alerts are waiting for this address: there is nothing left to stop."]
    the = "the other restock alert" if others == 1 else f"the {others} other restock alerts"
    return [own, f"This stops {the} waiting for this address, for {_names(view.others)}."]


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_form(token: str, ctx: Ctx) -> HTMLResponse:
    """Asks first: the link stops every restock alert still waiting for the address, not only this product's."""
    if not TOKEN_SHAPE.fullmatch(token):
        return invalid(ctx)
    try:
        view = await run_in_threadpool(selfservice.unsubscribe_link, ctx, token)
    except RestockError:
        return invalid(ctx)
    words = _what_unsubscribing_stops(view)
    if view.stops == 0:
        return page(ctx, "Nothing left to stop", words)
    return page(
        ctx,
        "Stop restock alerts?",
        [*words, LATER_SIGN_UPS],
        action=f"/links/unsubscribe/{token}",
        button="Stop restock alerts",
    )


def _stopped(count: int) -> str:
    if count == 0:
        return "No restock alerts were waiting for this address: there was nothing to stop."
    if count == 1:
        return "Stopped: we will not send the restock alert that was waiting for this address."
    return f"Stopped: we will send none of the {count} restock alerts that were waiting for this address."


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe(token: str, ctx: Ctx) -> HTMLResponse:
    """The page's button, and the RFC 8058 one-click POST of mail clients."""
    if not TOKEN_SHAPE.fullmatch(token):
        return invalid(ctx)
    try:
        stopped = await run_in_threadpool(subscriptions.unsubscribe_by_link, ctx, token)
    except RestockError:
        return invalid(ctx)
    return page(ctx, "Unsubscribed" if stopped else "Nothing to stop", [_stopped(stopped), LATER_SIGN_UPS])


# ---------------------------------------------------------------- periodic updates


async def _stop_updates(token: str, ctx: Context) -> HTMLResponse:
    if not TOKEN_SHAPE.fullmatch(token):
        return invalid(ctx)
    try:
        await run_in_threadpool(selfservice.stop_updates_by_link, ctx, token)
    except RestockError:
        return invalid(ctx)
    return page(
        ctx,
        "Updates stopped",
        ["You will get no more periodic updates about this order. We still write when its date moves or it ships."],
    )


@router.get("/stop-updates/{token}", response_class=HTMLResponse)
async def stop_updates(token: str, ctx: Ctx) -> HTMLResponse:
    return await _stop_updates(token, ctx)


@router.post("/stop-updates/{token}", response_class=HTMLResponse)
async def stop_updates_one_click(token: str, ctx: Ctx) -> HTMLResponse:
    return await _stop_updates(token, ctx)
