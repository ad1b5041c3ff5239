"""E-mail addresses are RFC 5321 mailboxes: one address, nothing around it, the same rule for API and CLI."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from restock.domain import validation
from restock.domain.errors import InvalidInput

ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~"
LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=20)


@pytest.mark.parametrize(
    "address",
    [
        "a,b@evil.example.com",  # a comma: two recipients to a mailer that splits on it
        "ann@example.com,eve@evil.example.com",
        "Ann <ann@example.com>",  # a display name
        "<ann@example.com>",
        '"a,b"@example.com',  # a quoted local part
        '"ann smith"@example.com',
        "ann smith@example.com",
        "ann@example.com\r\nBcc: eve@evil.example.com",  # header injection
        "ann@@example.com",
        "ann@localhost",  # no dot, or a reserved name
        "ann@mail.test",
        "ann@host.invalid",
        "ann.@example.com",
        ".ann@example.com",
        "a..b@example.com",
        "ann@-example.com",
        "ann@[127.0.0.1]",  # an address literal
        "ännä@example.com",  # not ASCII
        "ann@exämple.com",
        "a" * 65 + "@example.com",  # the local part is at most 64 octets
        "ann@" + "a" * 250 + ".com",
    ],
)
def test_an_email_address_is_one_plain_mailbox_and_nothing_else(address: str) -> None:
    with pytest.raises(InvalidInput, match="invalid e-mail address"):
        validation.email(address)


@pytest.mark.parametrize(
    "address", ["a@b.co", "ann@example.com", "ann.smith+backorders@mail.example.org", "o'brien@example.ie"]
)
def test_an_ordinary_mailbox_is_accepted_as_typed(address: str) -> None:
    assert validation.email(address) == address


@given(local=st.text(ATEXT, min_size=1, max_size=30), labels=st.lists(LABEL, min_size=2, max_size=4))
def test_every_dot_atom_mailbox_on_a_public_looking_domain_is_accepted(local: str, labels: list[str]) -> None:
    labels[-1] = "com"
    address = f"{local}@{'.'.join(labels)}"
    assert validation.email(address) == address


@given(
    local=st.text(ATEXT, min_size=1, max_size=20),
    bad=st.sampled_from(',;<>()[]:" \\\t\r\n@'),
    at=st.integers(min_value=0, max_value=20),
)
def test_no_separator_quote_or_space_is_accepted_in_the_local_part(local: str, bad: str, at: int) -> None:
    spliced = local[:at] + bad + local[at:]
    with pytest.raises(InvalidInput):
        validation.email(f"{spliced}@example.com")
