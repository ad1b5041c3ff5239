"""Customer communication over the API: notify-me sign-ups (storefront), the outbox and webhooks (admin)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from restock.api.idempotency import NO_BODY, IdempotencyKey, run_idempotent
from restock.api.schemas import Code, Email, Strict
from restock.api.security import Admin, Ctx, Storefront, own_channel
from restock.domain.validation import MAX_ID
from restock.services import outbox as outbox_service
from restock.services import subscriptions, webhooks
from restock.services.notify_views import MessageOut, SubscriptionOut, WebhookOut

router = APIRouter(prefix="/v1")
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
WebhookEvent = Literal["*", webhooks.Event]


class SubscriptionIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"sku": "MUG", "channel": "web", "email": "ann@example.com"}]},
    )

    sku: Code
    channel: Code
    email: Email


class OutboxOut(BaseModel):
    counts: dict[str, int]
    messages: list[MessageOut]


class WebhookIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"url": "https://erp.example.com/hooks/restock", "events": ["backorder.delayed"]}]
        },
    )

    url: Annotated[str, StringConstraints(min_length=8, max_length=2000)]
    events: list[WebhookEvent] = Field(default_factory=list, max_length=20, description="Empty or `*`: every event.")
    secret: Annotated[str, StringConstraints(min_length=16, max_length=200)] | None = None


@router.post("/subscriptions", status_code=201, response_model=SubscriptionOut, tags=["notify me"])
def subscribe(body: SubscriptionIn, ctx: Ctx, who: Storefront, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Notify me: one e-mail when the out-of-stock SKU can be bought on the channel again. Reserves nothing;
    signing up twice is one subscription; a SKU that can be bought now is refused (409)."""
    own_channel(who, body.channel)
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        "subscriptions",
        body,
        201,
        lambda: subscriptions.subscribe(ctx, body.sku, body.channel, body.email).to_json(),
    )


@router.get("/outbox", response_model=OutboxOut, tags=["outbox"])
def outbox(ctx: Ctx, who: Admin, status: Annotated[Literal["pending", "dead"], Query()] = "dead") -> OutboxOut:
    """Counts, and the dead (default) or pending messages, oldest first, with their last error."""
    messages = outbox_service.list_messages(ctx, dead=status == "dead")
    return OutboxOut(counts=outbox_service.outbox_counts(ctx), messages=messages)


@router.post("/outbox/{message_id}/retry", response_model=MessageOut, tags=["outbox"])
def retry(message_id: Id, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """A dead message is due again, with its full number of attempts."""
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        f"outbox:{message_id}:retry",
        NO_BODY,
        200,
        lambda: outbox_service.retry_message(ctx, message_id).to_json(),
    )


@router.post("/webhooks", status_code=201, response_model=WebhookOut, tags=["webhooks"])
def add_webhook(body: WebhookIn, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Register an endpoint. The answer carries its signing secret, once."""
    events: list[str] = [] if "*" in body.events else list(body.events)
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        "webhooks",
        body,
        201,
        lambda: webhooks.add_webhook(ctx, body.url, events, body.secret).to_json(),
    )


@router.get("/webhooks", response_model=list[WebhookOut], tags=["webhooks"])
def list_webhooks(ctx: Ctx, who: Admin) -> list[WebhookOut]:
    return webhooks.list_webhooks(ctx)


@router.get("/webhooks/{webhook_id}", response_model=WebhookOut, tags=["webhooks"])
def show_webhook(webhook_id: Id, ctx: Ctx, who: Admin) -> WebhookOut:
    """The endpoint with its latest delivery attempts (status code or error, duration), newest first."""
    return webhooks.show_webhook(ctx, webhook_id)


@router.post("/webhooks/{webhook_id}/disable", response_model=WebhookOut, tags=["webhooks"])
def disable_webhook(webhook_id: Id, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        f"webhooks:{webhook_id}:disable",
        NO_BODY,
        200,
        lambda: webhooks.disable_webhook(ctx, webhook_id).to_json(),
    )
