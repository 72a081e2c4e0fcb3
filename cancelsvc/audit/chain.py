"""Appending to the hash-chained audit log and verifying the chain (domain.md §3.3).

Every record stores ``hash = sha256(canonical JSON of {seq, at, actor, action,
subject_type, subject_id, data, prev_hash})`` and the previous record's hash, so
changing, deleting, inserting or reordering records breaks the chain. The
``audit_head`` row names the last record: appenders update it first, which queues
concurrent appenders behind each other's transaction (row lock on PostgreSQL, write
lock on SQLite), and verification checks that the chain ends where the head says.

On PostgreSQL an append is one statement: the head row is locked and read, advanced, and
the record inserted with its hash computed by the server (``sha256`` over the same
canonical JSON, whose sorted keys put ``prev_hash`` and ``seq`` between parts the caller
renders); ``verify`` recomputes every hash in Python. SQLite takes three (in process).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from cancelsvc.common.canonical import canonical_json, to_json_value
from cancelsvc.database import is_postgres
from models import AuditHead, AuditRecord, db
from models.audit import GENESIS_HASH
from models.base import utcnow

HEAD_ID = 1


def append(
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    data: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """Append a record in the caller's transaction (never commits).

    ``actor`` is who did it (``Principal.caller_key``, ``"system"``, …), ``action`` what
    (``cancellation.withdrawn``), ``data`` JSON-like details. Concurrent appenders wait
    for each other until commit, so keep the rest of such transactions short.
    """
    record = AuditRecord(
        at=utcnow(),
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        data=to_json_value(dict(data or {})),
    )
    # The chain's statements touch no other table: the caller's pending changes are flushed
    # at its commit, with whatever it changes after this (one UPDATE per row, not two).
    with db.session.no_autoflush:
        if is_postgres():
            linked = _append_on_server(record)
            if linked is not None:
                record.seq, record.prev_hash, record.hash = linked
                return record  # already inserted: not added to the session
        record.seq, record.prev_hash = _advance_head()
        record.hash = record_hash(record)
        db.session.add(record)
        db.session.execute(sa.update(AuditHead).where(AuditHead.id == HEAD_ID).values(hash=record.hash))
    return record


def record_hash(record: AuditRecord) -> str:
    """The SHA-256 of the record's content and its link to the previous record."""
    content = {
        "seq": record.seq,
        "at": record.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": record.actor,
        "action": record.action,
        "subject_type": record.subject_type,
        "subject_id": record.subject_id,
        "data": record.data,
        "prev_hash": record.prev_hash,
    }
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def hashed_parts(record: AuditRecord) -> tuple[str, str]:
    """The canonical JSON that ``record_hash`` hashes, without ``prev_hash`` and ``seq``:
    the text before ``,"prev_hash":"…","seq":…,`` and the text after it (sorted keys:
    action, actor, at, data < prev_hash < seq < subject_id, subject_type)."""
    before = canonical_json({
        "action": record.action,
        "actor": record.actor,
        "at": record.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "data": record.data,
    })
    after = canonical_json({"subject_id": record.subject_id, "subject_type": record.subject_type})
    return before[:-1], after[1:]


