"""The audit hash chain: appends, tampering of every kind detected, CLI, concurrent appends."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa

from cancelsvc import audit
from cancelsvc.database import transaction
from models import AuditHead, AuditRecord, db
from models.audit import GENESIS_HASH


def _append(n: int) -> None:
    with transaction():
        for i in range(n):
            audit.append("api_key:1", "cancellation.state_changed", "cancellation", f"req-{i % 3}", {"i": i, "to": "ready"})


def _sql(statement: str, **params: Any) -> None:
    with transaction():
        db.session.execute(sa.text(statement), params)


def test_appended_records_form_a_verifiable_chain(app: Any) -> None:
    _append(5)
    records = db.session.query(AuditRecord).order_by(AuditRecord.seq).all()
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]
    assert records[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(records, records[1:], strict=False))
    assert all(r.hash == audit.record_hash(r) for r in records)
    assert db.session.get(AuditHead, 1).hash == records[-1].hash
    assert audit.verify() is None
    assert audit.check_chain().records == 5


def test_records_with_any_text_verify(app: Any) -> None:
    # On PostgreSQL the server hashes the canonical JSON; verify recomputes it in Python.
    with transaction():
        for data in ({"name": "张伟", "quote": 'a "b" \\ c\n', "nested": {"z": [1, 2.5, None, True]}, "a": ""},
                     {}, {"prev_hash": "x", "seq": 7}):
            record = audit.append("staff:é", "test.text", "test", "id-\"1\"", data)
            assert record.hash == audit.record_hash(record)
    assert audit.check_chain().records == 3 and audit.verify() is None


def test_an_empty_log_verifies(app: Any) -> None:
    report = audit.check_chain()
    assert report.ok and report.records == 0


def test_append_rolls_back_with_the_caller(app: Any) -> None:
    _append(2)
    with pytest.raises(RuntimeError), transaction():
        audit.append("system", "x", "cancellation", "req-9", {})
        raise RuntimeError
    _append(1)
    assert [r.seq for r in db.session.query(AuditRecord).order_by(AuditRecord.seq)] == [1, 2, 3]
    assert audit.verify() is None


def test_modified_record_is_detected(app: Any) -> None:
    _append(5)
    _sql("UPDATE audit_records SET actor = 'staff:99' WHERE seq = 3")
    found = audit.verify()
    assert found is not None and found.seq == 3 and "does not match its hash" in found.problem


def test_modified_data_is_detected(app: Any) -> None:
    _append(5)
    with transaction():
        record = db.session.get(AuditRecord, 2)
        record.data = {**record.data, "to": "completed"}
    found = audit.verify()
    assert found is not None and found.seq == 2


def test_deleted_record_is_detected(app: Any) -> None:
    _append(5)
    _sql("DELETE FROM audit_records WHERE seq = 3")
    found = audit.verify()
    assert found is not None and found.seq == 3 and "missing" in found.problem


def test_deleted_last_record_is_detected(app: Any) -> None:
    _append(5)
    _sql("DELETE FROM audit_records WHERE seq = 5")
    found = audit.verify()
    assert found is not None and found.seq == 5 and "missing" in found.problem


def test_reordered_records_are_detected(app: Any) -> None:
    _append(5)
    _sql("UPDATE audit_records SET seq = 100 WHERE seq = 2")
    _sql("UPDATE audit_records SET seq = 2 WHERE seq = 3")
    _sql("UPDATE audit_records SET seq = 3 WHERE seq = 100")
    found = audit.verify()
    assert found is not None and found.seq == 2


def test_forged_hash_is_detected(app: Any) -> None:
    _append(5)
    _sql("UPDATE audit_records SET hash = :h WHERE seq = 4", h="ab" * 32)
    found = audit.verify()
    assert found is not None and found.seq == 4 and "does not match its hash" in found.problem


def test_rewritten_record_with_recomputed_hash_breaks_the_next_link(app: Any) -> None:
    _append(5)
    with transaction():
        record = db.session.get(AuditRecord, 2)
        record.actor = "staff:99"
        record.hash = audit.record_hash(record)
    found = audit.verify()
    assert found is not None and found.seq == 3 and "prev_hash" in found.problem


def test_rewritten_last_record_is_caught_by_the_head(app: Any) -> None:
    _append(3)
    with transaction():
        record = db.session.get(AuditRecord, 3)
        record.action = "nothing.happened"
        record.hash = audit.record_hash(record)
    found = audit.verify()
    assert found is not None and found.seq == 3 and "head" in found.problem


def test_cli_reports_ok_and_broken_chains(app: Any, runner: Any) -> None:
    _append(4)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "audit chain OK (4 records)" in result.output
    _sql("UPDATE audit_records SET action = 'forged' WHERE seq = 2")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "record 2" in result.output and "does not match its hash" in result.output


@pytest.mark.postgres_only
def test_concurrent_appends_stay_linear(app: Any, make_app: Any) -> None:
    threads, per_thread = 8, 15
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            with app.app_context():
                barrier.wait()
                for i in range(per_thread):
                    with transaction():
                        audit.append(f"worker:{n}", "test.append", "test", f"{n}-{i}", {"n": n, "i": i})
        except BaseException as error:
            errors.append(error)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(30)
    assert errors == []
    seqs = [seq for (seq,) in db.session.execute(sa.select(AuditRecord.seq).order_by(AuditRecord.seq))]
    assert seqs == list(range(1, threads * per_thread + 1))
    report = audit.check_chain()
    assert report.ok and report.records == threads * per_thread
