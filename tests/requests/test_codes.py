"""Tracking codes: Crockford base32 with a Luhn mod 32 check character."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cancelsvc.requests.codes import ALPHABET, LENGTH, check_character, new_tracking_code, normalise


def test_new_codes_are_valid_and_distinct() -> None:
    made = {new_tracking_code() for _ in range(2000)}
    assert len(made) == 2000
    assert all(len(c) == LENGTH and set(c) <= set(ALPHABET) and normalise(c) == c for c in made)


def _assert_every_single_typo_caught(code: str) -> None:
    for position in range(LENGTH):
        for ch in ALPHABET:
            if ch != code[position]:
                assert normalise(code[:position] + ch + code[position + 1:]) is None


# Parameters are fixed at collection (pytest-xdist collects on every worker and needs
# the same tests everywhere): random inputs come from hypothesis or the test body.
@settings(max_examples=50, deadline=None)
@given(body=st.text(alphabet=ALPHABET, min_size=LENGTH - 1, max_size=LENGTH - 1))
def test_every_single_mistyped_character_is_caught(body: str) -> None:
    _assert_every_single_typo_caught(body + check_character(body))


def test_every_single_mistyped_character_is_caught_in_new_codes() -> None:
    for _ in range(5):
        _assert_every_single_typo_caught(new_tracking_code())


def test_most_swapped_neighbours_are_caught() -> None:
    caught = total = 0
    for _ in range(300):
        code = new_tracking_code()
        for i in range(LENGTH - 1):
            if code[i] != code[i + 1]:
                total += 1
                caught += normalise(code[:i] + code[i + 1] + code[i] + code[i + 2:]) is None
    assert caught / total > 0.9


@pytest.mark.parametrize(("typed", "body"), [
    ("cx7k-3m9q 2pr", "CX7K3M9Q2PR"),
    ("OIL0000000A", "0110000000A"),
])
def test_people_may_type_codes_loosely(typed: str, body: str) -> None:
    code = body + check_character(body)
    typed = typed + check_character(body).lower()
    assert normalise(typed) == code


@pytest.mark.parametrize("bad", ["", "CX7K3M9Q2PR", "CX7K3M9Q2PRTT", "CX7K3M9Q2PRU", "ÄX7K3M9Q2PRT"])
def test_malformed_codes(bad: str) -> None:
    assert normalise(bad) is None
