"""Shape rules for what users type: codes, quantities, e-mails. One place, used by CLI and API alike."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from restock.domain.errors import InvalidInput
from restock.domain.model import MAX_QUANTITY

CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""Codes (SKU, warehouse, channel, supplier): ASCII letters, digits, '.', '_' and '-', 1 to 64 characters."""

MAX_EMAIL_LENGTH = 254
MAX_ID = 2_147_483_647
"""The largest id a table's key holds (a 32-bit INTEGER on PostgreSQL): the API declares no id above it valid."""


def code(value: str, what: str = "code") -> str:
    if not CODE_PATTERN.fullmatch(value):
        raise InvalidInput(
            f"invalid {what} {value[:80]!r}: use 1-64 ASCII letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return value


def quantity(value: int, what: str = "quantity") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_QUANTITY:
        raise InvalidInput(f"{what} must be a whole number from 1 to {MAX_QUANTITY}, got {value!r}")
    return value


def delta(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value == 0 or abs(value) > MAX_QUANTITY:
        raise InvalidInput(f"an adjustment must be a non-zero whole number within ±{MAX_QUANTITY}, got {value!r}")
    return value


def email(value: str) -> str:
    """An RFC 5321 mailbox: `local@domain`, nothing around it (no display name, no second address), a dot-atom
    local part (no quoting, so no comma or space can smuggle in another recipient), a domain with a dot that is
    not reserved (`localhost`, `.test`, `.invalid`), ASCII only. Syntax only: no DNS lookup, no network."""
    if len(value) > MAX_EMAIL_LENGTH or not value.isascii():
        raise InvalidInput(f"invalid e-mail address {value[:80]!r}")
    try:
        validate_email(value, check_deliverability=False, allow_smtputf8=False, strict=True)
    except EmailNotValidError as error:
        raise InvalidInput(f"invalid e-mail address {value[:80]!r}: {error}") from None
    return value


def name(value: str, what: str = "name") -> str:
    if not value.strip() or len(value) > 200 or not value.isprintable():
        raise InvalidInput(f"{what} must be 1-200 printable characters")
    return value


def reason(value: str) -> str:
    if not value.strip() or len(value) > 500 or not value.isprintable():
        raise InvalidInput("a reason is required: 1-500 printable characters")
    return value
