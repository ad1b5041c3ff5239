"""The read models of customer communication, declared once: notify-me subscriptions, outbox messages, webhook
endpoints and their delivery attempts. Each is what its use case returns, the API's response model (under the
name the OpenAPI document shows) and what the CLI prints as JSON. See `services.views` for why they live here."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, PlainSerializer

from restock.config import utc_iso
from restock.domain.model import MessageStatusName, SubscriptionStatusName
from restock.services.views import ReadModel

UtcText = Annotated[datetime, PlainSerializer(utc_iso, return_type=str)]
"""A stored (naive UTC) timestamp, shown as RFC 3339 text with its offset; the document declares it a string."""

SubscriptionStatus = SubscriptionStatusName  # the enum's values (domain.model), as the document spells them
MessageStatus = MessageStatusName


class SubscriptionOut(ReadModel):
    id: int
    sku: str
    channel: str
    email: str
    created_at: UtcText
    status: SubscriptionStatus


class MessageOut(ReadModel):
    id: int
    topic: str
    dedup_key: str
    created_at: UtcText
    attempts: int
    last_error: str | None
    status: MessageStatus


class AttemptOut(ReadModel):
    delivery: str
    event: str
    attempted_at: UtcText
    status_code: int | None
    error: str | None
    duration_ms: int


class WebhookOut(ReadModel):
    id: int
    url: str
    events: list[str]
    created_at: UtcText
    disabled: bool
    secret: str | None = Field(default=None, description="Only in the answer to the registration: keep it.")
    attempts: list[AttemptOut]
    consecutive_failures: int = Field(
        default=0, description="Failed attempts since the last success: at RESTOCK_WEBHOOK_BREAKER_FAILURES it pauses."
    )
    paused_until: UtcText | None = Field(
        default=None, description="While the endpoint's circuit breaker is open, its deliveries wait until then."
    )

    def to_json(self) -> dict[str, Any]:
        """As the CLI and the stored registration answers write it: the secret last, and only when there is one."""
        data = self.model_dump(mode="json", exclude={"secret"})
        return data if self.secret is None else data | {"secret": self.secret}
