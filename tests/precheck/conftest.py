"""Fixtures for the pre-check tests: snapshot builders with sensible defaults.

``account(**overrides)`` builds an ``AccountSnap``; nested contracts, bills, devices and
services may be given as dicts of overrides, so rule tables stay plain data. ``run``
evaluates with the test clock: today is Monday 2026-11-23, now 10:00 in Shanghai.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cancelsvc.precheck.engine import evaluate
from cancelsvc.precheck.result import PrecheckOutcome
from cancelsvc.precheck.snapshot import (
    AccountSnap,
    BillSnap,
    ContractSnap,
    DeviceSnap,
    OpenRequestRef,
    ServiceSnap,
)
from cancelsvc.workdays import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 23)  # a Monday
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def D(x: str) -> Decimal:
    return Decimal(x)


def build_contract(**kw: Any) -> ContractSnap:
    values: dict[str, Any] = {
        "external_id": "K-1",
        "kind": "plan_commitment",
        "start_date": dt.date(2026, 1, 1),
        "end_date": dt.date(2027, 12, 31),
        "monthly_commitment": D("100.00"),
    }
    values.update(kw)
    return ContractSnap(**values)


def build_bill(**kw: Any) -> BillSnap:
    values: dict[str, Any] = {"period": "2026-10", "amount_due": D("100.00"), "amount_paid": D("0.00")}
    values.update(kw)
    return BillSnap(**values)


def build_device(**kw: Any) -> DeviceSnap:
    values: dict[str, Any] = {
        "serial": "ONT-1",
        "kind": "router",
        "ownership": "rented",
        "replacement_value": D("300.00"),
    }
    values.update(kw)
    return DeviceSnap(**values)


def build_service(**kw: Any) -> ServiceSnap:
    values: dict[str, Any] = {
        "code": "VAS-1",
        "name": "视频会员",
        "provider": "operator",
        "monthly_fee": D("9.90"),
        "auto_renew": False,
        "renews_on": None,
        "status": "active",
    }
    values.update(kw)
    return ServiceSnap(**values)


def build_account(**kw: Any) -> AccountSnap:
    """A clean active account: no contracts, bills, devices, services, family or points."""
    values: dict[str, Any] = {
        "id": 1,
        "msisdn": "+8613800138000",
        "plan_code": "4G-19",
        "plan_monthly_fee": D("19.00"),
        "activated_on": dt.date(2021, 5, 1),
    }
    values.update(kw)
    for name, build in _NESTED.items():
        values[name] = tuple(build(**x) if isinstance(x, dict) else x for x in values.get(name, ()))
    values["holds"] = tuple(values.get("holds", ()))
    return AccountSnap(**values)


_NESTED: dict[str, Callable[..., Any]] = {
    "contracts": build_contract,
    "bills": build_bill,
    "devices": build_device,
    "services": build_service,
}


def sample_account() -> AccountSnap:
    """The account of domain.md §1."""
    return build_account(
        plan_code="5G-128",
        plan_monthly_fee=D("128.00"),
        store_code="HZ-001",
        unbilled_amount=D("23.50"),
        loyalty_points=1200,
        payment_method="auto_debit",
        last_payment_on=dt.date(2026, 10, 20),
        family_group_code="FAM-77",
        family_role="primary",
        family_others=2,
        contracts=[
            ContractSnap(
                "K-1",
                "handset_subsidy",
                dt.date(2025, 1, 1),
                dt.date(2026, 12, 31),
                monthly_commitment=D("99.00"),
                subsidy_amount=D("1200.00"),
            ),
            ContractSnap(
                "K-2",
                "plan_commitment",
                dt.date(2025, 6, 1),
                dt.date(2027, 5, 31),
                monthly_commitment=D("128.00"),
                penalty_rate=D("0.30"),
            ),
            ContractSnap(
                "K-3",
                "fixed_term",
                dt.date(2026, 1, 1),
                dt.date(2026, 12, 31),
                monthly_commitment=D("0.00"),
                fixed_penalty=D("200.00"),
                waiver_reason="terms_changed",
            ),
        ],
        bills=[build_bill(period="2026-10", amount_due=D("128.00"), due_date=dt.date(2026, 11, 15))],
        devices=[
            build_device(serial="ONT-123", kind="router", ownership="rented", replacement_value=D("300.00")),
            build_device(
                serial="860000000000001",
                kind="handset",
                ownership="installment",
                replacement_value=D("0"),
                installment_remaining=D("800.00"),
            ),
        ],
        services=[
            build_service(
                code="VIDEO-VIP",
                name="视频会员",
                monthly_fee=D("0.99"),
                auto_renew=True,
                renews_on=dt.date(2026, 12, 1),
            )
        ],
    )


def rich_account() -> AccountSnap:
    """An account that triggers every finding code and text variant at once."""
    base = sample_account()
    return build_account(
        status="suspended",
        holds=["legal_hold", "porting_in_progress"],
        open_request=OpenRequestRef(id="req-1", tracking_code="CX7K3M9Q2PRT"),
        unbilled_amount=D("10.00"),
        prepaid_credit=D("5.00"),
        loyalty_points=10,
        family_group_code="FAM-1",
        family_role="primary",
        family_others=1,
        contracts=[
            *base.contracts,
            build_contract(
                external_id="K-4",
                kind="handset_subsidy",
                start_date=dt.date(2026, 1, 1),
                end_date=dt.date(2027, 12, 31),
                monthly_commitment=D("10.00"),
                subsidy_amount=D("2000.00"),
            ),
            build_contract(
                external_id="K-5", kind="fixed_term", monthly_commitment=D("10.00"), fixed_penalty=D("500.00")
            ),
            build_contract(external_id="K-6", kind="fixed_term", monthly_commitment=D("0"), fixed_penalty=D("50.00")),
            build_contract(external_id="K-7", kind="fixed_term", monthly_commitment=D("0"), waiver_reason="unheard_of"),
        ],
        bills=[*base.bills, build_bill(period="2026-09", amount_due=D("60.00"), disputed=True)],
        devices=base.devices,
        services=[
            *base.services,
            build_service(code="MUSIC", name="音乐包", provider="third_party", monthly_fee=D("15.00")),
        ],
    )


def run(account: AccountSnap, channel: str = "app", effective_date: dt.date = TODAY, **kw: Any) -> PrecheckOutcome:
    """``evaluate`` with the test clock (today 2026-11-23, 10:00 in Shanghai)."""
    values: dict[str, Any] = {"today": TODAY, "now": NOW, "calendar": WorkCalendar()}
    values.update(kw)
    return evaluate(account, channel, effective_date, **values)


@pytest.fixture
def account() -> Callable[..., AccountSnap]:
    """``account(**overrides)``: an AccountSnap builder with clean defaults."""
    return build_account


@pytest.fixture
def sample() -> AccountSnap:
    return sample_account()


@pytest.fixture
def rich() -> AccountSnap:
    return rich_account()


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture(name="run")
def run_fixture() -> Callable[..., PrecheckOutcome]:
    """``run(account, channel="app", effective_date=TODAY, **evaluate_kwargs)``."""
    return run


@pytest.fixture
def today() -> dt.date:
    return TODAY


@pytest.fixture
def now() -> dt.datetime:
    return NOW
