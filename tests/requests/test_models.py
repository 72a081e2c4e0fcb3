"""The cancellation models: what the database itself guarantees, and factory-built rows in use."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from models import db
from tests.factories import (
    AccountFactory,
    CancellationRequestFactory,
    ChecklistEntryFactory,
    InboundEventFactory,
    TimelineEntryFactory,
)
from tests.requests.conftest import Api, fresh, node


def test_one_open_request_per_account_is_enforced_by_the_database(app: Any) -> None:
    account = AccountFactory()
    CancellationRequestFactory(account=account)
    with pytest.raises(IntegrityError):
        CancellationRequestFactory(account=account)
    db.session.rollback()
    # Closed requests do not count.
    CancellationRequestFactory(account=account, state="withdrawn")
    CancellationRequestFactory(account=account, state="completed")


def test_tracking_codes_and_event_ids_per_sender_are_unique(app: Any) -> None:
    first = CancellationRequestFactory()
    with pytest.raises(IntegrityError):
        CancellationRequestFactory(tracking_code=first.tracking_code)
    db.session.rollback()
    InboundEventFactory(event_id="e-1", sender="api_key:1")
    InboundEventFactory(event_id="e-1", sender="api_key:2")  # event ids are scoped per sender
    with pytest.raises(IntegrityError):
        InboundEventFactory(event_id="e-1", sender="api_key:1")
    db.session.rollback()


def test_a_factory_built_request_is_served_and_moved(app: Any, api: Api) -> None:
    req = CancellationRequestFactory()
    entry = ChecklistEntryFactory(request=req, refs=["ONT-9"], position=0)
    TimelineEntryFactory(request=req)
    doc = api.doc(req.id)
    assert doc["checklist"][0]["key"] == entry.key == "device.return:ONT-9"
    assert node(doc, "devices_returned")["status"] == "in_progress"
    assert node(doc, "submitted")["events"][0]["actor"] == "customer"
    api.applied(req.id, "device.returned", {"serial": "ONT-9"})
    assert fresh(req.id).state == "ready" and fresh(req.id).version == 2


def test_deleting_a_request_deletes_its_checklist_and_timeline(app: Any) -> None:
    from models import ChecklistEntry, TimelineEntry

    entry = ChecklistEntryFactory()
    TimelineEntryFactory(request=entry.request)
    db.session.delete(entry.request)
    db.session.commit()
    assert db.session.query(ChecklistEntry).count() == db.session.query(TimelineEntry).count() == 0
