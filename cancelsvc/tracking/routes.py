"""``/api/v1/track/{code}``: public progress and withdrawal during cooling-off."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_smorest import Blueprint

from cancelsvc.common.responses import presented
from cancelsvc.database import transaction
from cancelsvc.extensions import limiter
from cancelsvc.i18n import current_locale
from cancelsvc.requests import service as requests_service
from cancelsvc.requests.caching import cache_headers, is_current, not_modified
from cancelsvc.requests.presenter import public_document
from cancelsvc.requests.schemas import PublicProgressSchema
from cancelsvc.tracking.service import rate_key_code, verified_request

blp = Blueprint("tracking", __name__, url_prefix="/track",
                description="Public progress by tracking code and the number's last 4 digits.")

#: Failed verifications allowed per tracking code and per client (then 429 with Retry-After).
PER_CODE = "5 per 15 minutes"
PER_CLIENT = "30 per hour"
VERIFY = {"in": "header", "name": "X-Verify-Code", "required": True, "schema": {"type": "string"},
          "description": "The last 4 digits of the phone number"}


def _failed(response: Response) -> bool:
    return response.status_code == 404


def verified(view: Any) -> Any:
    """Both public routes: verify code documented, failed verifications rate-limited."""
    for decorate in (
        blp.response(200, PublicProgressSchema),
        blp.doc(parameters=[VERIFY]),
        # Shared scopes: reading and withdrawing draw on the same counters, so a guess
        # costs the same on either route.
        limiter.shared_limit(PER_CLIENT, scope="track-client", deduct_when=_failed),
        limiter.shared_limit(PER_CODE, scope="track-code", key_func=rate_key_code, deduct_when=_failed),
    ):
        view = decorate(view)
    return view


@blp.route("/<code>", methods=["GET"])
@verified
def track(code: str) -> Any:
    """Progress of a request: masked number, nodes and ETA (no amounts, no names)."""
    req, msisdn = verified_request(code, request.headers.get("X-Verify-Code"))
    locale = current_locale()
    if is_current(request.headers.get("If-None-Match", ""), req.version, locale):
        return not_modified(req.version, req.state, locale)
    return cache_headers(presented(public_document(req, locale, msisdn)), req.version, req.state, locale)


@blp.route("/<code>/withdraw", methods=["POST"])
@verified
def withdraw(code: str) -> Any:
    """Withdraw during cooling-off; withdrawing again answers with the withdrawn request."""
    req, msisdn = verified_request(code, request.headers.get("X-Verify-Code"))
    if req.state != "withdrawn":
        with transaction():
            req = requests_service.withdraw(None, req, public=True)
    return presented(public_document(req, current_locale(), msisdn))
