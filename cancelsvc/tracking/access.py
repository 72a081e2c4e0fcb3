"""Who may read a tracking page: a signed cookie for one tracking code, for 30 minutes.

After the last 4 digits of the number (or a link token from a message) were right, the
browser gets a cookie that names the code, signed with ``SECRET_KEY`` (itsdangerous) and
limited to ``/t/<code>`` (so it is sent for that code's page only), HttpOnly,
SameSite=Strict, ``Secure`` like the console's cookies (``CANCELSVC_SECURE_COOKIES``), valid for
``VERIFIED_FOR``. Nothing else is in it: no number, no name.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from flask import Request, Response, current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from cancelsvc.services import settings

COOKIE = "cancelsvc_track"
VERIFIED_FOR = timedelta(minutes=30)
_SALT = "tracking-page"


def _signer() -> URLSafeTimedSerializer:
    return _signer_for(str(current_app.secret_key))


@lru_cache(maxsize=8)
def _signer_for(secret: str) -> URLSafeTimedSerializer:
    """Built once per secret: building one serializes a test value to learn its type."""
    return URLSafeTimedSerializer(secret, salt=_SALT)


def grant(response: Response, code: str) -> Response:
    """Let this browser read ``code``'s page (and only it) for the next 30 minutes."""
    response.set_cookie(
        COOKIE, _signer().dumps(code), max_age=int(VERIFIED_FOR.total_seconds()), path=f"/t/{code}",
        secure=settings().secure_cookies, httponly=True, samesite="Strict",
    )
    return response


def granted(request: Request, code: str) -> bool:
    """Whether the request carries an unexpired cookie for exactly ``code``."""
    value = request.cookies.get(COOKIE)
    if not value:
        return False
    try:
        named = _signer().loads(value, max_age=int(VERIFIED_FOR.total_seconds()))
    except BadSignature:  # also SignatureExpired
        return False
    return bool(named == code)
