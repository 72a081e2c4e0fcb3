"""Finding a request by tracking code, verified by the last 4 digits of the number."""

from __future__ import annotations

import hmac

import sqlalchemy as sa
from flask import current_app

from cancelsvc.errors import NotFound
from cancelsvc.requests.codes import normalise
from models import Account, CancellationRequest, Store, db

#: Failed verifications allowed per tracking code and per client (then 429 with Retry-After),
#: shared by the API's public tracking and the tracking page; ``TRACK_LIMIT_PER_CODE`` /
#: ``TRACK_LIMIT_PER_CLIENT`` in the app's config replace them (only the contract test's live
#: server raises them).
PER_CODE = "5 per 15 minutes"
PER_CLIENT = "30 per hour"


def per_code_limit() -> str:
    return str(current_app.config.get("TRACK_LIMIT_PER_CODE", PER_CODE))


def per_client_limit() -> str:
    return str(current_app.config.get("TRACK_LIMIT_PER_CLIENT", PER_CLIENT))


# Built once (every page, progress.json and public tracking call runs it): building the
# statement cost more than running it.
_BY_CODE = (
    sa.select(CancellationRequest, Account.msisdn)
    .join(Account, Account.id == CancellationRequest.account_id)
    .where(CancellationRequest.tracking_code == sa.bindparam("code"))
)
_STORE = sa.select(Store).where(Store.code == sa.bindparam("code"))
# The page names the request's store on its to-do cards: read with the request (one round trip).
_BY_CODE_WITH_STORE = _BY_CODE.add_columns(Store).outerjoin(Store, Store.code == CancellationRequest.store_code)


def request_by_code(code: str) -> tuple[CancellationRequest, str] | None:
    """The request with this (canonical) tracking code and its number, or None."""
    row = db.session.execute(_BY_CODE, {"code": code}).first()
    return None if row is None else (row[0], row.msisdn)


def request_and_store_by_code(code: str) -> tuple[CancellationRequest, str, Store | None] | None:
    """``request_by_code`` and the request's store (None when it has none)."""
    row = db.session.execute(_BY_CODE_WITH_STORE, {"code": code}).first()
    return None if row is None else (row[0], row.msisdn, row[2])


def store(code: str) -> Store | None:
    """The store with this code, or None."""
    return db.session.execute(_STORE, {"code": code}).scalar_one_or_none()


def verified_request(code: str, verify: str | None) -> tuple[CancellationRequest, str]:
    """The request and its number; 404 for an unknown code or a wrong verify code alike."""
    canonical = normalise(code)
    if canonical is None or not verify:
        raise NotFound(code="tracking.not_found")
    found = request_by_code(canonical)
    # Compared as bytes: any text the header carries (full-width digits, "é") is simply wrong.
    given = verify.strip()[-4:].rjust(4, "x").encode("utf-8", "replace")
    if found is None or not hmac.compare_digest(found[1][-4:].encode(), given):
        raise NotFound(code="tracking.not_found")
    return found


def rate_key_code() -> str:
    """Rate-limit failed verifications per tracking code (whatever the client)."""
    from flask import request

    return "track-code:" + (normalise((request.view_args or {}).get("code", "")) or "invalid")
