"""Tracking links: one tap from a message opens the customer's tracking page.

A message to the customer (text or e-mail) carries
``CANCELSVC_PUBLIC_URL/t/<tracking code>?k=<token>``; possession of the message proves the
number, so the page opens without the 4 digits. The token is 10 random Crockford base32
characters (50 bits, short enough for a text message), stored only as an HMAC-SHA256 keyed
with ``CANCELSVC_PII_KEY``, with its expiry (``CANCELSVC_LINK_DAYS``, default 30 days). A
token opens the page of its own request only.

    from cancelsvc.tracking.links import issue_link, verify_link

    url = issue_link(req)                       # inside the caller's transaction
    req = verify_link(code, token)              # the request, or None

Like every service function, neither commits: ``issue_link`` adds the row to the session of
the caller's transaction (a link is valid once that transaction commits).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from cancelsvc.requests.codes import ALPHABET, normalise
from cancelsvc.services import settings
from models import CancellationRequest, TrackingLink, db
from models.base import utcnow

#: Characters of a token: 10 × 5 bits.
TOKEN_LENGTH = 10
#: Tokens are read like tracking codes: case-insensitive, O as 0, I and L as 1.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_token() -> str:
    """A fresh random token such as ``7KQ3M9X2PR``."""
    return "".join(secrets.choice(ALPHABET) for _ in range(TOKEN_LENGTH))


def hash_token(token: str) -> str:
    """The stored form of a token: HMAC-SHA256 keyed with the PII key."""
    message = b"tracking-link:" + token.encode()
    return hmac.new(settings().pii_key.encode(), message, hashlib.sha256).hexdigest()


def _canonical(token: str) -> str | None:
    text = token.strip().upper().translate(_READ_AS)
    if len(text) != TOKEN_LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def issue_link(req: CancellationRequest, *, now: datetime | None = None) -> str:
    """Issue a link to ``req``'s tracking page, valid for ``CANCELSVC_LINK_DAYS`` days.

    Returns the full URL ``CANCELSVC_PUBLIC_URL/t/<tracking code>?k=<token>``. The token
    exists in clear only in that URL: never log it.
    """
    config = settings()
    issued = now or utcnow()
    token = new_token()
    db.session.add(TrackingLink(
        request_id=req.id, token_hash=hash_token(token), created_at=issued,
        expires_at=issued + timedelta(days=config.CANCELSVC_LINK_DAYS),
    ))
    return f"{config.CANCELSVC_PUBLIC_URL}/t/{req.tracking_code}?k={token}"


def verify_link(code: str, token: str | None, *, now: datetime | None = None) -> CancellationRequest | None:
    """The request whose tracking code is ``code`` if ``token`` is an unexpired link to it.

    None for an unknown, expired or malformed token, for a token issued for another
    request and for an unknown code alike.
    """
    canonical_code = normalise(code)
    canonical_token = _canonical(token or "")
    if canonical_code is None or canonical_token is None:
        return None
    return db.session.execute(_BY_LINK, {"token_hash": hash_token(canonical_token), "now": now or utcnow(),
                                          "code": canonical_code}).scalar_one_or_none()


# Built once, like ``tracking.service``'s statements (every opened link runs it).
_BY_LINK = (
    sa.select(CancellationRequest)
    .join(TrackingLink, TrackingLink.request_id == CancellationRequest.id)
    .where(
        TrackingLink.token_hash == sa.bindparam("token_hash"),
        TrackingLink.expires_at > sa.bindparam("now"),
        CancellationRequest.tracking_code == sa.bindparam("code"),
    )
)
