"""The one-statement snapshot: exactly what reading the rows one query at a time gives.

The reference below reads the account through the ORM (relationships, one query per
collection), as the loading did before it became one statement; both must agree on
every value, including the scale of each decimal and the type of each boolean, on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from cancelsvc.precheck import loading
from cancelsvc.precheck.snapshot import (
    AccountSnap,
    BillSnap,
    ContractSnap,
    DeviceSnap,
    OpenRequestRef,
    ServiceSnap,
)
from cancelsvc.requests.service import open_request_columns
from cancelsvc.risk.serving import prior_requests, prior_requests_column
from cancelsvc.services import services
from models import Account, CancellationRequest, db
from tests.conftest import bearer
from tests.factories import (
    AccountFactory,
    BillFactory,
    CancellationRequestFactory,
    ContractFactory,
    CustomerFactory,
    DeviceFactory,
    FamilyGroupFactory,
    ServiceFactory,
)
from tests.test_auth import token

DEFAULT_TZ = "Asia/Shanghai"
#: The loader as the application builds it, with the requests' and the risk package's subqueries.
LOADER = loading.SnapshotLoader(open_request=open_request_columns, prior_requests=prior_requests_column)


def reference(account_id: int, default_timezone: str = DEFAULT_TZ) -> AccountSnap:
    """The snapshot as the per-query loading built it (ORM reads of fresh rows)."""
    db.session.expire_all()
    account = db.session.get(Account, account_id)
    assert account is not None
    group = account.family_group
    others = 0
    if group is not None:
        others = sum(1 for a in group.accounts if a.id != account.id and a.status != "cancelled")
    requests = db.session.execute(
        sa.select(CancellationRequest).where(CancellationRequest.account_id == account.id)
    ).scalars().all()
    open_request = next(
        (OpenRequestRef(r.id, r.tracking_code) for r in requests if r.open_account_id == account.id), None
    )

    def snaps(rows: list[Any], kind: type) -> tuple[Any, ...]:
        names = [f.name for f in dataclasses.fields(kind)]
        return tuple(kind(*(getattr(row, name) for name in names)) for row in rows)

    return AccountSnap(
        id=account.id,
        msisdn=account.msisdn,
        status=account.status,
        holds=tuple(account.holds or ()),
        plan_code=account.plan_code or "",
        plan_monthly_fee=account.plan_monthly_fee,
        activated_on=account.activated_on,
        store_code=account.store_code,
        unbilled_amount=account.unbilled_amount,
        prepaid_credit=account.prepaid_credit,
        loyalty_points=account.loyalty_points,
        payment_method=account.payment_method,
        last_payment_on=account.last_payment_on,
        family_group_code=group.group_code if group is not None else None,
        family_role=account.family_role,
        family_others=others,
        contracts=snaps(account.contracts, ContractSnap),
        bills=snaps(account.bills, BillSnap),
        devices=snaps(account.devices, DeviceSnap),
        services=snaps(account.services, ServiceSnap),
        segment=account.customer.segment,
        timezone=account.customer.timezone or default_timezone,
        open_request=open_request,
        prior_requests=sum(1 for r in requests if r.state in ("withdrawn", "rejected")),
    )


def exact(snap: AccountSnap) -> str:
    """Every value with its type and, for decimals, its scale (``Decimal('1.50')``, ``True``)."""
    return repr(dataclasses.astuple(snap))


@pytest.fixture
def rich(app: Any) -> Account:
    """A family primary with one of everything, rows added out of their snapshot order."""
    group = FamilyGroupFactory()
    customer = CustomerFactory(timezone=None, segment="vip")
    account = AccountFactory(
        customer=customer, msisdn="+8613800138000", family_group=group, family_role="primary", plan_code=None,
        plan_monthly_fee=Decimal("128"), unbilled_amount=Decimal("23.5"), prepaid_credit=Decimal("12345678.90"),
        holds=["legal_hold", "porting_in_progress"], loyalty_points=1200, activated_on=date(2021, 5, 1),
    )
    AccountFactory(family_group=group, family_role="member")
    AccountFactory(family_group=group, family_role="member")
    AccountFactory(family_group=group, family_role="member", status="cancelled")
    ContractFactory(account=account, external_id="K-2", kind="plan_commitment", start_date=date(2025, 6, 1),
                    end_date=date(2027, 5, 31), monthly_commitment=Decimal("128.00"), penalty_rate=Decimal("0.3"))
    ContractFactory(account=account, external_id="K-1", kind="fixed_term", start_date=date(2026, 1, 1),
                    end_date=date(2026, 12, 31), monthly_commitment=Decimal("0"), fixed_penalty=Decimal("200"),
                    subsidy_amount=Decimal("1200.00"), waiver_reason="terms_changed")
    for period, due, paid, disputed in (("2026-10", "128.00", "0", False), ("2026-08", "128", "128.00", False),
                                        ("2026-09", "131.2", "0.00", True)):
        BillFactory(account=account, period=period, amount_due=Decimal(due), amount_paid=Decimal(paid),
                    due_date=date(2026, int(period[-2:]) + 1, 15), disputed=disputed)
    DeviceFactory(account=account, serial="ONT-123", replacement_value=Decimal("300"))
    DeviceFactory(account=account, serial="860000000000001", kind="handset", ownership="installment",
                  replacement_value=Decimal("0"), installment_remaining=Decimal("800.5"),
                  returned_on=date(2026, 10, 1))
    ServiceFactory(account=account, code="VIDEO-VIP", monthly_fee=Decimal("0.99"), auto_renew=True,
                   renews_on=date(2026, 12, 1))
    ServiceFactory(account=account, code="RING", monthly_fee=Decimal("3"), auto_renew=False, renews_on=None,
                   status="cancelled")
    ServiceFactory(account=account, code="MUSIC", provider="third_party", monthly_fee=Decimal("15.00"),
                   renews_on=date(2026, 11, 30))
    return account


@pytest.fixture
def plain(app: Any) -> Account:
    """No family, no contracts, bills, devices or services."""
    return AccountFactory(msisdn="+8613900139000")


@pytest.fixture
def statements(app: Any) -> Iterator[list[str]]:
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", listen)


@pytest.mark.parametrize("fixture", ["rich", "plain"])
def test_snapshot_is_what_the_rows_say(request: pytest.FixtureRequest, fixture: str) -> None:
    account = request.getfixturevalue(fixture)
    expected = reference(account.id)
    by_id = LOADER.by_id(account.id, DEFAULT_TZ)
    by_msisdn = LOADER.by_msisdn(account.msisdn, DEFAULT_TZ)
    assert by_id is not None and by_msisdn is not None
    assert by_id.snap == expected and by_msisdn.snap == expected
    assert exact(by_id.snap) == exact(expected) == exact(by_msisdn.snap)
    assert by_id.customer_id == by_msisdn.customer_id == account.customer_id
    assert by_id.store_code == account.store_code


def test_values_keep_their_types_and_scales(rich: Account) -> None:
    loaded = LOADER.by_id(rich.id, DEFAULT_TZ)
    assert loaded is not None
    snap = loaded.snap
    assert snap.plan_code == "" and snap.timezone == DEFAULT_TZ and snap.segment == "vip"
    assert snap.holds == ("legal_hold", "porting_in_progress")
    assert (snap.family_group_code, snap.family_role, snap.family_others) == (rich.family_group.group_code,
                                                                              "primary", 2)
    assert [str(v) for v in (snap.plan_monthly_fee, snap.unbilled_amount, snap.prepaid_credit)] == [
        "128.00", "23.50", "12345678.90"]
    assert [c.external_id for c in snap.contracts] == ["K-2", "K-1"]  # by id, as inserted
    assert [str(c.penalty_rate) for c in snap.contracts] == ["0.3000", "0.3000"]
    assert str(snap.contracts[1].fixed_penalty) == "200.00" and snap.contracts[1].waiver_reason == "terms_changed"
    assert [b.period for b in snap.bills] == ["2026-08", "2026-09", "2026-10"]  # by period
    assert [b.disputed for b in snap.bills] == [False, True, False]
    assert all(type(b.disputed) is bool for b in snap.bills)
    assert str(snap.bills[1].amount_due) == "131.20" and snap.bills[1].due_date == date(2026, 10, 15)
    assert snap.devices[1].returned_on == date(2026, 10, 1) and str(snap.devices[1].installment_remaining) == "800.50"
    assert [(s.code, s.auto_renew, s.renews_on) for s in snap.services] == [
        ("VIDEO-VIP", True, date(2026, 12, 1)), ("RING", False, None), ("MUSIC", True, date(2026, 11, 30))]
    assert str(snap.services[0].monthly_fee) == "0.99"


def test_open_and_earlier_requests(rich: Account) -> None:
    open_request = CancellationRequestFactory(account=rich)
    for state in ("withdrawn", "rejected", "completed"):
        CancellationRequestFactory(account=rich, state=state)
    CancellationRequestFactory(state="withdrawn")  # another account's
    loaded = LOADER.by_msisdn(rich.msisdn, DEFAULT_TZ)
    assert loaded is not None
    assert loaded.snap.open_request == OpenRequestRef(open_request.id, open_request.tracking_code)
    assert loaded.snap.prior_requests == 2 == prior_requests(rich.id)  # the risk package's own count agrees
    assert loaded.snap == reference(rich.id)


def test_unknown_account_is_none(plain: Account) -> None:
    assert LOADER.by_id(plain.id + 1000, DEFAULT_TZ) is None
    assert LOADER.by_msisdn("+8613700000000", DEFAULT_TZ) is None


def test_one_statement(rich: Account, statements: list[str]) -> None:
    msisdn = rich.msisdn
    db.session.connection()  # the transaction is open already on the request path
    statements.clear()
    assert LOADER.by_msisdn(msisdn, DEFAULT_TZ) is not None
    assert len(statements) == 1


def test_without_other_packages_subqueries(rich: Account) -> None:
    CancellationRequestFactory(account=rich)
    loaded = loading.SnapshotLoader().by_id(rich.id, DEFAULT_TZ)
    assert loaded is not None
    assert loaded.snap.open_request is None and loaded.snap.prior_requests is None


def test_each_loader_builds_its_own_statement(rich: Account) -> None:
    loaded = loading.SnapshotLoader(prior_requests=lambda account_id: sa.literal(7)).by_id(rich.id, DEFAULT_TZ)
    assert loaded is not None and loaded.snap.prior_requests == 7
    assert LOADER.by_id(rich.id, DEFAULT_TZ).snap.prior_requests == 0  # type: ignore[union-attr]


def test_the_application_loader_has_the_requests_subqueries(app: Any, rich: Account) -> None:
    open_request = CancellationRequestFactory(account=rich)
    loaded = services(app).snapshots.by_id(rich.id, DEFAULT_TZ)
    assert loaded is not None and loaded.snap.open_request == OpenRequestRef(open_request.id,
                                                                             open_request.tracking_code)


def test_precheck_of_an_unseen_account_by_id_is_404(client: Any, rich: Account, plain: Account) -> None:
    me = bearer(token(plain.customer.external_id))
    for ref in (str(rich.id), rich.msisdn, str(plain.id + 1000)):
        response = client.post("/api/v1/prechecks", json={"account": ref, "channel": "app"}, headers=me)
        assert response.status_code == 404 and response.get_json()["code"] == "account.not_found"
    mine = client.post("/api/v1/prechecks", json={"account": str(plain.id), "channel": "app"}, headers=me)
    assert mine.status_code == 201, mine.get_json()


def test_risk_features_count_earlier_requests(client: Any, api_key: Any, rich: Account) -> None:
    for state in ("withdrawn", "rejected"):
        CancellationRequestFactory(account=rich, state=state)
    response = client.post("/api/v1/prechecks", json={"account": rich.msisdn, "channel": "app"},
                           headers=bearer(api_key("precheck")))
    assert response.status_code == 201
    from models import Precheck

    row = db.session.get(Precheck, response.get_json()["id"])
    assert row is not None and row.features["prior_requests"] == 2
    assert row.features["family_members"] == 2
