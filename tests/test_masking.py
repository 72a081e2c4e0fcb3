"""Masking numbers, hashing identity documents, normalising phone numbers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cancelsvc.common.masking import hash_identity, mask_msisdn
from cancelsvc.common.phones import normalise_msisdn


def test_mask_matches_the_spec_example() -> None:
    assert mask_msisdn("+8613800138000") == "+86 138****8000"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+8613800138000", "+8613800138000"),
        ("13800138000", "+8613800138000"),
        ("138 0013 8000", "+8613800138000"),
        ("+86-138-0013-8000", "+8613800138000"),
        ("008613800138000", "+8613800138000"),
        ("12345", None),
        ("not a number", None),
    ],
)
def test_normalise_msisdn(raw: str, expected: str | None) -> None:
    assert normalise_msisdn(raw) == expected


def test_identity_hash_is_keyed_and_normalised() -> None:
    a = hash_identity("k1", "cn_resident_id", "11010119900307123x")
    assert a == hash_identity("k1", "cn_resident_id", " 11010119900307123X ")
    assert a != hash_identity("k2", "cn_resident_id", "11010119900307123X")
    assert len(a) == 64 and "123X" not in a


@settings(max_examples=500, deadline=None)
@given(st.from_regex(r"\+861[0-9]{10}", fullmatch=True))
def test_a_mainland_number_in_e164_normalises_as_parsing_would_normalise_it(text: str) -> None:
    import phonenumbers

    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        expected = None
    else:
        expected = (phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
                    if phonenumbers.is_valid_number(parsed) else None)
    assert normalise_msisdn.__wrapped__(text) == expected
