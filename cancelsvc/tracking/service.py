"""Finding a request by tracking code, verified by the last 4 digits of the number."""

from __future__ import annotations

import hmac

import sqlalchemy as sa

from cancelsvc.errors import NotFound
from cancelsvc.requests.codes import normalise
from models import Account, CancellationRequest, db


def verified_request(code: str, verify: str | None) -> tuple[CancellationRequest, str]:
    """The request and its number; 404 for an unknown code or a wrong verify code alike."""
    canonical = normalise(code)
    if canonical is None or not verify:
        raise NotFound(code="tracking.not_found")
    row = db.session.execute(
        sa.select(CancellationRequest, Account.msisdn)
        .join(Account, Account.id == CancellationRequest.account_id)
        .where(CancellationRequest.tracking_code == canonical)
    ).first()
    # Compared as bytes: any text the header carries (full-width digits, "é") is simply wrong.
    given = verify.strip()[-4:].rjust(4, "x").encode("utf-8", "replace")
    if row is None or not hmac.compare_digest(row.msisdn[-4:].encode(), given):
        raise NotFound(code="tracking.not_found")
    return row[0], row.msisdn


def rate_key_code() -> str:
    """Rate-limit failed verifications per tracking code (whatever the client)."""
    from flask import request

    return "track-code:" + (normalise((request.view_args or {}).get("code", "")) or "invalid")
