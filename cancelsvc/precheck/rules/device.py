"""Devices: rented equipment to return, installments to pay off."""

from __future__ import annotations

from cancelsvc.precheck.codes import FindingCode
from cancelsvc.precheck.result import Finding
from cancelsvc.precheck.rules.base import RuleContext, finding, rule


@rule
def device_return(ctx: RuleContext) -> list[Finding]:
    """A rented device not yet returned; the amount is the fee if it is not returned."""
    return [
        finding(
            FindingCode.DEVICE_RETURN,
            amount=d.replacement_value,
            refs=(d.serial,),
            params={"device": d.kind, "serial": d.serial},
        )
        for d in ctx.account.devices
        if d.ownership == "rented" and d.returned_on is None
    ]


@rule
def installment(ctx: RuleContext) -> list[Finding]:
    """An installment device with installments left to pay."""
    return [
        finding(
            FindingCode.DEVICE_INSTALLMENT,
            amount=d.installment_remaining,
            refs=(d.serial,),
            params={"device": d.kind, "serial": d.serial},
        )
        for d in ctx.account.devices
        if d.ownership == "installment" and d.installment_remaining > 0
    ]
