"""How many SMS parts a text takes (3GPP TS 23.038).

Text entirely in the GSM 7-bit default alphabet (an extension character such as ``[`` or
``€`` takes two septets) goes as GSM-7: 160 septets in one message, 153 per part when
concatenated. Anything else (Chinese) goes as UCS-2: 70 characters, 67 per part.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class Segmentation:
    encoding: str  # "gsm7" or "ucs2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    parts: int


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def segment(text: str) -> Segmentation:
    """The encoding, length in its units and number of parts of ``text``."""
    if is_gsm7(text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, part = GSM7_SINGLE, GSM7_PART
        encoding = "gsm7"
    else:
        units = len(text.encode("utf-16-be")) // 2
        single, part = UCS2_SINGLE, UCS2_PART
        encoding = "ucs2"
    parts = 1 if units <= single else -(-units // part)
    return Segmentation(encoding, units, parts)
