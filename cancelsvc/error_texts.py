"""Titles of problem responses, keyed by stable code.

Each title is an English msgid; its translations are in the gettext catalogs
(``cancelsvc/translations``), and ``problem_title`` renders it in the response language.
"""

from __future__ import annotations

from cancelsvc.texts import gettext
from cancelsvc.texts.marks import N_

_TITLES: dict[str, str] = {
    "request.malformed": N_("The request is malformed"),
    "request.malformed_json": N_("The request body is not valid JSON"),
    "request.too_large": N_("The request body is too large"),
    "request.unsupported_media_type": N_("Please send the request body as application/json"),
    "auth.unauthenticated": N_("Please sign in or provide valid credentials"),
    "auth.token_expired": N_("Your token has expired; please sign in again"),
    "auth.invalid_token": N_("The token is not valid"),
    "auth.invalid_key": N_("The API key is not valid or has been revoked"),
    "auth.forbidden": N_("These credentials do not allow this operation"),
    "auth.csrf": N_("The page has expired; please reload and try again"),
    "not_found": N_("The resource was not found"),
    "method_not_allowed": N_("This method is not allowed on this resource"),
    "conflict": N_("The request conflicts with the current state"),
    "precondition.failed": N_("The resource has changed; please reload and try again"),
    "precondition.required": N_("Please send the If-Match header with this request"),
    "validation": N_("Please check the following fields"),
    "rate_limited": N_("Too many attempts; please try again shortly"),
    "service.unavailable": N_("The service is briefly unavailable; please try again shortly"),
    "internal": N_("Something went wrong on our side; it has been logged, please try again shortly"),
    "account.not_found": N_("We could not find this number or account"),
    "precheck.not_found": N_("We could not find this pre-check; please run a new one"),
    "precheck.effective_date_past": N_("Please choose today or a later date as the effective date"),
    "request.open": N_("This number already has a request in progress; you can follow it with its tracking code"),
    "cancellation.not_found": N_("We could not find this cancellation request"),
    "cancellation.item_not_found": N_("This item is not on the request's checklist"),
    "cancellation.item_ambiguous": N_("Please name which checklist item you mean"),
    "cancellation.precheck_unknown": N_("Please run a pre-check first, then submit"),
    "cancellation.precheck_stale": N_("The pre-check is over 24 hours old; run a new one and submit"),
    "cancellation.precheck_blocked": N_("A few things need sorting out first; after that you can submit"),
    "cancellation.already_deactivated": N_("The number is already deactivated; the request is complete"),
    "cancellation.closed": N_("This request is already closed"),
    "call.not_found": N_("We could not find this call task"),
    "call.closed": N_("This call task is already closed"),
    "cancellation.cooling_off_over": N_("The cooling-off has ended; to withdraw, contact us or visit a store"),
    "cancellation.waiver_needs_supervisor": N_("Waivers are confirmed by a supervisor"),
    "event.unknown_request": N_("No cancellation request matches this event"),
    "event.unknown_type": N_("Unknown event type"),
    "event.id_reused": N_("This event id was used for a different event; please send a new event with a new id"),
    "tracking.not_found": N_("Nothing found; please check the tracking code and the last 4 digits"),
    "idempotency.key_required": N_(
        "Please add an Idempotency-Key header with a unique key, so the request can be retried safely"
    ),
    "idempotency.key_invalid": N_("Please use 1 to 255 visible ASCII characters for the Idempotency-Key"),
    "idempotency.in_progress": N_(
        "A request with this Idempotency-Key is still being processed; "
        "retry with the same key shortly to get its result"
    ),
    "idempotency.mismatch": N_(
        "This Idempotency-Key was used for a different request; please use a new key for a new request"
    ),
    "webhook.not_found": N_("We could not find this webhook subscription"),
}

_BY_STATUS = {
    400: "request.malformed",
    401: "auth.unauthenticated",
    403: "auth.forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition.failed",
    413: "request.too_large",
    415: "request.unsupported_media_type",
    422: "validation",
    429: "rate_limited",
    503: "service.unavailable",
}


def code_for_status(status: int) -> str:
    """The generic code of an HTTP status."""
    return _BY_STATUS.get(status, "internal")


def problem_title(code: str, status: int, locale: str) -> str:
    """The localised title for ``code`` (falls back to the status' generic title)."""
    return gettext(_TITLES.get(code) or _TITLES[code_for_status(status)], locale)
