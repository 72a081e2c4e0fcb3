"""Contracts: the early-termination fee (§2.2) and waivers."""

from __future__ import annotations

from cancelsvc.common.money import ZERO
from cancelsvc.precheck.codes import FindingCode
from cancelsvc.precheck.fees import FeeCalculation, early_termination_fee
from cancelsvc.precheck.result import Finding, Param
from cancelsvc.precheck.rules.base import RuleContext, finding, remedy, rule
from cancelsvc.precheck.snapshot import ContractSnap


def _params(contract: ContractSnap, calc: FeeCalculation) -> dict[str, Param]:
    """Every number the detail text walks through, like a clerk's calculator."""
    c = calc.calculation
    params: dict[str, Param] = {
        "contract": contract.external_id,
        "contract_kind": contract.kind,
        "start_date": contract.start_date,
        "end_date": contract.end_date,
        "fee": calc.fee,
        "uncapped": calc.uncapped,
        "months": c["remaining_months"],
        "commitment": contract.monthly_commitment,
        "fixed_penalty": contract.fixed_penalty,
    }
    if c["remaining_days"] is not None:
        params.update(days=c["remaining_days"], total_days=c["total_days"], subsidy=c["subsidy_amount"])
    if c["rate"] is not None:
        params["rate_percent"] = format((c["rate"] * 100).normalize(), "f")
    if c["cap"] is not None:
        params["cap"] = c["cap"]
    return params


def _running(ctx: RuleContext) -> list[ContractSnap]:
    """Contracts still running on the effective date."""
    return [c for c in ctx.account.contracts if c.end_date > ctx.effective_date]


@rule
def early_termination(ctx: RuleContext) -> list[Finding]:
    """One action per running, unwaived contract whose fee is above zero."""
    found = []
    for contract in _running(ctx):
        if contract.waiver_reason:
            continue
        calc = early_termination_fee(contract, ctx.effective_date)
        if calc.fee <= 0:
            continue
        variant = contract.kind + ("_capped" if calc.calculation["cap_applied"] else "")
        found.append(
            finding(
                FindingCode.CONTRACT_EARLY_TERMINATION,
                amount=calc.fee,
                refs=(contract.external_id,),
                params=_params(contract, calc),
                calculation=calc.calculation,
                variant=variant,
                remedies=(remedy("fee.pay"), remedy("fee.schedule_at_end", end_date=contract.end_date)),
            )
        )
    return found


@rule
def waived(ctx: RuleContext) -> list[Finding]:
    """A running contract with a waiver: nothing to pay, and we say how much that saves."""
    found = []
    for contract in _running(ctx):
        if not contract.waiver_reason:
            continue
        calc = early_termination_fee(contract, ctx.effective_date, apply_waiver=False)
        params = _params(contract, calc)
        params["reason"] = contract.waiver_reason
        found.append(
            finding(
                FindingCode.CONTRACT_WAIVED,
                amount=ZERO,
                refs=(contract.external_id,),
                params=params,
                calculation=calc.calculation,
                variant=None if calc.fee > 0 else "nothing_due",
            )
        )
    return found
