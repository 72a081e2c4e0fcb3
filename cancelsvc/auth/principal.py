"""The authenticated caller and the ``require`` guard used by views."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, ParamSpec, TypedDict, TypeVar

from flask import g, request
from flask_smorest import Blueprint as SmorestBlueprint

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

    def store_scope(self, asked: str | None) -> tuple[bool, str | None]:
        """For a list of one store (``asked``) or of every store (None): whether the caller may
        see it, and the store the list is limited to (None: all). Staff who do not see every
        store see only their own (nothing, should one have no store)."""
        if self.is_staff and not self.sees_everything:
            return self.store_code is not None and asked in (None, self.store_code), self.store_code
        return True, asked

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
    from cancelsvc.auth.bearer import CHALLENGE, read_bearer
    from cancelsvc.services import settings

    header = request.headers.get("Authorization", "")
    if header:
        config = settings()
        bearer = read_bearer(header, config.CANCELSVC_JWT_SECRET, tokens.public_key(config.CANCELSVC_JWT_PUBLIC_KEY))
        if bearer.kind == "api_key":
            return keys.principal_for_hash(bearer.ref)
        return tokens.principal_for_sub(bearer.ref)
    staff = sessions.current_staff()
    if staff is not None:
        if request.method in UNSAFE_METHODS:
            sessions.check_csrf()
        return staff
    raise Unauthorized(headers=CHALLENGE)


class Callers(TypedDict, total=False):
    """Who may call a group of endpoints: ``require(**callers)``."""

    scopes: Iterable[str]
    customer: bool
    staff: bool | Iterable[str]


@dataclass(frozen=True)
class Policy:
    """Who may call a view: API keys holding any of ``scopes``, customers, staff in ``staff_roles``."""

    scopes: frozenset[str] = frozenset()
    customer: bool = False
    staff_roles: frozenset[str] = frozenset()

    def allows(self, principal: Principal) -> bool:
        return (
            (principal.kind == "api_key" and any(principal.has_scope(s) for s in self.scopes))
            or (principal.kind == "customer" and self.customer)
            or (principal.kind == "staff" and principal.role in self.staff_roles)
        )


def authorise(policy: Policy) -> Principal:
    """Authenticate the caller (401) and check ``policy`` (403); the caller is kept in ``g``."""
    principal = current_principal()
    if not policy.allows(principal):
        raise Forbidden()
    return principal


def policy_of(view: Callable[..., Any]) -> Policy | None:
    """The policy ``require`` declared on ``view``, if any."""
    return getattr(view, POLICY_ATTRIBUTE, None)


POLICY_ATTRIBUTE = "_cancelsvc_policy"
STAFF_ROLES = frozenset({"clerk", "supervisor", "admin"})


def require(
    scopes: Iterable[str] = (),
    *,
    customer: bool = False,
    staff: bool | Iterable[str] = False,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare who may call a view: API keys holding any of ``scopes``, customers and/or
    staff (optionally by role).

    ``cancelsvc.api.ApiBlueprint`` checks the declaration before anything reads the
    request (so 401/403 come before 400/413/415/422) and refuses to register a view
    without one; the view is also wrapped, so the check holds wherever it is mounted.
    """
    staff_roles = (STAFF_ROLES if staff else frozenset()) if isinstance(staff, bool) else frozenset(staff)
    policy = Policy(frozenset(scopes), customer, staff_roles)

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            authorise(policy)  # already done by the blueprint: the caller is cached in ``g``
            return view(*args, **kwargs)

        setattr(wrapper, POLICY_ATTRIBUTE, policy)
        documented: Callable[P, R] = SmorestBlueprint.doc(security=[{"bearer": []}])(wrapper)
        return documented

    return decorator
