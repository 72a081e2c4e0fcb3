"""The words of the domain: one ``StrEnum`` per vocabulary.

Models, schemas (``OneOf`` / ``enum`` in the OpenAPI document) and logic all name these
values through the enums below, never as raw strings. The values are the wire values
(JSON, database columns, OpenAPI): a member compares, hashes, formats and serialises
exactly like its string, so stored rows and documents stay byte-identical.

Adding a value is adding a member here; the tests that walk each enum (texts for
every node, a handler and a data schema for every event type, transitions for every
state) then say what else it needs.
"""

from __future__ import annotations

from enum import StrEnum


class RequestState(StrEnum):
    """The life of a cancellation request (domain.md §3)."""

    IN_PROGRESS = "in_progress"
    READY = "ready"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"


#: States in which a request is open: at most one per account.
OPEN_STATES = frozenset({RequestState.IN_PROGRESS, RequestState.READY})
#: States a request never leaves.
FINAL_STATES = frozenset({RequestState.COMPLETED, RequestState.WITHDRAWN, RequestState.REJECTED})
#: Final states of a request that did not end in a deactivation.
UNFINISHED_STATES = (RequestState.WITHDRAWN, RequestState.REJECTED)


class Reason(StrEnum):
    """Why the customer cancels (optional at submission)."""

    MOVING = "moving"
    TOO_EXPENSIVE = "too_expensive"
    COVERAGE = "coverage"
    SERVICE_QUALITY = "service_quality"
    SWITCHING_OPERATOR = "switching_operator"
    NO_LONGER_NEEDED = "no_longer_needed"
    DECEASED_HOLDER = "deceased_holder"
    OTHER = "other"


class NodeCode(StrEnum):
    """The ten progress nodes of a request, in the order they are shown."""

    SUBMITTED = "submitted"
    IDENTITY_VERIFIED = "identity_verified"
    FEES_SETTLED = "fees_settled"
    SERVICES_CANCELLED = "services_cancelled"
    DEVICES_RETURNED = "devices_returned"
    FAMILY_RESOLVED = "family_resolved"
    COOLING_OFF = "cooling_off"
    DEACTIVATED = "deactivated"
    REFUND_ISSUED = "refund_issued"
    FOLLOW_UP = "follow_up"


#: The nodes that group checklist items (nodes 2–6); each takes a configurable SLA.
ITEM_NODES = (
    NodeCode.IDENTITY_VERIFIED,
    NodeCode.FEES_SETTLED,
    NodeCode.SERVICES_CANCELLED,
    NodeCode.DEVICES_RETURNED,
    NodeCode.FAMILY_RESOLVED,
)


class Owner(StrEnum):
    """Who a checklist item or a progress step waits on."""

    CUSTOMER = "customer"
    CLERK = "clerk"
    OPERATOR = "operator"
    #: Another provider (a third party's value-added service to cancel).
    THIRD_PARTY = "third_party"


