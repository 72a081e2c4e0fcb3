"""factory-boy factories for every model."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal

import factory
from factory.alchemy import SQLAlchemyModelFactory

from cancelsvc.auth.keys import KEY_PREFIX, hash_key
from cancelsvc.auth.passwords import hash_password
from cancelsvc.common.masking import hash_identity
from cancelsvc.outbox import CANCELLATION_EVENT_TYPES
from models import (
    Account,
    ApiKey,
    Bill,
    Contract,
    Customer,
    Device,
    DomainEvent,
    FamilyGroup,
    IdempotencyRecord,
    StaffUser,
    Store,
    ValueAddedService,
    WebhookDelivery,
    WebhookSubscription,
    db,
)
from models.base import new_uuid, utcnow

TODAY = date(2026, 11, 23)
PII_KEY = "test-pii-key"


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class StoreFactory(Base):
    class Meta:
        model = Store

    code = factory.Sequence(lambda n: f"ST-{n:03d}")
    name = factory.LazyAttribute(lambda o: f"营业厅 {o.code}")
    city = "杭州"


class CustomerFactory(Base):
    class Meta:
        model = Customer

    class Params:
        id_number = factory.Sequence(lambda n: f"11010119900307{n:04d}")

    external_id = factory.Sequence(lambda n: f"C-{5000 + n}")
    name = factory.Faker("name", locale="zh_CN")
    id_doc_type = "cn_resident_id"
    id_doc_hash = factory.LazyAttribute(lambda o: hash_identity(PII_KEY, "cn_resident_id", o.id_number))
    id_doc_last4 = factory.LazyAttribute(lambda o: o.id_number[-4:])
    phone = factory.Sequence(lambda n: f"+86139{n:08d}")
    email = factory.LazyAttribute(lambda o: f"{o.external_id.lower()}@example.com")
    locale = "zh-CN"
    timezone = "Asia/Shanghai"
    segment = "regular"


class FamilyGroupFactory(Base):
    class Meta:
        model = FamilyGroup

    group_code = factory.Sequence(lambda n: f"FAM-{n}")


class AccountFactory(Base):
    class Meta:
        model = Account

    customer = factory.SubFactory(CustomerFactory)
    msisdn = factory.Sequence(lambda n: f"+86138{n:08d}")
    status = "active"
    plan_code = "5G-128"
    plan_monthly_fee = Decimal("128.00")
    activated_on = date(2021, 5, 1)
    store_code = "HZ-001"
    unbilled_amount = Decimal("0.00")
    prepaid_credit = Decimal("0.00")
    loyalty_points = 0
    payment_method = "auto_debit"
    last_payment_on = TODAY - timedelta(days=30)
    holds = factory.LazyFunction(list)
    family_group = None
    family_role = None


class ContractFactory(Base):
    class Meta:
        model = Contract

    account = factory.SubFactory(AccountFactory)
    external_id = factory.Sequence(lambda n: f"K-{n}")
    kind = "plan_commitment"
    start_date = date(2025, 6, 1)
    end_date = date(2027, 5, 31)
    monthly_commitment = Decimal("128.00")
    subsidy_amount = Decimal("0.00")
    penalty_rate = Decimal("0.30")
    fixed_penalty = Decimal("0.00")
    waiver_reason = None


class BillFactory(Base):
    class Meta:
        model = Bill

    account = factory.SubFactory(AccountFactory)
    period = factory.Sequence(lambda n: f"{2020 + n // 12}-{n % 12 + 1:02d}")
    amount_due = Decimal("128.00")
    amount_paid = Decimal("0.00")
    due_date = TODAY + timedelta(days=10)
    disputed = False


class DeviceFactory(Base):
    class Meta:
        model = Device

    account = factory.SubFactory(AccountFactory)
    serial = factory.Sequence(lambda n: f"ONT-{n:05d}")
    kind = "router"
    ownership = "rented"
    replacement_value = Decimal("300.00")
    returned_on = None
    installment_remaining = Decimal("0.00")


class ServiceFactory(Base):
    class Meta:
        model = ValueAddedService

    account = factory.SubFactory(AccountFactory)
    code = factory.Sequence(lambda n: f"VAS-{n}")
    name = "视频会员"
    provider = "operator"
    monthly_fee = Decimal("0.99")
    auto_renew = True
    renews_on = TODAY + timedelta(days=8)
    status = "active"


class StaffUserFactory(Base):
    class Meta:
        model = StaffUser

    class Params:
        password = "correct horse battery"

    username = factory.Sequence(lambda n: f"clerk{n}")
    password_hash = factory.LazyAttribute(lambda o: hash_password(o.password))
    role = "clerk"
    store_code = "HZ-001"
    active = True


class ApiKeyFactory(Base):
    """Creates a key; the clear key is on the instance as ``.clear`` (never stored)."""

    class Meta:
        model = ApiKey

    name = factory.Sequence(lambda n: f"system {n}")
    scopes = factory.LazyFunction(lambda: ["admin"])
    revoked_at = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        clear = kwargs.pop("clear", None) or KEY_PREFIX + secrets.token_urlsafe(30)
        obj = model_class(*args, prefix=clear[:12], key_hash=hash_key(clear), **kwargs)
        db.session.add(obj)
        db.session.commit()
        obj.clear = clear
        return obj


class DomainEventFactory(Base):
    class Meta:
        model = DomainEvent

    type = "cancellation.created"
    subject_id = factory.Sequence(lambda n: f"req-{n}")
    data = factory.LazyFunction(dict)


class WebhookSubscriptionFactory(Base):
    class Meta:
        model = WebhookSubscription

    url = "https://receiver.example.com/hooks/cancelsvc"
    secret = factory.LazyFunction(lambda: "whsec_" + secrets.token_urlsafe(24))
    event_types = factory.LazyFunction(lambda: list(CANCELLATION_EVENT_TYPES))
    active = True


class WebhookDeliveryFactory(Base):
    class Meta:
        model = WebhookDelivery

    subscription_id = factory.LazyFunction(lambda: WebhookSubscriptionFactory().id)
    event_id = factory.LazyFunction(new_uuid)
    event_type = "cancellation.created"
    payload = factory.LazyAttribute(
        lambda o: {"event_id": o.event_id, "type": o.event_type, "created_at": utcnow().isoformat(), "data": {}}
    )
    status = "pending"
    next_attempt_at = factory.LazyFunction(utcnow)


class IdempotencyRecordFactory(Base):
    class Meta:
        model = IdempotencyRecord

    caller = "api_key:1"
    key = factory.Sequence(lambda n: f"key-{n}")
    method = "POST"
    path = "/api/v1/cancellations"
    request_hash = "0" * 64
    status_code = 201
    response_body = factory.LazyFunction(lambda: {"id": new_uuid()})


# --- Pre-checks and cancellation requests -------------------------------------------------

import datetime as _dt  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from cancelsvc.precheck.codec import outcome_to_json  # noqa: E402
from cancelsvc.precheck.engine import evaluate  # noqa: E402
from cancelsvc.precheck.snapshot import AccountSnap  # noqa: E402
from cancelsvc.requests.codes import new_tracking_code  # noqa: E402
from cancelsvc.workdays import WorkCalendar  # noqa: E402
from models import CancellationRequest, ChecklistEntry, InboundEvent, Precheck, TimelineEntry  # noqa: E402


def _precheck_outcome(account: Account, channel: str, effective: date) -> dict:
    """The stored outcome of a real evaluation of a clean line (identity check only)."""
    snap = AccountSnap(id=account.id, msisdn=account.msisdn, store_code=account.store_code)
    now = _dt.datetime.combine(effective, _dt.time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    return outcome_to_json(evaluate(snap, channel, effective, effective, now, WorkCalendar()))


class PrecheckFactory(Base):
    class Meta:
        model = Precheck

    class Params:
        account = factory.SubFactory(AccountFactory)

    account_id = factory.SelfAttribute("account.id")
    channel = "app"
    effective_date = TODAY
    asap = True
    outcome = factory.LazyAttribute(lambda o: _precheck_outcome(o.account, o.channel, o.effective_date))
    result = factory.LazyAttribute(lambda o: o.outcome["result"])
    can_submit = factory.LazyAttribute(lambda o: o.outcome["can_submit"])
    eligible_now = factory.LazyAttribute(lambda o: o.outcome["eligible_now"])
    created_by = "api_key:1"


class CancellationRequestFactory(Base):
    """An open request of a clean line, as submitted (no derived nodes yet)."""

    class Meta:
        model = CancellationRequest

    class Params:
        account = factory.SubFactory(AccountFactory)

    id = factory.LazyFunction(new_uuid)
    tracking_code = factory.LazyFunction(new_tracking_code)
    account_id = factory.SelfAttribute("account.id")
    state = "in_progress"
    open_account_id = factory.LazyAttribute(lambda o: o.account.id if o.state in ("in_progress", "ready") else None)
    precheck_id = factory.LazyAttribute(lambda o: PrecheckFactory(account=o.account).id)
    customer_id = factory.SelfAttribute("account.customer_id")
    store_code = factory.SelfAttribute("account.store_code")
    channel = "app"
    version = 1
    effective_date = TODAY
    timezone = "Asia/Shanghai"
    submitted_at = factory.LazyFunction(utcnow)
    withdraw_until = factory.LazyAttribute(lambda o: o.submitted_at + timedelta(hours=72))
    last_changed_at = factory.SelfAttribute("submitted_at")
    quoted_total = Decimal("0.00")
    restore_point = factory.LazyAttribute(lambda o: {
        "services": {s.code: s.status for s in o.account.services},
        "family_group_id": o.account.family_group_id,
        "family_role": o.account.family_role,
        "prepaid_credit": format(o.account.prepaid_credit, "f"),
        "status": o.account.status,
    })
    nodes = factory.LazyFunction(dict)
    eta = factory.LazyFunction(dict)
    created_by = "api_key:1"


class ChecklistEntryFactory(Base):
    class Meta:
        model = ChecklistEntry

    request = factory.SubFactory(CancellationRequestFactory)
    position = factory.Sequence(lambda n: n)
    code = "device.return"
    refs = factory.Sequence(lambda n: [f"ONT-{n:05d}"])
    key = factory.LazyAttribute(lambda o: f"{o.code}:{o.refs[0]}" if o.refs else o.code)
    owner = "customer"
    required = True
    self_service = True
    amount = Decimal("300.00")
    est_min = 5
    est_max = 7
    status = "todo"


class TimelineEntryFactory(Base):
    class Meta:
        model = TimelineEntry

    request = factory.SubFactory(CancellationRequestFactory)
    at = factory.LazyFunction(utcnow)
    node = "submitted"
    message = "submitted"
    params = factory.LazyFunction(dict)
    actor = "customer"


class InboundEventFactory(Base):
    class Meta:
        model = InboundEvent

    event_id = factory.Sequence(lambda n: f"evt-{n:06d}")
    type = "identity.verified"
    occurred_at = factory.LazyFunction(utcnow)
    request_id = factory.LazyFunction(lambda: CancellationRequestFactory().id)
    data = factory.LazyFunction(lambda: {"method": "video"})
    outcome = "applied"
    sender = "api_key:1"
