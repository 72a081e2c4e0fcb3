"""Money as ``Decimal``: rounding to the cent and the JSON money object."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
CURRENCY = "CNY"


def q(x: Decimal | int | str) -> Decimal:
    """Round to 0.01 half-up; ``-0.00`` becomes ``0.00``."""
    value = Decimal(x).quantize(CENT, rounding=ROUND_HALF_UP)
    # A negative zero would print as "-0.00" on a customer's screen.
    return value if value else ZERO


def money_json(d: Decimal, currency: str = CURRENCY) -> dict[str, str]:
    """The API's money object: ``{"amount": "123.45", "currency": "CNY"}``."""
    return {"amount": format(q(d), "f"), "currency": currency}
