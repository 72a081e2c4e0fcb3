"""Words the console shows for the service's codes (states, owners, reasons, …), via gettext."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from cancelsvc.i18n import current_locale
from models.vocabulary import ItemStatus, NodeStatus, Owner, Reason, RequestState

STATES = {
    RequestState.IN_PROGRESS: _l("In progress"), RequestState.READY: _l("Ready for deactivation"),
    RequestState.COMPLETED: _l("Completed"), RequestState.WITHDRAWN: _l("Withdrawn"),
    RequestState.REJECTED: _l("Rejected"),
}
OWNERS = {
    Owner.CUSTOMER: _l("Customer"), Owner.CLERK: _l("Clerk"), Owner.OPERATOR: _l("Operator"),
    Owner.THIRD_PARTY: _l("Third party"),
}
#: A progress step's "waiting on …", as a phrase (the owner's word alone is a column label).
WAITING = {
    Owner.CUSTOMER: _l("waiting on the customer"), Owner.CLERK: _l("waiting on the clerk"),
    Owner.OPERATOR: _l("waiting on the operator"), Owner.THIRD_PARTY: _l("waiting on a third party"),
}
ITEM_STATUSES = {ItemStatus.TODO: _l("To do"), ItemStatus.DONE: _l("Done"), ItemStatus.WAIVED: _l("Waived"),
                 ItemStatus.NOT_APPLICABLE: _l("Not applicable")}
NODE_STATUSES = {NodeStatus.PENDING: _l("Pending"), NodeStatus.IN_PROGRESS: _l("In progress"),
                 NodeStatus.DONE: _l("Done"), NodeStatus.SKIPPED: _l("Not needed"), NodeStatus.FAILED: _l("Stopped")}
RESULTS = {
    "green": (_l("Green"), _l("Nothing stands in the way: the request can be submitted now.")),
    "yellow": (_l("Yellow"), _l("It can be submitted now; the to-dos below are done along the way.")),
    "red": (_l("Red"), _l("Something must be sorted out first; the to-dos below say how.")),
}
SEVERITIES = {"blocker": _l("Sort out first"), "action": _l("To do"), "warning": _l("Good to know"),
              "info": _l("For information")}
BANDS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}
REASONS = {
    Reason.MOVING: _l("Moving away"), Reason.TOO_EXPENSIVE: _l("Too expensive"), Reason.COVERAGE: _l("Coverage"),
    Reason.SERVICE_QUALITY: _l("Service quality"), Reason.SWITCHING_OPERATOR: _l("Switching operator"),
    Reason.NO_LONGER_NEEDED: _l("No longer needed"), Reason.DECEASED_HOLDER: _l("Holder deceased"),
    Reason.OTHER: _l("Other"),
}
CALL_KINDS = {"dissatisfied": _l("Not satisfied: call back"), "follow_up": _l("Follow-up call"),
              "undeliverable": _l("Message not delivered: call instead"),
              "care_submitted": _l("Personal call: request received"),
              "care_deactivated": _l("Personal call: number deactivated")}
FEE_KINDS = {"handset_subsidy": _l("Handset subsidy"), "plan_commitment": _l("Plan commitment"),
             "fixed_term": _l("Fixed term")}
ROLES = {"clerk": _l("Clerk"), "supervisor": _l("Supervisor"), "admin": _l("Administrator")}
ACCOUNT_STATUSES = {"active": _l("In use"), "suspended": _l("Suspended"), "cancelled": _l("Deactivated")}
FAMILY_ROLES = {"primary": _l("Main number"), "member": _l("Member number")}
OWNERSHIPS = {"rented": _l("Rented"), "installment": _l("Paid in instalments"), "owned": _l("Owned")}
PROVIDERS = {"operator": _l("Ours"), "third_party": _l("Third party")}
SERVICE_STATUSES = {"active": _l("Subscribed"), "cancelled": _l("Unsubscribed")}


#: (language, group, code) -> the word; the groups are constants, so this stays small.
_WORDS: dict[tuple[str, int, str], str] = {}


def label(group: Mapping[Any, object], code: str | None) -> str:
    """The word for ``code`` in the current language (the code itself when unknown)."""
    return word(group, code, current_locale()) if code is not None else ""


def word(group: Mapping[Any, object], code: str, locale: str) -> str:
    """``label`` for the rows of a list: ``locale`` is the page's language (``current_locale()``,
    looked up once per list), the one the lazy texts are evaluated in."""
    key = (locale, id(group), code)
    text = _WORDS.get(key)
    if text is None:
        value = group.get(code)
        if isinstance(value, tuple):
            value = value[0]
        text = _WORDS[key] = str(value) if value is not None else code
    return text
