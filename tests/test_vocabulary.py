"""One StrEnum per vocabulary: the wire values are pinned, and everything keyed by a
vocabulary covers every value of it (a new value fails here until it is handled)."""

from __future__ import annotations

import json
from enum import StrEnum

import pytest

from cancelsvc.config import SLA_NODES, parse_sla
from cancelsvc.console import labels
from cancelsvc.outbox import CancellationEventType
from cancelsvc.requests.inbound import HANDLERS
from cancelsvc.requests.presenter import POLL_SECONDS
from cancelsvc.requests.progress import NODES
from cancelsvc.requests.schemas import EVENT_DATA
from cancelsvc.requests.states import TRANSITIONS
from cancelsvc.requests.textkeys import PROGRESS_TEXT_KEYS
from cancelsvc.tracking.view import WAITING_ON
from models.vocabulary import (
    FINAL_STATES,
    ITEM_NODES,
    OPEN_STATES,
    EventOutcome,
    EventType,
    HoldKind,
    ItemStatus,
    NodeCode,
    NodeStatus,
    Owner,
    Reason,
    RequestState,
    values,
)

#: The wire values (JSON, database, OpenAPI), in order: changing one is an API change.
WIRE = {
    RequestState: ["in_progress", "ready", "completed", "withdrawn", "rejected"],
    Reason: ["moving", "too_expensive", "coverage", "service_quality", "switching_operator", "no_longer_needed",
             "deceased_holder", "other"],
    NodeCode: ["submitted", "identity_verified", "fees_settled", "services_cancelled", "devices_returned",
               "family_resolved", "cooling_off", "deactivated", "refund_issued", "follow_up"],
    NodeStatus: ["pending", "in_progress", "done", "skipped", "failed"],
    ItemStatus: ["todo", "done", "waived", "not_applicable"],
    EventType: ["identity.verified", "payment.received", "device.returned", "service.cancelled", "family.resolved",
                "refund.issued", "followup.recorded", "hold.placed"],
    EventOutcome: ["applied", "ignored"],
    HoldKind: ["legal_hold", "fraud_suspension", "porting_in_progress"],
    Owner: ["customer", "clerk", "operator", "third_party"],
    CancellationEventType: ["cancellation.created", "cancellation.state_changed", "cancellation.node_changed"],
}


@pytest.mark.parametrize("vocabulary", list(WIRE), ids=lambda v: v.__name__)
def test_wire_values_are_pinned_and_serialise_as_plain_strings(vocabulary: type[StrEnum]) -> None:
    assert values(vocabulary) == WIRE[vocabulary]
    assert json.dumps(list(vocabulary)) == json.dumps(WIRE[vocabulary])
    assert all(f"{m}" == m.value == str(m) for m in vocabulary)


def test_states_split_into_open_and_final_and_each_has_transitions_and_a_poll_interval() -> None:
    assert OPEN_STATES | FINAL_STATES == set(RequestState) and not OPEN_STATES & FINAL_STATES
    assert set(TRANSITIONS) == set(POLL_SECONDS) == set(RequestState)


def test_every_event_type_has_a_handler_and_a_data_schema() -> None:
    assert set(HANDLERS) == set(EVENT_DATA) == set(EventType)


def test_every_node_has_texts_and_every_item_node_takes_an_sla() -> None:
    assert NODES == tuple(NodeCode)
    assert {f"node.{n}.title" for n in NodeCode} <= PROGRESS_TEXT_KEYS
    assert {f"node.{n}.action" for n in ITEM_NODES} <= PROGRESS_TEXT_KEYS
    assert {f"term.hold.{h}" for h in HoldKind} <= PROGRESS_TEXT_KEYS
    assert SLA_NODES == ITEM_NODES
    assert parse_sla(",".join(f"{n}={i}" for i, n in enumerate(ITEM_NODES))) == {
        str(n): i for i, n in enumerate(ITEM_NODES)
    }


@pytest.mark.parametrize(("words", "vocabulary"), [
    (labels.STATES, RequestState), (labels.ITEM_STATUSES, ItemStatus), (labels.NODE_STATUSES, NodeStatus),
    (labels.REASONS, Reason), (labels.OWNERS, Owner), (labels.WAITING, Owner), (WAITING_ON, Owner),
], ids=["states", "item statuses", "node statuses", "reasons", "owners", "waiting", "tracking waiting"])
def test_every_value_has_its_word_on_the_pages(words: dict[str, object], vocabulary: type[StrEnum]) -> None:
    assert list(words) == list(vocabulary)
