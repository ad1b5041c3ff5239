"""Webhook URLs reach public addresses only, unless an admin allows a private network by name (item 8)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from restock.config import NotifySettings
from restock.domain.errors import InvalidInput
from restock.services import stock, webhooks
from restock.services.context import Context
from tests.builders import standard_catalog
from tests.notify import test_webhooks
from tests.notify.conftest import SmtpServer, deliver, with_mail
from tests.notify.test_webhooks import LOCAL, Receiver, allowing_local

receiver = test_webhooks.receiver
"""The integrator's endpoint of tests/notify/test_webhooks.py, a fixture here too."""


def refused(ctx: Context, url: str) -> str:
    with pytest.raises(InvalidInput) as error:
        webhooks.add_webhook(ctx, url, [])
    return str(error.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hooks", "https://[::1]/hooks", "http://localhost/h"])
def test_a_loopback_webhook_url_is_refused(ctx: Context, url: str) -> None:
    assert "a loopback address" in refused(ctx, url)


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/h"])
def test_a_link_local_webhook_url_like_the_cloud_metadata_service_is_refused(ctx: Context, url: str) -> None:
    assert "a link-local address" in refused(ctx, url)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/h",
        "http://172.16.3.4/h",
        "http://192.168.1.1/h",
        "http://[fc00::1]/h",
        "http://[fd00:ec2::254]/",
    ],
)
def test_a_private_network_webhook_url_is_refused(ctx: Context, url: str) -> None:
    assert "a private address" in refused(ctx, url)


@pytest.mark.parametrize("url", ["http://0.0.0.0:8000/h", "http://[::]/h"])
def test_an_unspecified_address_webhook_url_is_refused(ctx: Context, url: str) -> None:
    assert "an unspecified address" in refused(ctx, url)


@pytest.mark.parametrize("url", ["http://224.0.0.1/h", "http://[ff02::1]/h"])
def test_a_multicast_webhook_url_is_refused(ctx: Context, url: str) -> None:
    assert "multicast address" in refused(ctx, url)


@pytest.mark.parametrize("url", ["http://240.0.0.1/h", "http://255.255.255.255/h"])
def test_a_reserved_address_webhook_url_is_refused(ctx: Context, url: str) -> None:
    assert "reserved address" in refused(ctx, url)


def test_an_ipv4_mapped_ipv6_loopback_is_refused_like_loopback(ctx: Context) -> None:
    assert "a loopback address" in refused(ctx, "http://[::ffff:127.0.0.1]/h")


def test_a_refused_webhook_url_stores_nothing_and_names_the_allow_list_setting(ctx: Context) -> None:
    assert "RESTOCK_WEBHOOK_ALLOW_PRIVATE" in refused(ctx, "http://10.1.1.1/h")
    assert webhooks.list_webhooks(ctx) == []


def test_a_public_address_is_accepted(ctx: Context) -> None:
    assert webhooks.add_webhook(ctx, "https://93.184.216.34/hooks", []).id > 0


def test_a_private_network_in_the_allow_list_is_accepted_and_no_other(ctx: Context) -> None:
    notify = replace(ctx.settings.notify, webhook_allow_private=("10.0.0.0/8", "127.0.0.1/32"))
    allowed = replace(ctx, settings=replace(ctx.settings, notify=notify))
    assert webhooks.add_webhook(allowed, "http://10.20.30.40/h", []).id > 0
    assert webhooks.add_webhook(allowed, "http://127.0.0.1:9000/h", []).id > 0
    assert "a private address" in refused(allowed, "http://192.168.0.10/h")
    assert "a loopback address" in refused(allowed, "http://127.0.0.2/h")


def test_the_allow_list_setting_is_read_from_the_environment_and_checked() -> None:
    env = {"RESTOCK_WEBHOOK_ALLOW_PRIVATE": " 127.0.0.1, 10.0.0.0/8 ,fd00::/8"}
    assert NotifySettings.from_env(env).webhook_allow_private == ("127.0.0.1/32", "10.0.0.0/8", "fd00::/8")
    assert NotifySettings.from_env({}).webhook_allow_private == ()
    with pytest.raises(ValueError, match="RESTOCK_WEBHOOK_ALLOW_PRIVATE"):
        NotifySettings.from_env({"RESTOCK_WEBHOOK_ALLOW_PRIVATE": "10.0.0.0/33"})


def test_a_delivery_to_an_address_no_longer_allowed_fails_without_a_request(
    ctx: Context, smtp: SmtpServer, receiver: Receiver
) -> None:
    """Checked again before each delivery: what was allowed at registration may not be now (and a name may
    have been re-pointed at a private address since)."""
    standard_catalog(ctx)
    hook = webhooks.add_webhook(allowing_local(ctx), receiver.url, ["availability.changed"])
    strict = with_mail(ctx, smtp, outbox_max_attempts=1)
    stock.adjust_stock(strict, "MUG", "W1", 1, "count")
    deliver(strict)
    assert receiver.received == []
    [attempt] = webhooks.show_webhook(strict, hook.id).attempts
    assert attempt.status_code is None
    assert (attempt.error or "").startswith("refused, no request sent: a webhook may not point at 127.0.0.1")


def test_a_redirect_is_not_followed(ctx: Context, smtp: SmtpServer, receiver: Receiver) -> None:
    few = with_mail(ctx, smtp, outbox_max_attempts=1, webhook_allow_private=LOCAL)
    standard_catalog(few)
    hook = webhooks.add_webhook(few, receiver.url, ["availability.changed"])
    receiver.statuses = [302]
    stock.adjust_stock(few, "MUG", "W1", 1, "count")
    deliver(few)
    assert [r["status"] for r in receiver.received] == [302]  # asked once, and the Location never visited
    [attempt] = webhooks.show_webhook(few, hook.id).attempts
    assert (attempt.status_code, attempt.error) == (302, "HTTP 302 (redirects are not followed)")


def test_proxies_from_the_environment_are_ignored(
    ctx: Context, smtp: SmtpServer, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9/")  # nothing listens there: a proxied request would fail
    hooked = with_mail(ctx, smtp, webhook_allow_private=LOCAL)
    standard_catalog(hooked)
    webhooks.add_webhook(hooked, receiver.url, ["availability.changed"])
    stock.adjust_stock(hooked, "MUG", "W1", 1, "count")
    deliver(hooked)
    assert receiver.events() == ["availability.changed"]
    assert json.loads(receiver.received[0]["body"])["event"] == "availability.changed"


@pytest.mark.parametrize("url", ["http://[::1", "http://:80/", "http://user@/x", "http://a\x00b/", "http://a:99999/"])
def test_a_url_without_a_usable_host_or_port_is_refused_as_invalid_not_an_error(ctx: Context, url: str) -> None:
    with pytest.raises(InvalidInput):
        webhooks.add_webhook(ctx, url, [])
    assert webhooks.list_webhooks(ctx) == []
