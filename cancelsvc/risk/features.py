"""One feature row per account at pre-check time, shared by serving and ``ml export``.

Training rows exported from finished requests use exactly the row stored with their
pre-check, so what the model was trained on and what it scores cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from cancelsvc.precheck.balance import disputed_unpaid, net_balance
from cancelsvc.precheck.fees import early_termination_fee, remaining_months
from cancelsvc.precheck.result import PrecheckOutcome
from cancelsvc.precheck.snapshot import AccountSnap


def feature_row(account: AccountSnap, outcome: PrecheckOutcome, prior_requests: int) -> dict[str, Any]:
    """The model's input for ``account`` as the pre-check saw it (ml.md column names)."""
    effective = outcome.effective_date
    today = outcome.today
    running = [c for c in account.contracts if c.end_date > effective]
    fee = sum((early_termination_fee(c, effective).fee for c in running), Decimal("0"))
    return {
        "channel": outcome.channel,
        "segment": account.segment,
        "tenure_months": _months_between(account.activated_on, today),
        "plan_monthly_fee": float(account.plan_monthly_fee),
        "contracts_active": len(running),
        "early_termination_fee": float(fee),
        "contract_remaining_months": max((remaining_months(effective, c.end_date) for c in running), default=0),
        "balance_net": float(net_balance(account)),
        "bills_unpaid": sum(1 for b in account.bills if not b.disputed and b.amount_due > b.amount_paid),
        "disputed_amount": float(disputed_unpaid(account)),
        "devices_rented_unreturned": sum(
            1 for d in account.devices if d.ownership == "rented" and d.returned_on is None
        ),
        "installment_remaining": float(sum(
            (d.installment_remaining for d in account.devices if d.ownership == "installment"), Decimal("0")
        )),
        "services_operator": sum(1 for s in account.services if s.status == "active" and s.provider == "operator"),
        "services_third_party": sum(
            1 for s in account.services if s.status == "active" and s.provider == "third_party"
        ),
        "family_role": account.family_role or "none",
        "family_members": account.family_others,
        "prior_requests": prior_requests,
        "payment_method": account.payment_method or "other",
        "days_since_last_payment": (today - account.last_payment_on).days if account.last_payment_on else None,
    }


def _months_between(start: dt.date | None, end: dt.date) -> int | None:
    if start is None:
        return None
    return max(0, (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day))
