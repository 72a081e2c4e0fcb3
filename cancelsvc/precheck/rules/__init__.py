"""The pre-check rules, one module per concern, run in domain.md §2.1 order.

To add a rule, write a function ``(ctx: RuleContext) -> list[Finding]`` decorated with
``@rule`` in the module of its concern, add its code to ``codes.FindingCode``, give it a
line in ``base.CODES`` (with its progress node and the role of its amount) and its texts
in ``cancelsvc.texts``. A new concern is a new module, named in ``CONCERNS`` and in
``RULES`` below (a test checks the two agree).
"""

from cancelsvc.precheck.rules import account, balance, contract, device, family, loyalty, services
from cancelsvc.precheck.rules.base import (
    CODES,
    CONCERNS,
    REMEDIES,
    CodeSpec,
    RuleContext,
    finding,
    remedy,
    rule,
    rules_of,
)

#: Every rule, concern by concern in ``CONCERNS`` order (one module each).
RULES = rules_of((account, contract, balance, device, services, family, loyalty))

__all__ = ["CODES", "CONCERNS", "REMEDIES", "RULES", "CodeSpec", "RuleContext", "finding", "remedy", "rule"]
