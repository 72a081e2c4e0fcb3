"""``Authorization: Bearer …`` read once, for Flask and for the poll front alike.

``read_bearer`` checks everything that needs no database: the header's form, and for a
customer JWT its signature, audience and expiry (``tokens.verified_claims``). Who the
credential belongs to is then one lookup: the key's SHA-256 (``keys.principal_for_hash``)
or the customer's external id (``tokens.principal_for_sub``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cancelsvc.auth.keys import KEY_PREFIX, hash_key
from cancelsvc.auth.tokens import INVALID_TOKEN, verified_claims
from cancelsvc.errors import Unauthorized

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="cancelsvc"'}


@dataclass(frozen=True, slots=True)
class Bearer:
    """A presented credential: an API key (``ref`` is its SHA-256) or a customer (``ref`` is ``sub``)."""

    kind: Literal["api_key", "customer"]
    ref: str


def bearer_credential(header: str) -> str | None:
    """The credential of an ``Authorization: Bearer …`` header; None for any other form."""
    scheme, _, credential = header.partition(" ")
    credential = credential.strip()
    return credential if scheme.lower() == "bearer" and credential else None


def read_bearer(header: str, jwt_secret: str | None, jwt_public_key: str | None) -> Bearer:
    """The credential of ``header``; 401 for another scheme or an invalid or expired token."""
    credential = bearer_credential(header)
    if credential is None:
        raise Unauthorized(code="auth.unauthenticated", headers=CHALLENGE)
    if credential.startswith(KEY_PREFIX):
        return Bearer("api_key", hash_key(credential))
    claims = verified_claims(credential, jwt_secret, jwt_public_key)
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise Unauthorized(code="auth.invalid_token", headers=INVALID_TOKEN)
    return Bearer("customer", sub)
