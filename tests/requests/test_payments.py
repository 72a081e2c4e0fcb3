"""What is still to pay of a request's quoted amounts (``requests.payments.still_to_pay``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from cancelsvc.requests.payments import PAID_BY, still_to_pay


@dataclass
class Item:
    key: str
    code: str
    amount: Decimal | None
    status: str = "todo"
    done_by: str | None = None


BALANCE = Item("b", "balance.settle", Decimal("128.00"))
FEE = Item("k1", "contract.early_termination", Decimal("133.33"))
DEVICE = Item("d", "device.return", Decimal("300.00"))  # charged only if the device is kept: not quoted


@pytest.mark.parametrize(("items", "paid", "expected"), [
    ([BALANCE, FEE, DEVICE], "0", "261.33"),
    ([BALANCE, FEE], "128.00", "133.33"),
    ([BALANCE, FEE], "500.00", "0"),  # an overpayment is refunded, never a negative figure
    ([BALANCE, Item("k1", "contract.early_termination", Decimal("133.33"), "waived")], "0", "128.00"),
    ([BALANCE, Item("k1", "contract.early_termination", Decimal("133.33"), "done", "clerk")], "0", "128.00"),
    # Settled by a payment: still part of what the payments cover.
    ([Item("b", "balance.settle", Decimal("128.00"), "done", PAID_BY), FEE], "128.00", "133.33"),
    ([Item("b", "balance.settle", None), FEE], "0", "133.33"),
    ([Item("n", "number.bindings", None)], "0", "0"),
])
def test_still_to_pay(items: list[Item], paid: str, expected: str) -> None:
    assert still_to_pay(items, Decimal(paid)) == Decimal(expected)
