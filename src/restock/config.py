"""Settings from RESTOCK_* environment variables, read once per process when asked for, never at import."""

from __future__ import annotations

import importlib.util
import ipaddress
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "sqlite:///restock.db"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    handling_days: int = 2
    """Days from stock arriving at the warehouse to the parcel leaving it."""
    default_lateness_days: int = 4
    """Ship-window width for a supplier without enough history to measure its P90 lateness."""
    today: date | None = None
    """A fixed business date (RESTOCK_TODAY) for tests, demos and scripts."""
    api_key_cache_seconds: int = 5
    """How long an API worker trusts a key it has checked: a revoked key stops working within this time."""
    availability_cache_seconds: int = 300
    """The longest an API worker reuses a single-SKU availability answer (0: never). A change drops it within
    about 0.2 s anyway (the database's change feed); this is the safety net. Orders always decide afresh."""
    api_threads: int = 0
    """Requests an API worker runs at once in its thread pool (0: anyio's default, 40)."""
    db_pool_size: int = 10
    db_max_overflow: int = 30
    """PostgreSQL connections per process: kept open, and extra ones under load (the API runs 40 threads)."""
    plan_creates_pos: bool = False
    """Whether the worker's daily plan turns its suggestions into draft POs by itself (RESTOCK_PLAN_CREATE_POS)."""
    plan_notify: str | None = None
    """The purchasing contact's e-mail address (RESTOCK_PLAN_NOTIFY): each stored plan run's summary goes there."""
    plan_engine: EngineAddress = field(default_factory=lambda: EngineAddress())
    """Where the plan's forecasts are computed (RESTOCK_PLAN_ENGINE): `local`, dask://HOST:PORT or ray://HOST:PORT."""
    notify: NotifySettings = field(default_factory=lambda: NotifySettings())
    """Customer communication: e-mail, links, the outbox worker (RESTOCK_SMTP_*, RESTOCK_MAIL_*, ...)."""
    # Replenishment planning: the cycle service level each ABC class (by revenue) is planned for, and the
    # revenue shares that close classes A and B (the A SKUs make the first 80% of revenue, B the next 15%).
    service_level_a_pct: int = 98
    service_level_b_pct: int = 95
    service_level_c_pct: int = 90
    abc_a_share_pct: int = 80
    abc_b_share_pct: int = 95

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        fixed = env.get("RESTOCK_TODAY")
        return cls(
            database_url=env.get("RESTOCK_DATABASE_URL", DEFAULT_DATABASE_URL),
            handling_days=_int(env, "RESTOCK_HANDLING_DAYS", 2),
            default_lateness_days=_int(env, "RESTOCK_DEFAULT_LATENESS_DAYS", 4),
            today=_date(fixed) if fixed else None,
            api_key_cache_seconds=_int(env, "RESTOCK_API_KEY_CACHE_SECONDS", 5),
            availability_cache_seconds=_int(env, "RESTOCK_AVAILABILITY_CACHE_SECONDS", 300),
            api_threads=_int(env, "RESTOCK_API_THREADS", 0),
            db_pool_size=_int(env, "RESTOCK_DB_POOL_SIZE", 10),
            db_max_overflow=_int(env, "RESTOCK_DB_MAX_OVERFLOW", 30),
            plan_creates_pos=_bool(env, "RESTOCK_PLAN_CREATE_POS", False),
            plan_notify=_address(env, "RESTOCK_PLAN_NOTIFY"),
            plan_engine=parse_engine(env.get("RESTOCK_PLAN_ENGINE")),
            notify=NotifySettings.from_env(env),
            **_planning_settings(env),
        )


