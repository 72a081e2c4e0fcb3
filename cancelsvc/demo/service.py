"""Loading the demo: operator data, stores, a demo API key and console users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa

from cancelsvc.auth.keys import create_key, hash_key
from cancelsvc.auth.passwords import hash_password
from cancelsvc.demo import data
from cancelsvc.imports.service import ImportReport, import_document
from models import Account, ApiKey, CancellationRequest, StaffUser, db
from models.auth import API_SCOPES

DEMO_KEY_NAME = "demo"
DEMO_USERS = (
    ("clerk.hz", "clerk", "HZ-001"),
    ("supervisor.hz", "supervisor", "HZ-001"),
    ("clerk.cd", "clerk", "CD-001"),  # the Chengdu store: the demo's open request is there
    ("admin", "admin", None),
)
DEMO_PASSWORD = "cancelsvc-demo"
DEMO_CUSTOMER = "C-1001"
#: A clean line (Chengdu) whose request is already in progress.
OPEN_REQUEST_MSISDN = "+8613800000008"


@dataclass
class DemoSeed:
    report: ImportReport
    api_key: str
    users: tuple[tuple[str, str, str | None], ...]
    password: str
    customer: str
    #: whether the demo's open request was submitted now (False: it was still open)
    request_submitted: bool = False


def seed(today: date, pii_key: str, previous_key: str | None = None) -> DemoSeed:
    """Load (or refresh) the demo.

    ``previous_key`` is the demo key printed last time: while it is valid it is kept (a
    server already running with it goes on working); otherwise old demo keys are revoked
    and a new one is issued.
    """
    report = import_document(data.build(today), pii_key)
    clear = previous_key if previous_key and _valid_demo_key(previous_key) else _fresh_demo_key()
    existing = {u.username: u for u in db.session.execute(sa.select(StaffUser)).scalars()}
    for username, role, store_code in DEMO_USERS:
        user = existing.get(username) or StaffUser(username=username, password_hash="")
        user.role, user.store_code, user.active = role, store_code, True
        user.password_hash = hash_password(DEMO_PASSWORD)
        db.session.add(user)
    db.session.flush()
    submitted = _open_request(OPEN_REQUEST_MSISDN)
    return DemoSeed(report, clear, DEMO_USERS, DEMO_PASSWORD, DEMO_CUSTOMER, submitted)


def _valid_demo_key(clear: str) -> bool:
    return db.session.execute(
        sa.select(ApiKey.id).where(ApiKey.key_hash == hash_key(clear), ApiKey.name == DEMO_KEY_NAME,
                                   ApiKey.revoked_at.is_(None))
    ).first() is not None


def _fresh_demo_key() -> str:
    """Revoke the demo keys issued before and issue a new one."""
    now = datetime.now(UTC)
    for old in db.session.execute(
        sa.select(ApiKey).where(ApiKey.name == DEMO_KEY_NAME, ApiKey.revoked_at.is_(None))
    ).scalars():
        old.revoked_at = now
    _, clear = create_key(DEMO_KEY_NAME, API_SCOPES)
    return clear


def _open_request(msisdn: str) -> bool:
    """One line with a request in progress, so the demo also shows ``request.open``;
    True when it had to be submitted (none was open)."""
    from cancelsvc.auth.principal import Principal
    from cancelsvc.precheck.service import run_precheck
    from cancelsvc.requests.service import open_request_of, submit

    account_id = db.session.execute(sa.select(Account.id).where(Account.msisdn == msisdn)).scalar_one()
    if open_request_of(account_id) is not None:
        return False
    seeder = Principal(kind="api_key", ref="demo-seed", scopes=frozenset({"admin"}))
    submit(seeder, run_precheck(seeder, msisdn, "app", "asap").id, "switching_operator", None)
    return True


def demo_tracking_link() -> str | None:
    """A fresh link to the tracking page of the demo's open request (as a text message carries)."""
    from cancelsvc.requests.service import open_request_of
    from cancelsvc.tracking.links import issue_link

    account_id = db.session.execute(
        sa.select(Account.id).where(Account.msisdn == OPEN_REQUEST_MSISDN)).scalar_one_or_none()
    ref = open_request_of(account_id) if account_id is not None else None
    req = db.session.get(CancellationRequest, ref.id) if ref is not None else None
    return issue_link(req) if req is not None else None
