"""A real SMTP server (aiosmtpd) per test, and a context whose e-mails go to it."""

from __future__ import annotations

import email
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from restock.config import NotifySettings
from restock.notify.worker import RoundResult, Worker
from restock.services.context import Context
from tests.servers import free_port

SHOP = "Mugs & Co"
PUBLIC_URL = "https://shop.example"


@dataclass
class Inbox:
    """What the SMTP server received, parsed; handle_DATA runs on the server's thread."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay: float = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def subjects(self) -> list[str]:
        with self.lock:
            return [str(m["Subject"]) for m in self.messages]


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    inbox: Inbox


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, inbox)
    finally:
        controller.stop()


def mail_settings(smtp: SmtpServer, **overrides: Any) -> NotifySettings:
    values: dict[str, Any] = {
        "smtp_host": smtp.host,
        "smtp_port": smtp.port,
        "smtp_starttls": False,
        "mail_from": "shop@mugs.example",
        "shop_name": SHOP,
        "public_url": PUBLIC_URL,
        "secret_key": "test-secret-key",
        "outbox_retry_seconds": 0,
    }
    return replace(NotifySettings(), **{**values, **overrides})


def with_mail(ctx: Context, smtp: SmtpServer, **overrides: Any) -> Context:
    return replace(ctx, settings=replace(ctx.settings, notify=mail_settings(smtp, **overrides)))


@pytest.fixture
def mail_ctx(ctx: Context, smtp: SmtpServer) -> Context:
    return with_mail(ctx, smtp)


def deliver(ctx: Context) -> RoundResult:
    """Everything due now, as `restock worker --once` does."""
    worker = Worker(ctx)
    try:
        return worker.run_once()
    finally:
        worker.mailer.close()


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    """Both parts of a multipart/alternative e-mail; fails if either is missing."""
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    unix = str.maketrans({"\r": None})
    return str(text.get_content()).translate(unix), str(html.get_content()).translate(unix)  # type: ignore[attr-defined]
