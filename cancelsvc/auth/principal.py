"""The authenticated caller and the ``require`` guard used by views."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal, ParamSpec, TypedDict, TypeVar

from flask import g, request

from cancelsvc.errors import Forbidden, Unauthorized

P = ParamSpec("P")
R = TypeVar("R")
Kind = Literal["api_key", "customer", "staff"]
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Principal:
    """An authenticated caller.

    ``ref`` identifies the credential (key id, customer external id, staff user id)
    and, with ``kind``, scopes idempotency keys and rate limits per caller.
    """

    kind: Kind
    ref: str
    scopes: frozenset[str] = field(default_factory=frozenset)
    customer_id: int | None = None
    role: str | None = None
    store_code: str | None = None

    def has_scope(self, scope: str) -> bool:
        return self.kind == "api_key" and ("admin" in self.scopes or scope in self.scopes)

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def is_customer(self) -> bool:
        return self.kind == "customer"

    @property
    def sees_everything(self) -> bool:
        """API keys act for any customer; admins see every store."""
        return self.kind == "api_key" or (self.kind == "staff" and self.role == "admin")

    @property
    def caller_key(self) -> str:
        return f"{self.kind}:{self.ref}"


def current_principal() -> Principal:
    """The caller of the current request; raises 401 when there is none."""
    principal = g.get("principal")
    if principal is None:
        principal = _authenticate()
        g.principal = principal
    return principal


def _authenticate() -> Principal:
    from cancelsvc.auth import keys, sessions, tokens

    header = request.headers.get("Authorization", "")
    if header:
        credential = bearer_credential(header)
        if credential is None:
            raise Unauthorized(code="auth.unauthenticated", headers=_challenge())
        if credential.startswith(keys.KEY_PREFIX):
            return keys.authenticate(credential)
        return tokens.authenticate(credential)
    staff = sessions.current_staff()
    if staff is not None:
        if request.method in UNSAFE_METHODS:
            sessions.check_csrf()
        return staff
    raise Unauthorized(headers=_challenge())


def bearer_credential(header: str) -> str | None:
    """The credential of an ``Authorization: Bearer …`` header; None for any other form."""
    scheme, _, credential = header.partition(" ")
    credential = credential.strip()
    return credential if scheme.lower() == "bearer" and credential else None


def _challenge() -> dict[str, str]:
    return {"WWW-Authenticate": 'Bearer realm="cancelsvc"'}


class Callers(TypedDict, total=False):
    """Who may call a group of endpoints: ``require(**callers)``."""

    scopes: Iterable[str]
    customer: bool
    staff: bool | Iterable[str]


def require(
    scopes: Iterable[str] = (),
    *,
    customer: bool = False,
    staff: bool | Iterable[str] = False,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Allow API keys holding any of ``scopes``, customers and/or staff (optionally by role)."""
    scope_set = frozenset(scopes)
    staff_roles: frozenset[str] | None
    if isinstance(staff, bool):
        staff_roles = frozenset({"clerk", "supervisor", "admin"}) if staff else None
    else:
        staff_roles = frozenset(staff) or None

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            principal = current_principal()
            allowed = (
                (principal.kind == "api_key" and any(principal.has_scope(s) for s in scope_set))
                or (principal.kind == "customer" and customer)
                or (principal.kind == "staff" and staff_roles is not None and principal.role in staff_roles)
            )
            if not allowed:
                raise Forbidden()
            return view(*args, **kwargs)

        return wrapper

    return decorator
