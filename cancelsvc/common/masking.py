"""Showing personal data safely: masked numbers, hashed identity documents."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

import phonenumbers


@lru_cache(maxsize=8192)
def mask_msisdn(e164: str) -> str:
    """``+8613800138000`` → ``+86 138****8000`` (country code, first 3 and last 4 digits)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return "****" + e164[-4:]
    national = str(number.national_number)
    if len(national) <= 7:
        return f"+{number.country_code} " + "*" * (len(national) - 4) + national[-4:]
    return f"+{number.country_code} {national[:3]}{'*' * (len(national) - 7)}{national[-4:]}"


def last4(value: str) -> str:
    """The last four characters, as kept beside a hashed identity document."""
    return value[-4:]


def hash_identity(secret: str, doc_type: str, number: str) -> str:
    """Keyed HMAC-SHA256 of an identity document (type-scoped, case-insensitive)."""
    message = f"{doc_type}:{number.strip().upper()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
