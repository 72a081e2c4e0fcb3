"""Staff sessions for the web console (Flask-Login), with CSRF on cookie-authenticated writes."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from itsdangerous import URLSafeTimedSerializer
from wtforms import ValidationError

from cancelsvc.auth.passwords import MIN_LENGTH, dummy_hash, hash_password, verify_password
from cancelsvc.auth.principal import Principal
from cancelsvc.errors import Forbidden, Unprocessable
from models import StaffUser, db
from models.auth import STAFF_ROLES


class BearerAwareSessionInterface(SecureCookieSessionInterface):
    """Requests authenticated by ``Authorization`` never depend on the session cookie.

    Flask adds ``Vary: Cookie`` whenever an extension merely looks at the session (as
    Flask-Login does after every request); for bearer-authenticated API calls that would
    be wrong, so their responses vary on ``Authorization`` only, as documented.
    """

    def __init__(self) -> None:
        self._serializers: dict[tuple[str | bytes, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer, built once per set of keys rather than twice per request
        (building one serializes a test value to learn its type)."""
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            assert serializer is not None
            self._serializers[keys] = serializer
        return serializer

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if request.headers.get("Authorization") and not session.modified:
            return
        super().save_session(app, session, response)


@dataclass(frozen=True)
class SignedIn:
    """The signed-in staff member as every console request loads it (Flask-Login's user):
    the columns the console shows and checks, read by one plain statement, no ORM object."""

    id: int
    username: str
    role: str
    store_code: str | None
    is_active: bool = True
    is_authenticated: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        return str(self.id)


# Built once: every console request loads its user.
_USER_BY_ID = sa.select(StaffUser.id, StaffUser.username, StaffUser.role, StaffUser.store_code, StaffUser.active) \
    .where(StaffUser.id == sa.bindparam("id"))


def load_user(user_id: str) -> SignedIn | None:
    """Flask-Login user loader: the active user, or None.

    On PostgreSQL an active user is remembered by the application's version book
    (``services().versions``), which forgets it as soon as its row changes (disabled,
    new role or store, new password), as it does for API keys; elsewhere it is read.
    """
    from cancelsvc.services import services

    if not user_id.isdigit():
        return None
    book = services().versions
    known: SignedIn | None = book.known_staff(int(user_id))
    if known is not None:
        return known
    generation = book.reading()
    row = db.session.connection().execute(_USER_BY_ID, {"id": int(user_id)}).first()
    if row is None or not row.active:
        return None
    user = SignedIn(row.id, row.username, row.role, row.store_code)
    book.remember_staff(generation, row.id, user)
    return user


def current_staff() -> Principal | None:
    """The logged-in staff member as a principal, or None."""
    if not current_user or not current_user.is_authenticated:
        return None
    return Principal(
        kind="staff", ref=str(current_user.id), role=current_user.role, store_code=current_user.store_code
    )


def check_csrf() -> None:
    """Cookie-authenticated writes must carry the console's CSRF token."""
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except (CSRFError, ValidationError):
        raise Forbidden(code="auth.csrf") from None


def check_credentials(username: str, password: str) -> StaffUser | None:
    """The active user with these credentials, or None (same cost either way)."""
    user = db.session.execute(
        sa.select(StaffUser).where(StaffUser.username == username)
    ).scalar_one_or_none()
    if user is None:
        verify_password(dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    return user


def create_user(username: str, password: str, role: str, store_code: str | None) -> StaffUser:
    """Create a staff user; clerks and supervisors belong to a store."""
    problems: dict[str, list[str]] = {}
    if role not in STAFF_ROLES:
        problems["role"] = [f"must be one of {', '.join(STAFF_ROLES)}"]
    if role in ("clerk", "supervisor") and not store_code:
        problems["store"] = ["clerks and supervisors need a store"]
    if len(password) < MIN_LENGTH:
        problems["password"] = [f"must be at least {MIN_LENGTH} characters"]
    if not username or len(username) > 64:
        problems["username"] = ["must be 1 to 64 characters"]
    elif db.session.execute(sa.select(StaffUser.id).where(StaffUser.username == username)).first():
        problems["username"] = ["is already taken"]
    if problems:
        raise Unprocessable(errors=problems)
    user = StaffUser(username=username, password_hash=hash_password(password), role=role, store_code=store_code)
    db.session.add(user)
    return user


def list_users() -> list[StaffUser]:
    return list(db.session.execute(sa.select(StaffUser).order_by(StaffUser.username)).scalars())


def _user(username: str) -> StaffUser:
    user = db.session.execute(sa.select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()
    if user is None:
        raise Unprocessable(errors={"username": [f"no user {username!r}"]})
    return user


def disable_user(username: str, actor: str) -> StaffUser:
    """Disable a user: the next request of any of their sessions is signed out; audited."""
    from cancelsvc import audit

    user = _user(username)
    if user.active:
        user.active = False
        audit.append(actor, "staff_user.disabled", "staff_user", str(user.id), {"username": user.username})
    return user


def reset_password(username: str, password: str, actor: str) -> StaffUser:
    """Set a new password (same rules as at creation); audited without the password."""
    from cancelsvc import audit

    user = _user(username)
    if len(password) < MIN_LENGTH:
        raise Unprocessable(errors={"password": [f"must be at least {MIN_LENGTH} characters"]})
    user.password_hash = hash_password(password)
    audit.append(actor, "staff_user.password_reset", "staff_user", str(user.id), {"username": user.username})
    return user
