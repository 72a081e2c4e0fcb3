"""Phone numbers: parse any common notation and normalise to E.164."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "CN"


@lru_cache(maxsize=8192)
def normalise_msisdn(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """E.164 form of ``raw`` (``138 0013 8000``, ``+86-138…``, ``0086…``), or None if invalid."""
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
