"""API keys: ``csk_`` + 40 random characters, stored only as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

import sqlalchemy as sa

from cancelsvc.auth.principal import Principal
from cancelsvc.errors import Unauthorized, Unprocessable
from models import ApiKey, db
from models.auth import API_SCOPES
from models.base import utcnow

KEY_PREFIX = "csk_"
_KEYS = ApiKey.__table__
# One indexed lookup (``key_hash`` is UNIQUE) on every API call: a Core statement built
# once, run on the session's connection, which skips the ORM execution path.
_LOOKUP = sa.select(_KEYS.c.id, _KEYS.c.scopes, _KEYS.c.revoked_at).where(
    _KEYS.c.key_hash == sa.bindparam("key_hash")
)


def hash_key(key: str) -> str:
    """SHA-256 of a key: keys are long random secrets, so a fast hash is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(name: str, scopes: Iterable[str]) -> tuple[ApiKey, str]:
    """Create a key; returns the row and the clear key, which is never stored."""
    scope_list = sorted(set(scopes))
    unknown = [s for s in scope_list if s not in API_SCOPES]
    if not scope_list or unknown:
        message = (
            f"unknown scopes: {', '.join(unknown)}; choose from {', '.join(API_SCOPES)}"
            if unknown
            else f"give at least one scope from {', '.join(API_SCOPES)}"
        )
        raise Unprocessable(message, errors={"scopes": [message]})
    clear = KEY_PREFIX + secrets.token_urlsafe(30)
    row = ApiKey(name=name, prefix=clear[:12], key_hash=hash_key(clear), scopes=scope_list)
    db.session.add(row)
    return row, clear


def list_keys() -> list[ApiKey]:
    """Every key, newest first (revoked ones too: they explain old audit records)."""
    return list(db.session.execute(sa.select(ApiKey).order_by(ApiKey.id.desc())).scalars())


def revoke_key(ref: str, actor: str) -> ApiKey:
    """Revoke the key with id or prefix ``ref`` (refused from its next use); audited."""
    from cancelsvc import audit

    query = sa.select(ApiKey).where(ApiKey.id == int(ref)) if ref.isdigit() else \
        sa.select(ApiKey).where(ApiKey.prefix == ref)
    rows = list(db.session.execute(query).scalars())
    if len(rows) != 1:
        message = f"no key with id or prefix {ref!r}" if not rows else f"several keys start with {ref!r}; use the id"
        raise Unprocessable(message, errors={"key": [message]})
    row = rows[0]
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.append(actor, "api_key.revoked", "api_key", str(row.id), {"name": row.name, "prefix": row.prefix})
    return row


def principal_for_hash(key_hash: str) -> Principal:
    """The principal of a presented key (by its SHA-256); 401 when unknown or revoked.

    On PostgreSQL a valid key is remembered by the application's version book
    (``services().versions``, with or without the poll front), which forgets it as soon
    as its row changes (revocation included), so most calls need no query.
    """
    from cancelsvc.services import services

    book = services().versions
    known = book.known_key(key_hash)
    if known is not None:
        return key_principal(*known)
    generation = book.reading()
    session = db.session()
    if session.autoflush:
        session.flush()  # what the ORM does before a query; a Core statement does not
    row = session.connection().execute(_LOOKUP, {"key_hash": key_hash}).first()
    if row is None or row.revoked_at is not None:
        raise Unauthorized(code="auth.invalid_key", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    book.remember_key(generation, key_hash, row.id, row.scopes)
    return key_principal(row.id, row.scopes)


def key_principal(key_id: int, scopes: Iterable[str]) -> Principal:
    return Principal(kind="api_key", ref=str(key_id), scopes=frozenset(scopes))
