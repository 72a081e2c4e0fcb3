"""``/api/v1/track/{code}``: public progress and withdrawal during cooling-off."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from cancelsvc.api import ApiBlueprint
from cancelsvc.common.responses import presented
from cancelsvc.contract import operation
from cancelsvc.database import transaction
from cancelsvc.extensions import limiter
from cancelsvc.i18n import current_locale
from cancelsvc.requests import service as requests_service
from cancelsvc.requests.caching import cache_headers, is_current, not_modified
from cancelsvc.requests.presenter import public_document
from cancelsvc.requests.schemas import PublicProgressSchema
from cancelsvc.tracking.service import per_client_limit, per_code_limit, rate_key_code, verified_request
from models.vocabulary import RequestState

blp = ApiBlueprint("tracking", __name__, url_prefix="/track", public=True,
                description="Public progress by tracking code and the number's last 4 digits.")

VERIFY = {"in": "header", "name": "X-Verify-Code", "required": True,
          "schema": {"type": "string", "pattern": "^[0-9]{4}$", "example": "8000"},
          "description": "The last 4 digits of the phone number; a wrong one answers 404 and counts against the limits"}


def _failed(response: Response) -> bool:
    return response.status_code == 404


def verified(view: Any) -> Any:
    """Both public routes: verify code documented, failed verifications rate-limited."""
    for decorate in (
        blp.response(200, PublicProgressSchema),
        blp.doc(parameters=[VERIFY]),
        # Shared scopes: reading and withdrawing draw on the same counters, so a guess
        # costs the same on either route.
        limiter.shared_limit(per_client_limit, scope="track-client", deduct_when=_failed),
        limiter.shared_limit(per_code_limit, scope="track-code", key_func=rate_key_code, deduct_when=_failed),
    ):
        view = decorate(view)
    return view


@blp.route("/<code>", methods=["GET"])
@operation("trackCancellation", 304, 429, parameters=["IF_NONE_MATCH"])
@verified
def track(code: str) -> Any:
    """Progress of a request: masked number, nodes and ETA (no amounts, no names)."""
    req, msisdn = verified_request(code, request.headers.get("X-Verify-Code"))
    locale = current_locale()
    if is_current(request.if_none_match, req.version, locale):
        return not_modified(req.version, req.state, locale)
    return cache_headers(presented(public_document(req, locale, msisdn)), req.version, req.state, locale)


@blp.route("/<code>/withdraw", methods=["POST"])
@operation("withdrawTrackedCancellation", 409, 429)
@verified
def withdraw(code: str) -> Any:
    """Withdraw during cooling-off; withdrawing again answers with the withdrawn request."""
    req, msisdn = verified_request(code, request.headers.get("X-Verify-Code"))
    if req.state != RequestState.WITHDRAWN:
        with transaction():
            req = requests_service.withdraw(None, req, public=True)
    return presented(public_document(req, current_locale(), msisdn))
