"""Customer JWTs from the operator's identity provider (HS256 or RS256)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import jwt
import sqlalchemy as sa

from cancelsvc.auth.principal import Principal
from cancelsvc.errors import Unauthorized
from models import Customer, db

AUDIENCE = "cancelsvc"
INVALID_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
_INVALID = INVALID_TOKEN


def public_key(setting: str | None) -> str | None:
    """The configured RS256 public key; None when there is none or its file cannot be read."""
    try:
        return read_public_key(setting)
    except OSError:
        return None


def read_public_key(value: str | None) -> str | None:
    """The RS256 public key configured inline (PEM) or as a file path."""
    if not value:
        return None
    if value.lstrip().startswith("-----BEGIN"):
        return value
    # Read again only when the file changed (a stat instead of a read on every call).
    return _key_file(value, Path(value).stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _key_file(path: str, mtime_ns: int) -> str:
    return Path(path).read_text()


def verified_claims(token: str, secret: str | None, public_key: str | None) -> dict[str, Any]:
    """The claims of a valid token (alg pinned to the configured key); 401 otherwise."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Unauthorized(code="auth.invalid_token", headers=_INVALID) from None
    alg = header.get("alg")
    if alg == "HS256" and secret:
        key: str = secret
    elif alg == "RS256" and public_key:
        key = public_key
    else:
        raise Unauthorized(code="auth.invalid_token", headers=_INVALID)
    try:
        return jwt.decode(
            token,
            key,
            algorithms=[alg],
            audience=AUDIENCE,
            options={"require": ["exp", "sub", "aud"]},
            leeway=30,
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized(code="auth.token_expired", headers=_INVALID) from None
    except jwt.PyJWTError:
        raise Unauthorized(code="auth.invalid_token", headers=_INVALID) from None


def principal_for_sub(sub: str) -> Principal:
    """The customer a verified token names (``auth.bearer.read_bearer``); 401 when unknown."""
    customer_id = db.session.execute(
        sa.select(Customer.id).where(Customer.external_id == sub)
    ).scalar_one_or_none()
    if customer_id is None:
        raise Unauthorized(code="auth.invalid_token", headers=_INVALID)
    return customer_principal(sub, customer_id)


def customer_principal(sub: str, customer_id: int) -> Principal:
    return Principal(kind="customer", ref=sub, customer_id=customer_id)


def mint_customer_token(external_id: str, secret: str, hours: int = 24) -> str:
    """A development token signed with the HS256 secret."""
    now = datetime.now(UTC)
    return jwt.encode(
        {"sub": external_id, "aud": AUDIENCE, "iat": now, "exp": now + timedelta(hours=hours)},
        secret,
        algorithm="HS256",
    )
