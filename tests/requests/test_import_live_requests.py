"""The nightly import and live requests: a hold the file brings rejects the open request as a
``hold.placed`` event does; an account this service deactivated stays cancelled."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cancelsvc.requests.states import COMPLETED, IN_PROGRESS, REJECTED
from models import Account, AuditRecord, DomainEvent, TimelineEntry, db
from tests.requests.conftest import Api, account_row, fresh, full_line, later, make_line, run_jobs


def import_file(runner: Any, tmp_path: Path, account: Account, *options: str, **fields: Any) -> Any:
    """Import one line of ``account``'s customer as the BSS would send it, with ``fields``."""
    line = {"customer": account.customer.external_id, "name": account.customer.name,
            "msisdn": account.msisdn, "store": account.store_code}
    db.session.rollback()
    record = {"external_id": line["customer"], "name": line["name"],
              "accounts": [{"msisdn": line["msisdn"], "store_code": line["store"], **fields}]}
    path = tmp_path / "bss.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n")
    return runner.invoke(args=["data", "import", str(path), *options])


@pytest.mark.parametrize("kind", ["legal_hold", "fraud_suspension"])
def test_a_hold_brought_by_the_import_rejects_the_open_request_as_the_event_does(
        app: Any, api: Api, runner: Any, tmp_path: Path, kind: str) -> None:
    line = full_line()
    rid = api.open_request(line)["id"]
    api.applied(rid, "service.cancelled", {"code": f"VIP-{line.id}"})
    result = import_file(runner, tmp_path, line, holds=[kind])
    assert result.exit_code == 0, result.output
    assert f"  1 open requests rejected: the file places a hold on their number:\n    {rid} ({kind})" in result.output
    req = fresh(rid)
    assert (req.state, req.rejected_reason, req.closed_by, req.open_account_id) == (REJECTED, kind, "operator", None)
    note = db.session.execute(sa.select(TimelineEntry).where(
        TimelineEntry.request_id == rid).order_by(TimelineEntry.id.desc()).limit(1)).scalar_one()
    assert (note.node, note.message, note.params, note.actor) == ("deactivated", "rejected", {"hold": kind}, "operator")
    audit = db.session.execute(sa.select(AuditRecord).where(AuditRecord.subject_id == rid)
                               .order_by(AuditRecord.seq.desc()).limit(1)).scalar_one()
    assert (audit.actor, audit.action, audit.data["state"]) == ("system:import", "import.hold.placed", REJECTED)
    events = db.session.execute(sa.select(DomainEvent.type, DomainEvent.data).where(
        DomainEvent.subject_id == rid)).all()
    assert ("cancellation.state_changed", REJECTED) in {(t, d.get("state")) for t, d in events}
    # The account was given back as the event gives it back (the cancelled service active again), plus the hold.
    after = account_row(line.id)
    assert after["holds"] == [kind]
    assert (f"VIP-{line.id}", "active") in after["services"]


def test_a_hold_no_event_may_place_rejects_nothing(app: Any, api: Api, runner: Any, tmp_path: Path) -> None:
    line = make_line()
    rid = api.open_request(line)["id"]
    result = import_file(runner, tmp_path, line, holds=["porting_in_progress"])
    assert result.exit_code == 0 and "rejected" not in result.output, result.output
    assert fresh(rid).state == IN_PROGRESS
    assert account_row(line.id)["holds"] == ["porting_in_progress"]


def test_the_same_hold_again_rejects_nothing_more(app: Any, api: Api, runner: Any, tmp_path: Path) -> None:
    line = make_line()
    rid = api.open_request(line)["id"]
    assert "1 open requests rejected" in import_file(runner, tmp_path, line, holds=["legal_hold"]).output
    version = fresh(rid).version
    again = import_file(runner, tmp_path, line, holds=["legal_hold"])
    assert again.exit_code == 0 and "nothing changed" in again.output and "rejected" not in again.output
    assert fresh(rid).version == version


def test_a_dry_run_says_which_requests_would_be_rejected_and_rejects_none(
        app: Any, api: Api, runner: Any, tmp_path: Path) -> None:
    line = make_line()
    rid = api.open_request(line)["id"]
    result = import_file(runner, tmp_path, line, "--dry-run", holds=["legal_hold"])
    assert result.exit_code == 0, result.output
    assert f"1 open requests would be rejected: the file places a hold on their number:\n    {rid} (legal_hold)" \
        in result.output
    assert fresh(rid).state == IN_PROGRESS
    assert account_row(line.id)["holds"] == []


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=0)
def test_an_account_this_service_deactivated_is_never_reactivated(
        app: Any, api: Api, runner: Any, tmp_path: Path) -> None:
    line = make_line(msisdn="+8613800138123")
    rid = api.open_request(line)["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    run_jobs(later(minutes=5))
    assert fresh(rid).state == COMPLETED
    result = import_file(runner, tmp_path, line, status="active", loyalty_points=10)
    assert result.exit_code == 0, result.output
    assert "  1 numbers deactivated by this service stay cancelled (the file gave them another status):\n" \
           "    +86 138****8123" in result.output
    row = account_row(line.id)
    assert row["status"] == "cancelled" and row["loyalty_points"] == 10  # the rest of the file applies
    again = import_file(runner, tmp_path, line, status="active", loyalty_points=10)
    assert "nothing changed" in again.output and "stay cancelled" in again.output


def test_an_account_cancelled_by_the_file_itself_is_not_reported(
        app: Any, api: Api, runner: Any, tmp_path: Path) -> None:
    line = make_line()
    result = import_file(runner, tmp_path, line, status="suspended")
    assert result.exit_code == 0 and "stay cancelled" not in result.output
    assert account_row(line.id)["status"] == "suspended"
