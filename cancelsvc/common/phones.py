"""Phone numbers: parse any common notation and normalise to E.164."""

from __future__ import annotations

import re
from functools import cache, lru_cache

import phonenumbers

DEFAULT_REGION = "CN"
#: A mainland number already in E.164 (``+86`` and 11 digits starting with 1): what a BSS
#: export carries, a million times over in an import.
_E164_CN = re.compile(r"\+861[0-9]{10}")


@lru_cache(maxsize=8192)
def normalise_msisdn(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """E.164 form of ``raw`` (``138 0013 8000``, ``+86-138…``, ``0086…``), or None if invalid."""
    text = raw.strip()
    if _E164_CN.fullmatch(text) and not _national_prefix("CN").match(text, 3):
        # Parsing would give the same number back (nothing to strip: no national or carrier
        # prefix at its start), so only its validity is left to check: 3× faster.
        number = phonenumbers.PhoneNumber(country_code=86, national_number=int(text[3:]))
        return text if phonenumbers.is_valid_number(number) else None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@cache
def _national_prefix(region: str) -> re.Pattern[str]:
    """What parsing strips from the start of a national number (national and carrier prefixes)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    return re.compile(metadata.national_prefix_for_parsing if metadata and metadata.national_prefix_for_parsing
                      else r"(?!)")
