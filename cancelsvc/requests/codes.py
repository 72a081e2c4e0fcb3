"""Tracking codes: 11 random Crockford base32 characters and a Luhn mod 32 check character.

55 random bits make a code unguessable (and reading it also needs the number's last 4
digits, with failed attempts rate-limited); the check character catches every single
mistyped character and most swapped neighbours before the database is asked.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
# Crockford decoding: letters people confuse with digits, and lower case.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})
LENGTH = 12


def check_character(body: str) -> str:
    """The Luhn mod 32 check character of ``body``."""
    n = len(ALPHABET)
    factor, total = 2, 0
    for ch in reversed(body):
        addend = factor * _INDEX[ch]
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def new_tracking_code() -> str:
    """A fresh random code such as ``CX7K3M9Q2PRT``."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH - 1))
    return body + check_character(body)


def normalise(code: str) -> str | None:
    """The canonical code (upper case, confusable letters mapped), or None when invalid."""
    text = code.upper().translate(_READ_AS)
    if len(text) != LENGTH or any(ch not in _INDEX for ch in text):
        return None
    return text if check_character(text[:-1]) == text[-1] else None
