"""The email check's fast path never accepts what email-validator would refuse."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from cio.models import Identify
from cio.models._email import is_valid_email


def _reference(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@pytest.mark.parametrize(
    "address",
    [
        "ada@example.com",
        "jane.doe+tag@mail.example.co.uk",
        "a@b.io",
        "x_y-z@sub-domain.example.org",
        "ops@localhost",
        "a..b@example.com",
        ".a@example.com",
        "a.@example.com",
        "a@-example.com",
        "a@example-.com",
        "a@ex--ample.com",
        "a@example",
        "a@example.test",
        "a@example.123",
        "a@@example.com",
        "a b@example.com",
        "@example.com",
        "a@",
        "x" * 65 + "@example.com",
        "a@" + "b" * 64 + ".com",
        "a@" + ("b" * 60 + ".") * 5 + "com",
        "jürgen@example.de",
        "a@bücher.de",
        '"quoted"@example.com',
    ],
)
def test_agrees_with_email_validator(address: str) -> None:
    assert is_valid_email(address) == _reference(address)


_ALPHABET = st.sampled_from([*"abcXYZ019.-_+@!#'`~ ü", "@", ".", "-"])
_ADDRESS_SHAPED = r"[a-z0-9._+-]{1,20}@[a-z0-9-]{1,15}(\.[a-z0-9-]{1,10}){0,2}\.[a-z]{2,6}"


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.text(_ALPHABET, min_size=1, max_size=30))
def test_never_disagrees_on_generated_addresses(address: str) -> None:
    assert is_valid_email(address) == _reference(address)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(
    st.from_regex(
        r"[a-z0-9._+-]{1,20}@[a-z0-9-]{1,15}(\.[a-z0-9-]{1,10}){0,2}\.[a-z]{2,6}", fullmatch=True
    )
)
def test_never_disagrees_on_address_shaped_strings(address: str) -> None:
    assert is_valid_email(address) == _reference(address)


def test_identify_uses_it() -> None:
    assert Identify(user_id="1", traits={"email": "ada@example.com"}).warnings == ()
    warned = Identify(user_id="1", traits={"email": "ada@example.test"}).warnings
    assert [(warning.field, warning.type) for warning in warned] == [
        ("traits.email", "email_undeliverable")
    ]
