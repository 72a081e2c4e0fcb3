"""The cancellation checklist (domain.md §2.4): findings plus the procedural items."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cancelsvc.precheck.codes import FindingCode, ProceduralCode
from cancelsvc.precheck.result import (
    ACTION,
    BLOCKER,
    CLERK,
    CUSTOMER,
    TODO,
    WAIVED,
    ChecklistItem,
    Finding,
)
from cancelsvc.precheck.rules.base import CODES
from models.vocabulary import NodeCode

CHANNELS = ("app", "web", "counter", "phone")
IN_PERSON_CHANNELS = frozenset({"counter", "phone"})

IDENTITY_DOCUMENTS, IDENTITY_VIDEO = ProceduralCode.IDENTITY_DOCUMENTS, ProceduralCode.IDENTITY_VIDEO
NUMBER_BINDINGS = ProceduralCode.NUMBER_BINDINGS
PROCEDURAL_CODES = tuple(ProceduralCode)

#: Checklist item code -> the progress node it belongs to (items of no node are absent):
#: the identity step, then what ``CODES`` says of each finding code.
ITEM_NODE: dict[str, NodeCode] = {
    IDENTITY_DOCUMENTS: NodeCode.IDENTITY_VERIFIED,
    IDENTITY_VIDEO: NodeCode.IDENTITY_VERIFIED,
    **{code: spec.node for code, spec in CODES.items() if spec.node is not None},
}

# At the counter or on the phone the clerk checks the documents; online the customer
# completes the video check on their own.
_IDENTITY = {
    True: ChecklistItem(
        key=IDENTITY_DOCUMENTS,
        code=IDENTITY_DOCUMENTS,
        owner=CLERK,
        status=TODO,
        required=True,
        self_service=False,
        est_working_days=(0, 1),
    ),
    False: ChecklistItem(
        key=IDENTITY_VIDEO,
        code=IDENTITY_VIDEO,
        owner=CUSTOMER,
        status=TODO,
        required=True,
        self_service=True,
        est_working_days=(0, 1),
    ),
}
_BINDINGS = ChecklistItem(
    key=NUMBER_BINDINGS,
    code=NUMBER_BINDINGS,
    owner=CUSTOMER,
    status=TODO,
    required=False,
    self_service=True,
)


def identity_item(channel: str) -> ChecklistItem:
    """The identity step for ``channel``."""
    return _IDENTITY[channel in IN_PERSON_CHANNELS]


def item_for(f: Finding) -> ChecklistItem:
    """The checklist item of a non-blocking finding; actions are the required ones."""
    spec = CODES[f.code]
    return ChecklistItem(
        key=f"{f.code}:{f.refs[0]}" if spec.per_ref and f.refs else f.code,
        code=f.code,
        owner=spec.owner,
        status=WAIVED if f.code == FindingCode.CONTRACT_WAIVED else TODO,
        required=f.severity == ACTION,
        self_service=spec.self_service,
        amount=f.amount,
        est_working_days=f.est_working_days,
        refs=f.refs,
        params=f.params,
        variant=f.variant,
    )


def build_checklist(findings: Iterable[Finding], channel: str,
                    made: Mapping[int, ChecklistItem] | None = None) -> tuple[ChecklistItem, ...]:
    """Identity first, then one item per action, warning and info, then number bindings.

    ``made``: items already made, by the ``id`` of their finding (still alive), taken as they are.
    """
    items = [identity_item(channel)]
    if made:
        items.extend(made.get(id(f)) or item_for(f) for f in findings if f.severity != BLOCKER)
    else:
        items.extend(item_for(f) for f in findings if f.severity != BLOCKER)
    items.append(_BINDINGS)
    return tuple(items)