#: One round trip on PostgreSQL: lock and read the head (``FOR UPDATE`` reads the newest
#: version after waiting for another appender), advance it with the new record's hash, and
#: insert the record. ``hashed_parts`` surround ``prev_hash`` and ``seq`` in the hashed text.
_APPEND_SQL = sa.text("""
WITH head AS (SELECT seq, hash FROM audit_head WHERE id = :head_id FOR UPDATE),
linked AS (
    SELECT head.seq + 1 AS seq, head.hash AS prev_hash,
           encode(sha256(convert_to(
               CAST(:before AS TEXT) || ',"prev_hash":"' || head.hash || '","seq":' || CAST(head.seq + 1 AS TEXT)
               || ',' || CAST(:after AS TEXT),
               'UTF8')), 'hex') AS hash
    FROM head
),
advanced AS (
    UPDATE audit_head SET seq = linked.seq, hash = linked.hash FROM linked WHERE audit_head.id = :head_id
    RETURNING audit_head.seq
)
INSERT INTO audit_records (seq, at, actor, action, subject_type, subject_id, data, prev_hash, hash)
SELECT linked.seq, :at, CAST(:actor AS TEXT), CAST(:action AS TEXT), CAST(:subject_type AS TEXT),
       CAST(:subject_id AS TEXT), CAST(:data AS JSON), linked.prev_hash,
       linked.hash
FROM linked JOIN advanced ON advanced.seq = linked.seq
RETURNING seq, prev_hash, hash
""").bindparams(
    sa.bindparam("at", type_=AuditRecord.__table__.c.at.type),
    sa.bindparam("data", type_=sa.JSON()),
)


def _append_on_server(record: AuditRecord) -> tuple[int, str, str] | None:
    """Insert ``record`` linked to the head in one statement; None when there is no head yet."""
    before, after = hashed_parts(record)
    row = db.session.execute(_APPEND_SQL, {
        "head_id": HEAD_ID, "before": before, "after": after, "at": record.at, "actor": record.actor,
        "action": record.action, "subject_type": record.subject_type, "subject_id": record.subject_id,
        "data": record.data,
    }).first()
    return (row.seq, row.prev_hash, row.hash) if row is not None else None


def _advance_head() -> tuple[int, str]:
    """Take the next sequence number; the UPDATE comes first to serialise appenders."""
    bump = (
        sa.update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.hash)
    )
    row = db.session.execute(bump).first()
    if row is None:
        insert = postgresql.insert if is_postgres() else sqlite.insert
        db.session.execute(
            insert(AuditHead).values(id=HEAD_ID, seq=0, hash=GENESIS_HASH).on_conflict_do_nothing()
        )
        row = db.session.execute(bump).one()
    return row.seq, row.hash


@dataclass(frozen=True)
class ChainBreak:
    """The first bad record: its ``seq`` and what is wrong with it."""

    seq: int
    problem: str

    def __str__(self) -> str:
        return f"record {self.seq}: {self.problem}"


@dataclass(frozen=True)
class ChainReport:
    records: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def verify() -> ChainBreak | None:
    """The first bad record of the chain, or None when it is intact."""
    return check_chain().first_break


def check_chain() -> ChainReport:
    """Walk the chain in ``seq`` order: numbering, content hashes, links and the head."""
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    rows = db.session.execute(
        sa.select(AuditRecord).order_by(AuditRecord.seq).execution_options(yield_per=1000)
    ).scalars()
    for record in rows:
        problem = _problem(record, expected_seq, prev_hash)
        if problem is not None:
            return ChainReport(count, problem)
        expected_seq, prev_hash, count = record.seq + 1, record.hash, count + 1
    head = db.session.get(AuditHead, HEAD_ID, populate_existing=True)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    last = expected_seq - 1
    if head_seq > last:
        return ChainReport(count, ChainBreak(last + 1, f"is missing: the head says the chain ends at {head_seq}"))
    if head_seq < last:
        return ChainReport(count, ChainBreak(head_seq + 1, "is beyond the head: it was not added by an append"))
    if head_hash != prev_hash:
        return ChainReport(count, ChainBreak(last, "hash differs from the head's: the record was rewritten"))
    return ChainReport(count, None)


def _problem(record: AuditRecord, expected_seq: int, prev_hash: str) -> ChainBreak | None:
    if record.seq != expected_seq:
        return ChainBreak(expected_seq, f"is missing (deleted): the next record is {record.seq}")
    if record.hash != record_hash(record):
        return ChainBreak(record.seq, "content does not match its hash (modified, moved or hash forged)")
    if record.prev_hash != prev_hash:
        return ChainBreak(record.seq, f"prev_hash does not match record {record.seq - 1} (chain rewritten)")
    return None

