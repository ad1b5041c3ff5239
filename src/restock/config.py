"""Settings from RESTOCK_* environment variables, read once per process when asked for, never at import."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

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
    db_pool_size: int = 10
    db_max_overflow: int = 30
    """PostgreSQL connections per process: kept open, and extra ones under load (the API runs 40 threads)."""
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
            db_pool_size=_int(env, "RESTOCK_DB_POOL_SIZE", 10),
            db_max_overflow=_int(env, "RESTOCK_DB_MAX_OVERFLOW", 30),
            **_planning_settings(env),
        )


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


@dataclass(frozen=True)
class Clock:
    """The business clock: real UTC time, or a fixed date with the real time of day (keeps FIFO order)."""

    fixed_today: date | None = None

    def now(self) -> datetime:
        real = datetime.now(UTC).replace(tzinfo=None)
        if self.fixed_today is None:
            return real
        return datetime.combine(self.fixed_today, time(real.hour, real.minute, real.second, real.microsecond))

    def today(self) -> date:
        return self.fixed_today or self.now().date()
