"""Words the console shows for the service's codes (states, owners, reasons, …), via gettext."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from cancelsvc.i18n import current_locale

STATES = {
    "in_progress": _l("In progress"), "ready": _l("Ready for deactivation"), "completed": _l("Completed"),
    "withdrawn": _l("Withdrawn"), "rejected": _l("Rejected"),
}
OWNERS = {
    "customer": _l("Customer"), "clerk": _l("Clerk"), "operator": _l("Operator"), "third_party": _l("Third party"),
}
#: A progress step's "waiting on …", as a phrase (the owner's word alone is a column label).
WAITING = {
    "customer": _l("waiting on the customer"), "clerk": _l("waiting on the clerk"),
    "operator": _l("waiting on the operator"), "third_party": _l("waiting on a third party"),
}
ITEM_STATUSES = {"todo": _l("To do"), "done": _l("Done"), "waived": _l("Waived"),
                 "not_applicable": _l("Not applicable")}
NODE_STATUSES = {"pending": _l("Pending"), "in_progress": _l("In progress"), "done": _l("Done"),
                 "skipped": _l("Not needed"), "failed": _l("Stopped")}
RESULTS = {
    "green": (_l("Green"), _l("Nothing stands in the way: the request can be submitted now.")),
    "yellow": (_l("Yellow"), _l("It can be submitted now; the to-dos below are done along the way.")),
    "red": (_l("Red"), _l("Something must be sorted out first; the to-dos below say how.")),
}
SEVERITIES = {"blocker": _l("Sort out first"), "action": _l("To do"), "warning": _l("Good to know"),
              "info": _l("For information")}
BANDS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}
REASONS = {
    "moving": _l("Moving away"), "too_expensive": _l("Too expensive"), "coverage": _l("Coverage"),
    "service_quality": _l("Service quality"), "switching_operator": _l("Switching operator"),
    "no_longer_needed": _l("No longer needed"), "deceased_holder": _l("Holder deceased"), "other": _l("Other"),
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


def label(group: dict[str, object], code: str | None) -> str:
    """The word for ``code`` in the current language (the code itself when unknown)."""
    return word(group, code, current_locale()) if code is not None else ""


def word(group: dict[str, object], code: str, locale: str) -> str:
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
