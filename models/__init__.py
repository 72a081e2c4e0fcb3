"""SQLAlchemy 2 models of cancelsvc.

This package owns the ``db`` object and imports nothing from the service, so the
data layer can be used (and tested) on its own.
"""

from models import notify as _notify
from models.account import Account
from models.audit import AuditHead, AuditRecord
from models.auth import ApiKey, StaffUser
from models.base import Base, db
from models.calls import CallTask
from models.cancellation import CancellationRequest, ChecklistEntry, InboundEvent, TimelineEntry
from models.customer import Customer, FamilyGroup, Store
from models.holdings import Bill, Contract, Device, ValueAddedService
from models.idempotency import IdempotencyRecord
from models.links import TrackingLink
from models.messages import InboundSms, Message, SmsPart, SmsPreference
from models.outbox import DomainEvent
from models.precheck import Precheck
from models.webhook import WebhookDelivery, WebhookSubscription

_notify.attach(Base.metadata)

__all__ = [
    "Account",
    "ApiKey",
    "AuditHead",
    "AuditRecord",
    "Base",
    "Bill",
    "CallTask",
    "CancellationRequest",
    "ChecklistEntry",
    "Contract",
    "Customer",
    "Device",
    "DomainEvent",
    "FamilyGroup",
    "IdempotencyRecord",
    "InboundEvent",
    "InboundSms",
    "Message",
    "Precheck",
    "SmsPart",
    "SmsPreference",
    "StaffUser",
    "Store",
    "TimelineEntry",
    "TrackingLink",
    "ValueAddedService",
    "WebhookDelivery",
    "WebhookSubscription",
    "db",
]
