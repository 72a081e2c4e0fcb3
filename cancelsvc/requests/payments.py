"""Which money items the payments received so far cover.

Payments add up and are applied to the quoted amounts in a fixed order: the balance,
then early-termination fees, then installments, then replacement fees of devices not
returned. An item is covered when the running total reaches the end of its amount.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

PAYABLE_ORDER = ("balance.settle", "contract.early_termination", "device.installment", "device.return")


class Payable(Protocol):
    key: str
    code: str
    amount: Decimal | None
    status: str


def covered_keys(items: Iterable[Payable], paid_total: Decimal) -> set[str]:
    """Keys of the money items that ``paid_total`` covers, in ``PAYABLE_ORDER``."""
    open_items = [i for i in items if i.code in PAYABLE_ORDER and i.status == "todo" and (i.amount or 0) > 0]
    open_items.sort(key=lambda i: PAYABLE_ORDER.index(i.code))
    covered, running = set(), Decimal("0")
    for item in open_items:
        running += item.amount or Decimal("0")
        if running > paid_total:
            break
        covered.add(item.key)
    return covered
