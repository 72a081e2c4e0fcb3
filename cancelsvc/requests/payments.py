"""Which money items the payments received so far cover.

Payments add up and are applied to the quoted amounts in a fixed order: the balance,
then early-termination fees, then installments, then replacement fees of devices not
returned (the ``settle_order`` of each paid code in ``precheck.rules.base.CODES``). An item is covered when the running total reaches the end of its amount.
Items the payments settled keep their share of the total (``done_by`` is ``PAID_BY``);
items closed any other way (waived, a device brought back, ticked off by a clerk) take
none of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

from cancelsvc.precheck.codes import AmountRole
from cancelsvc.precheck.rules.base import CODES, paid_codes
from models.vocabulary import ItemStatus

#: The codes of paid money, in the order payments settle them.
PAYABLE_ORDER = paid_codes()
#: The codes whose amounts make the quoted total (sums due).
QUOTED_CODES = frozenset(code for code, spec in CODES.items() if spec.amount == AmountRole.DUE)
#: ``done_by`` of the items that payments settled.
PAID_BY = "payment"


class Payable(Protocol):
    key: str
    code: str
    amount: Decimal | None
    status: str
    done_by: str | None


def settled_by_payment(item: Payable) -> bool:
    return item.status == ItemStatus.DONE and item.done_by == PAID_BY


def covered_keys(items: Iterable[Payable], paid_total: Decimal) -> set[str]:
    """Keys of the open money items that ``paid_total`` covers, in ``PAYABLE_ORDER``."""
    payable = [
        i for i in items
        if i.code in PAYABLE_ORDER and (i.amount or 0) > 0 and (i.status == ItemStatus.TODO or settled_by_payment(i))
    ]
    payable.sort(key=lambda i: PAYABLE_ORDER.index(i.code))
    covered, running = set(), Decimal("0")
    for item in payable:
        running += item.amount or Decimal("0")
        if running > paid_total:
            break
        if item.status == ItemStatus.TODO:
            covered.add(item.key)
    return covered


def still_to_pay(items: Iterable[Payable], paid_total: Decimal) -> Decimal:
    """What the customer still has to pay of the quoted amounts: the items payments are to
    settle (open, or settled by payment) less what was paid. A waived fee, or an item a
    clerk closed, is no longer owed, although the quoted total (binding) still names it."""
    owed = sum((i.amount or Decimal("0") for i in items
                if i.code in QUOTED_CODES and (i.status == ItemStatus.TODO or settled_by_payment(i))), Decimal("0"))
    return max(owed - paid_total, Decimal("0"))


def settled_total(items: Iterable[Payable]) -> Decimal:
    """The part of the payments that settled items (the rest is an overpayment)."""
    return sum((i.amount or Decimal("0") for i in items if settled_by_payment(i)), Decimal("0"))