class NodeStatus(StrEnum):
    """Where a progress node stands."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"


#: Steps not yet reached or under way: they can be late, and their due date still matters.
OPEN_NODE_STATUSES = frozenset({NodeStatus.PENDING, NodeStatus.IN_PROGRESS})


class ItemStatus(StrEnum):
    """Where a checklist item stands."""

    TODO = "todo"
    DONE = "done"
    WAIVED = "waived"
    NOT_APPLICABLE = "not_applicable"


#: Items that no longer hold anything up.
CLOSED_ITEM_STATUSES = frozenset({ItemStatus.DONE, ItemStatus.WAIVED, ItemStatus.NOT_APPLICABLE})


class EventType(StrEnum):
    """Back-office events (``POST /api/v1/events``)."""

    IDENTITY_VERIFIED = "identity.verified"
    PAYMENT_RECEIVED = "payment.received"
    DEVICE_RETURNED = "device.returned"
    SERVICE_CANCELLED = "service.cancelled"
    FAMILY_RESOLVED = "family.resolved"
    REFUND_ISSUED = "refund.issued"
    FOLLOWUP_RECORDED = "followup.recorded"
    HOLD_PLACED = "hold.placed"


class EventOutcome(StrEnum):
    """What a back-office event did to its request."""

    APPLIED = "applied"
    IGNORED = "ignored"


class HoldKind(StrEnum):
    """Restrictions on an account (``accounts.holds``)."""

    LEGAL_HOLD = "legal_hold"
    FRAUD_SUSPENSION = "fraud_suspension"
    PORTING_IN_PROGRESS = "porting_in_progress"


#: The holds a ``hold.placed`` event may place (they reject an open request).
PLACEABLE_HOLDS = (HoldKind.LEGAL_HOLD, HoldKind.FRAUD_SUSPENSION)


def values(vocabulary: type[StrEnum] | tuple[StrEnum, ...]) -> list[str]:
    """The plain string values, in order (for ``OneOf``, OpenAPI ``enum`` and messages)."""
    return [str(member) for member in vocabulary]


class MessageChannel(StrEnum):
    """How a message reaches the customer."""

    SMS = "sms"
    EMAIL = "email"


class MessageKind(StrEnum):
    """Essential messages are always sent; updates obey opt-out and the daily limit."""

    ESSENTIAL = "essential"
    UPDATE = "update"
    #: A direct answer to the customer's own text: sent at once, never counted.
    ANSWER = "answer"


class Moment(StrEnum):
    """Why a message is sent: each is one template (``docs/notifications.md``)."""

    SUBMITTED = "submitted"
    TODO = "todo"
    TODO_REMINDER = "todo_reminder"
    ALL_DONE = "all_done"
    COOLING_OFF_ENDING = "cooling_off_ending"
    DEACTIVATING = "deactivating"
    DEACTIVATED = "deactivated"
    REFUND_ISSUED = "refund_issued"
    FOLLOW_UP = "follow_up"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    SLA_MISSED = "sla_missed"
    # Answers to the customer's texts.
    STATUS = "status"
    OPTED_OUT = "opted_out"
    OPTED_IN = "opted_in"
    WITHDRAW_CONFIRM = "withdraw_confirm"
    FOLLOW_UP_THANKS = "follow_up_thanks"
    LANGUAGE = "language"
    HELP = "help"
    TEST = "test"


class Audience(StrEnum):
    """Whom a message is for; the address is found when it is sent (numbers stop working)."""

    #: The number being cancelled until deactivation, then the after-cancellation contact.
    CUSTOMER = "customer"
    #: The number being cancelled itself (the last message before it is switched off).
    LINE = "line"
    #: The customer's e-mail address (VIP copies).
    EMAIL = "email"
    #: Whoever texted us (answers to replies).
    SENDER = "sender"


class MessageStatus(StrEnum):
    """Where a message stands."""

    QUEUED = "queued"
    #: Accepted by the SMSC or the mail server (``sent_at``): never sent again.
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERABLE = "undeliverable"
    FAILED = "failed"
    #: Folded into a later update of the same request (``merged_into``).
    MERGED = "merged"
    #: No longer true when its time came (e.g. the to-do was done meanwhile), or opted out.
    SKIPPED = "skipped"
    #: Nowhere to send it: no number, no contact, no e-mail.
    NO_CHANNEL = "no_channel"


#: Statuses of a message that is finished (no more sending).
FINAL_MESSAGE_STATUSES = frozenset(set(MessageStatus) - {MessageStatus.QUEUED})


class InboundKind(StrEnum):
    """What arrived from the SMSC."""

    RECEIPT = "receipt"
    REPLY = "reply"


class ReceiptState(StrEnum):
    """SMPP delivery receipt states (``stat:`` of the receipt text)."""

    DELIVRD = "DELIVRD"
    UNDELIV = "UNDELIV"
    EXPIRED = "EXPIRED"
    REJECTD = "REJECTD"
    DELETED = "DELETED"
    ACCEPTD = "ACCEPTD"
    UNKNOWN = "UNKNOWN"


class ReplyCommand(StrEnum):
    """What a customer's text asked for."""

    STATUS = "status"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    SATISFIED = "satisfied"
    NOT_SATISFIED = "not_satisfied"
    WITHDRAW = "withdraw"
    CONFIRM = "confirm"
    ENGLISH = "english"
    CHINESE = "chinese"
    HELP = "help"