@dataclass(frozen=True)
class NotifySettings:
    """E-mail, the links in it, and the outbox worker. Without an SMTP host, e-mails are written as .eml files."""

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    mail_from: str = "shop@localhost"
    mail_dir: str = "mail-outbox"
    """Where e-mails go as .eml files when RESTOCK_SMTP_HOST is not set (the demo shows them there)."""
    templates_dir: str | None = None
    """A folder whose templates override the built-in ones, file by file (RESTOCK_MAIL_TEMPLATES)."""
    shop_name: str = "Our shop"
    shop_url: str | None = None
    """The shop's storefront (RESTOCK_SHOP_URL): where a back-in-stock e-mail sends a shopper when the SKU has
    no product URL of its own. Unset: such an e-mail has no product link (never one to restock's API)."""
    public_url: str = "http://127.0.0.1:8000"
    """Base of the links in e-mails (cancel, unsubscribe)."""
    secret_key: str | None = None
    """Signs the links in e-mails; without it a random key is made once and kept in the database."""
    cancel_link_days: int = 14
    still_waiting_days: int = 7
    notify_batch_multiple: int = 3
    outbox_max_attempts: int = 8
    outbox_retry_seconds: int = 30
    """The first retry's delay; it doubles with each failure, up to an hour."""
    outbox_lease_seconds: int = 60
    """How long a worker owns the messages it claimed; a crashed worker's messages are taken over after it."""
    outbox_batch_size: int = 50
    worker_poll_seconds: float = 1.0
    webhook_timeout_seconds: int = 10
    outbox_keep_days: int = 30
    """Delivered messages are kept this long (to look into what was sent), then purged daily."""
    webhook_allow_private: tuple[str, ...] = ()
    """Networks (CIDR) a webhook may point at although they are not public: loopback, private, link-local...
    (RESTOCK_WEBHOOK_ALLOW_PRIVATE=127.0.0.1/32,10.0.0.0/8). Every other non-public address is refused."""
    webhook_breaker_failures: int = 5
    """Consecutive failed attempts after which an endpoint's deliveries pause (its circuit breaker opens)."""
    webhook_breaker_seconds: int = 60
    """The first pause of an open breaker; it doubles with each further failure, up to an hour."""
    webhook_concurrency: int = 4
    """Endpoints the worker posts to at once; each endpoint gets its deliveries one at a time, in order."""

    @classmethod
    def from_env(cls, env: os._Environ[str] | dict[str, str]) -> NotifySettings:
        return cls(
            smtp_host=env.get("RESTOCK_SMTP_HOST") or None,
            smtp_port=_int(env, "RESTOCK_SMTP_PORT", 587),
            smtp_user=env.get("RESTOCK_SMTP_USER") or None,
            smtp_password=env.get("RESTOCK_SMTP_PASSWORD") or None,
            smtp_starttls=_bool(env, "RESTOCK_SMTP_STARTTLS", True),
            mail_from=env.get("RESTOCK_MAIL_FROM") or "shop@localhost",
            mail_dir=env.get("RESTOCK_MAIL_DIR") or "mail-outbox",
            templates_dir=env.get("RESTOCK_MAIL_TEMPLATES") or None,
            shop_name=env.get("RESTOCK_SHOP_NAME") or "Our shop",
            shop_url=env.get("RESTOCK_SHOP_URL") or None,
            public_url=(env.get("RESTOCK_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/"),
            secret_key=env.get("RESTOCK_SECRET_KEY") or None,
            cancel_link_days=_int(env, "RESTOCK_CANCEL_LINK_DAYS", 14),
            still_waiting_days=_positive(env, "RESTOCK_STILL_WAITING_DAYS", 7),
            notify_batch_multiple=_positive(env, "RESTOCK_NOTIFY_BATCH_MULTIPLE", 3),
            outbox_max_attempts=_positive(env, "RESTOCK_OUTBOX_MAX_ATTEMPTS", 8),
            outbox_retry_seconds=_int(env, "RESTOCK_OUTBOX_RETRY_SECONDS", 30),
            outbox_lease_seconds=_positive(env, "RESTOCK_OUTBOX_LEASE_SECONDS", 60),
            outbox_batch_size=_positive(env, "RESTOCK_OUTBOX_BATCH_SIZE", 50),
            worker_poll_seconds=_int(env, "RESTOCK_WORKER_POLL_MS", 1000) / 1000,
            webhook_timeout_seconds=_positive(env, "RESTOCK_WEBHOOK_TIMEOUT_SECONDS", 10),
            outbox_keep_days=_positive(env, "RESTOCK_OUTBOX_KEEP_DAYS", 30),
            webhook_allow_private=_networks(env, "RESTOCK_WEBHOOK_ALLOW_PRIVATE"),
            webhook_breaker_failures=_positive(env, "RESTOCK_WEBHOOK_BREAKER_FAILURES", 5),
            webhook_breaker_seconds=_positive(env, "RESTOCK_WEBHOOK_BREAKER_SECONDS", 60),
            webhook_concurrency=_positive(env, "RESTOCK_WEBHOOK_CONCURRENCY", 4),
        )


def _bool(env: os._Environ[str] | dict[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, got {raw!r}")


def _address(env: os._Environ[str] | dict[str, str], name: str) -> str | None:
    """An e-mail address, checked as every address restock sends to is (`domain.validation.email`); unset: None."""
    from restock.domain.errors import InvalidInput
    from restock.domain.validation import email

    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    try:
        return email(raw)
    except InvalidInput as error:
        raise ValueError(f"{name} must be one e-mail address: {error}") from None


def _positive(env: os._Environ[str] | dict[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value == 0:
        raise ValueError(f"{name} must be at least 1")
    return value


def _int(env: os._Environ[str] | dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def _planning_settings(env: os._Environ[str] | dict[str, str]) -> dict[str, int]:
    """ABC service levels and class cut-offs, in percent; refused when they make no sense together."""
    levels = {
        f"service_level_{c}_pct": _int(env, f"RESTOCK_SERVICE_LEVEL_{c.upper()}", d)
        for c, d in (("a", 98), ("b", 95), ("c", 90))
    }
    for name, value in levels.items():
        if not 50 <= value <= 99:
            raise ValueError(
                f"RESTOCK_{name.removesuffix('_pct').upper()} must be a percentage from 50 to 99, got {value}"
            )
    a_share = _int(env, "RESTOCK_ABC_A_SHARE", 80)
    b_share = _int(env, "RESTOCK_ABC_B_SHARE", 95)
    if not 0 < a_share <= b_share <= 100:
        raise ValueError(
            f"RESTOCK_ABC_A_SHARE and RESTOCK_ABC_B_SHARE must satisfy 0 < A <= B <= 100, got {a_share} and {b_share}"
        )
    return {**levels, "abc_a_share_pct": a_share, "abc_b_share_pct": b_share}


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"RESTOCK_TODAY must be a date like 2026-11-27, got {raw!r}") from None


def utc_iso(moment: datetime) -> str:
    """A stored timestamp (naive, UTC by convention) as RFC 3339 with its offset, as JSON consumers expect."""
    return moment.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def utc_now() -> datetime:
    """Real UTC time, naive as the database stores it: what leases, backoff and receipts run on, whatever business
    date RESTOCK_TODAY fixes."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Clock:
    """The business clock: real UTC time, or a fixed date with the real time of day (keeps FIFO order)."""

    fixed_today: date | None = None

    def now(self) -> datetime:
        real = utc_now()
        if self.fixed_today is None:
            return real
        return datetime.combine(self.fixed_today, time(real.hour, real.minute, real.second, real.microsecond))

    def today(self) -> date:
        return self.fixed_today or self.now().date()


def _networks(env: os._Environ[str] | dict[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list of networks (`10.0.0.0/8`, `::1/128`, a bare address): checked, normalised."""
    raw = [part.strip() for part in (env.get(name) or "").split(",") if part.strip()]
    try:
        return tuple(str(ipaddress.ip_network(part, strict=False)) for part in raw)
    except ValueError:
        raise ValueError(f"{name} must be comma-separated networks like 10.0.0.0/8, got {env.get(name)!r}") from None


PLAN_ENGINE_SETTING = "RESTOCK_PLAN_ENGINE"
LOCAL = "local"
CLUSTER_PACKAGES = {
    "dask": (("distributed", "fugue_dask"), "pip install 'fugue[dask]' 'dask[distributed]'"),
    "ray": (("ray", "fugue_ray"), "pip install 'fugue[ray]'"),
}
"""Per cluster scheme: the modules statsforecast's backend needs there, and how to install them."""


@dataclass(frozen=True)
class EngineAddress:
    """`local`, or a cluster scheduler: scheme (dask, ray), host and port."""

    scheme: str = LOCAL
    host: str = ""
    port: int = 0

    @property
    def url(self) -> str:
        return LOCAL if self.scheme == LOCAL else f"{self.scheme}://{self.host}:{self.port}"


def parse_engine(raw: str | None) -> EngineAddress:
    """The RESTOCK_PLAN_ENGINE setting: empty or `local`, `dask://HOST:PORT` or `ray://HOST:PORT`.

    Refused at start-up (ValueError naming the setting) when malformed or when the packages the cluster needs
    are not installed: a nightly plan should not find out at 2 a.m. that it cannot reach its cluster's code.
    """
    text = (raw or "").strip()
    if text in ("", LOCAL):
        return EngineAddress()
    expected = f"{PLAN_ENGINE_SETTING} must be 'local', dask://HOST:PORT or ray://HOST:PORT, got {text!r}"
    parts = urlsplit(text)
    if parts.scheme not in CLUSTER_PACKAGES or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(expected)
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number in 0..65535
        raise ValueError(expected) from None
    if not host or not port:
        raise ValueError(expected)
    modules, install = CLUSTER_PACKAGES[parts.scheme]
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise ValueError(
            f"{PLAN_ENGINE_SETTING}={text} needs the Python package {missing[0]!r}, which is not installed ({install})"
        )
    return EngineAddress(parts.scheme, host, port)
