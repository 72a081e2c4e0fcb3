"""Reading a customer's accounts, and who may see which account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from cancelsvc.auth.principal import Principal
from cancelsvc.common.masking import mask_msisdn
from cancelsvc.common.phones import normalise_msisdn
from cancelsvc.errors import NotFound
from cancelsvc.precheck.snapshot import AccountSnap
from models import Account, CancellationRequest, Store, db


class AccountRef(Protocol):
    """What visibility checks need of an account (an ``Account`` or a light row)."""

    @property
    def id(self) -> int: ...

    @property
    def customer_id(self) -> int: ...

    @property
    def store_code(self) -> str | None: ...

    @property
    def msisdn(self) -> str: ...


def visible_to(principal: Principal, customer_id: int, store_code: str | None) -> bool:
    """API keys and admins see all; customers their own; clerks and supervisors their store's."""
    if principal.sees_everything:
        return True
    if principal.is_customer:
        return customer_id == principal.customer_id
    if principal.is_staff:
        return store_code is not None and store_code == principal.store_code
    return False


def can_see_account(principal: Principal, account: AccountRef) -> bool:
    """Whether the caller may see this account (otherwise it is 404 for them)."""
    return visible_to(principal, account.customer_id, account.store_code)


_REF_COLUMNS = (Account.id, Account.customer_id, Account.store_code, Account.msisdn)

Ref = TypeVar("Ref", bound=AccountRef)


def find_visible(
    principal: Principal, ref: str, by_id: Callable[[int], Ref | None], by_msisdn: Callable[[str], Ref | None]
) -> Ref:
    """What ``by_id`` or ``by_msisdn`` loads for the account named by ``ref``; 404 when unseen.

    A short all-digit ``ref`` is tried as an id first, then as a number in any notation.
    """
    account: Ref | None = None
    text = ref.strip()
    if text.isdigit() and len(text) <= 10:
        account = by_id(int(text))
    if account is None:
        msisdn = normalise_msisdn(text)
        if msisdn is not None:
            account = by_msisdn(msisdn)
    if account is None or not can_see_account(principal, account):
        raise NotFound(code="account.not_found")
    return account


def find_account(principal: Principal, ref: str) -> AccountRef:
    """The account named by MSISDN (any notation) or numeric id; 404 when unseen."""
    return find_visible(
        principal, ref,
        lambda account_id: db.session.execute(sa.select(*_REF_COLUMNS).where(Account.id == account_id)).first(),
        lambda msisdn: db.session.execute(sa.select(*_REF_COLUMNS).where(Account.msisdn == msisdn)).first(),
    )


def shown_msisdn(principal: Principal, msisdn: str) -> str:
    """Full number for the customer and staff; masked for everyone else."""
    return msisdn if principal.is_customer or principal.is_staff else mask_msisdn(msisdn)


def account_view(principal: Principal, account: Account) -> dict[str, Any]:
    """The account as shown in API responses."""
    return {
        "id": account.id,
        "msisdn": shown_msisdn(principal, account.msisdn),
        "status": account.status,
        "plan": {"code": account.plan_code, "monthly_fee": account.plan_monthly_fee},
        "activated_on": account.activated_on,
        "store_code": account.store_code,
        "family": (
            {"group_code": account.family_group.group_code, "role": account.family_role}
            if account.family_group is not None
            else None
        ),
    }


def my_accounts(principal: Principal) -> list[dict[str, Any]]:
    """The calling customer's accounts."""
    rows = db.session.execute(
        sa.select(Account)
        .where(Account.customer_id == principal.customer_id)
        .options(selectinload(Account.family_group))
        .order_by(Account.id)
    ).scalars()
    return [account_view(principal, a) for a in rows]


# Built once: the counter opens it for every customer, with the customer in the same statement.
_ACCOUNT_PAGE = sa.select(Account).where(Account.id == sa.bindparam("id")).options(joinedload(Account.customer))


def get_account(principal: Principal, account_id: int) -> Account:
    """The account and its customer; 404 when unseen. The family is read by
    ``family_members``, the holdings by ``holdings``; nothing else of the customer or the
    group is shown."""
    account = db.session.execute(_ACCOUNT_PAGE, {"id": account_id}).scalar_one_or_none()
    if account is None or not can_see_account(principal, account):
        raise NotFound(code="account.not_found")
    return account


def holdings(account: Account) -> AccountSnap:
    """The account's contracts (by id), bills (by period), devices and services (by id),
    read as the pre-check reads them: one statement, no ORM objects."""
    from cancelsvc.services import services

    wired = services()
    loaded = wired.snapshots.by_id(account.id, wired.settings.CANCELSVC_TIMEZONE)
    if loaded is None:  # removed since ``get_account`` read it
        raise NotFound(code="account.not_found")
    return loaded.snap


def family_members(account: Account) -> list[Account]:
    """The other lines in the account's family group."""
    if account.family_group_id is None:
        return []
    return list(db.session.execute(_FAMILY, {"group": account.family_group_id, "id": account.id}).scalars())


def requests_of(account_id: int) -> list[Any]:
    """The account's requests, newest first (light rows)."""
    return list(db.session.execute(_REQUESTS_OF, {"id": account_id}).all())


# Built once, as the account page's other statements.
_FAMILY = sa.select(Account).where(Account.family_group_id == sa.bindparam("group"),
                                   Account.id != sa.bindparam("id")).order_by(Account.id)
_REQUESTS_OF = sa.select(
    CancellationRequest.id, CancellationRequest.tracking_code, CancellationRequest.state,
    CancellationRequest.submitted_at, CancellationRequest.closed_at, CancellationRequest.due_at,
    CancellationRequest.breached,
).where(CancellationRequest.account_id == sa.bindparam("id")).order_by(CancellationRequest.submitted_at.desc())


def stores(principal: Principal) -> list[tuple[str, str]]:
    """(code, name) of the stores the caller may choose between (admins: all; others: none)."""
    if not principal.sees_everything:
        return []
    return [(row.code, row.name) for row in db.session.execute(sa.select(Store.code, Store.name).order_by(Store.code))]
