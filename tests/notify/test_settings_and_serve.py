"""The RESTOCK_* settings of customer communication, and the worker `restock serve` runs beside the API."""

from __future__ import annotations

import time

import pytest

from restock.config import NotifySettings, Settings
from restock.notify.worker import start_in_thread
from restock.services.context import Context
from tests.builders import on_hand, order, standard_catalog
from tests.notify.conftest import SmtpServer


def test_settings_come_from_the_environment() -> None:
    notify = Settings.from_env(
        {
            "RESTOCK_SMTP_HOST": "mail.example.com",
            "RESTOCK_SMTP_PORT": "2525",
            "RESTOCK_SMTP_USER": "shop",
            "RESTOCK_SMTP_PASSWORD": "pw",
            "RESTOCK_SMTP_STARTTLS": "false",
            "RESTOCK_MAIL_FROM": "hello@shop.example",
            "RESTOCK_MAIL_DIR": "/tmp/mails",
            "RESTOCK_SHOP_NAME": "Mugs & Co",
            "RESTOCK_PUBLIC_URL": "https://shop.example/",
            "RESTOCK_STILL_WAITING_DAYS": "10",
            "RESTOCK_NOTIFY_BATCH_MULTIPLE": "5",
        }
    ).notify
    assert (notify.smtp_host, notify.smtp_port, notify.smtp_user, notify.smtp_password) == (
        "mail.example.com",
        2525,
        "shop",
        "pw",
    )
    assert notify.smtp_starttls is False
    assert (notify.mail_from, notify.mail_dir, notify.shop_name) == ("hello@shop.example", "/tmp/mails", "Mugs & Co")
    assert notify.public_url == "https://shop.example"  # no double slash in links
    assert (notify.still_waiting_days, notify.notify_batch_multiple) == (10, 5)
    assert Settings.from_env({}).notify == NotifySettings()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("RESTOCK_SMTP_STARTTLS", "maybe", "true or false"),
        ("RESTOCK_SMTP_PORT", "x", "whole number"),
        ("RESTOCK_NOTIFY_BATCH_MULTIPLE", "0", "at least 1"),
    ],
)
def test_bad_settings_are_refused_with_their_name(name: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as refused:
        Settings.from_env({name: value})
    assert name in str(refused.value)


def test_the_serve_worker_delivers_in_the_background_until_stopped(mail_ctx: Context, smtp: SmtpServer) -> None:
    from dataclasses import replace

    fast = replace(
        mail_ctx,
        settings=replace(mail_ctx.settings, notify=replace(mail_ctx.settings.notify, worker_poll_seconds=0.05)),
    )
    thread, stop = start_in_thread(fast)
    try:
        standard_catalog(fast)
        on_hand(fast, "MUG", "W1", 1)
        order(fast, "MUG", 1, email="zed@example.com")
        deadline = time.monotonic() + 20
        while not smtp.inbox.to("zed@example.com"):
            assert time.monotonic() < deadline, "the background worker delivered nothing"
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
