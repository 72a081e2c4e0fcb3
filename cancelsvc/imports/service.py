"""All-or-nothing, idempotent import of the operator's customers, streamed.

1. **Validate** every record as it is read (``reader``), a chunk at a time, in worker
   processes when there are several cores (``workers``, ``checking``), with the import
   schemas (``loading.Loader`` for speed, marshmallow for the messages): every problem with
   its place (JSON path or line), the first ``LISTED`` of them kept, the rest counted. Keys
   that must be unique across the file are remembered as 64-bit hashes (flat memory); when
   two hashes meet, the file is read again to name the duplicates. Valid records are staged
   meanwhile (``staging``).
2. **Check** what the file may not change (numbers and devices of someone else).
3. **Write**, in the caller's transaction, with set-based upserts (``upsert``): a re-import
   changes nothing, not even ``updated_at``; a later file updates what it names.
4. **Live requests**: accounts this service deactivated stay cancelled (reported); a hold
   the file brings to an account with an open request rejects that request exactly as a
   ``hold.placed`` event does (last, to keep the audit chain's lock short).

Nothing is written when anything is invalid: the caller rolls the transaction back. A dry
run does everything but the rejections and leaves the rollback to the caller too.
"""

from __future__ import annotations

import logging
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cancelsvc.imports import upsert
from cancelsvc.imports.checking import Checked, Checker, key_hash, keys_of, load
from cancelsvc.imports.reader import Problem, Source, document_source, parsed
from cancelsvc.imports.staging import Stager
from cancelsvc.imports.workers import checked
from cancelsvc.requests.inbound import place_hold
from models import db
from models.base import utcnow
from models.vocabulary import PLACEABLE_HOLDS

log = logging.getLogger(__name__)
#: Problems listed one by one; the others are counted.
LISTED = 1000
#: The caller of the changes an import makes to requests (audit log).
IMPORT_CALLER = "system:import"
KINDS = ("stores", "customers", "accounts", "contracts", "bills", "devices", "services")


class ImportRejected(Exception):
    """The file is invalid; ``problems`` maps places to messages (the first ``LISTED``),
    ``more`` counts the others. Nothing was written."""

    def __init__(self, problems: dict[str, list[str]], more: int = 0) -> None:
        super().__init__(f"{sum(len(v) for v in problems.values()) + more} problem(s)")
        self.problems = problems
        self.more = more


@dataclass
class ImportReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    records: int = 0
    #: Numbers this service deactivated that the file gave another status (kept cancelled).
    kept_deactivated: list[str] = field(default_factory=list)
    kept_deactivated_total: int = 0
    #: (open request id, hold) rejected because the file brought the hold (or would, dry run).
    rejected: list[tuple[str, str]] = field(default_factory=list)
    dry_run: bool = False
    #: Seconds spent reading, validating and staging the file; then writing it.
    validating_seconds: float = 0.0
    writing_seconds: float = 0.0

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        getattr(self, outcome)[kind] += n

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()) or self.rejected)


class Progress:
    """What an import reports as it goes (the command draws a bar from it); does nothing here."""

    def validating(self, count: int) -> None:
        """``count`` more records were read and validated."""

    def writing(self, total: int) -> None:
        """The write starts: ``total`` rows in all."""

    def written(self, count: int) -> None:
        """``count`` more rows were written (or found unchanged)."""


class _Problems:
    def __init__(self) -> None:
        self.listed: dict[str, list[str]] = {}
        self.count = 0

    def add(self, path: str, message: str) -> None:
        if self.count < LISTED:
            self.listed.setdefault(path, []).append(message)
        self.count += 1

    def merge(self, chunk: Checked) -> None:
        """The problems a chunk found (those it listed, then those it only counted)."""
        for path, message in chunk.problems:
            self.add(path, message)
        self.count += chunk.problem_count - len(chunk.problems)

    def reject(self) -> ImportRejected:
        listed = sum(len(v) for v in self.listed.values())
        return ImportRejected(self.listed, self.count - listed)


def import_document(document: Any, pii_key: str, *, dry_run: bool = False) -> ImportReport:
    """Import a document already in memory (``{"stores": […], "customers": […]}``)."""
    return run_import(document_source(document), pii_key, dry_run=dry_run)


def run_import(source: Source, pii_key: str, *, dry_run: bool = False, progress: Progress | None = None,
               workers: int = 0) -> ImportReport:
    """Validate everything ``source`` reads, then write it in the caller's transaction.
    ``workers``: processes that parse and check the records (0: this one).

    Raises ``ImportRejected`` (the caller must roll back) when anything is invalid.
    """
    progress = progress or Progress()
    report = ImportReport(dry_run=dry_run)
    problems = _Problems()
    stager = Stager()
    keys = _Keys()
    started = time.monotonic()
    checker = Checker(pii_key, copy_text=stager.postgres, listed=LISTED)
    with db.session.no_autoflush:
        for chunk in checked(source(), checker, workers):
            report.records += chunk.records
            problems.merge(chunk)
            keys.add(chunk.keys)
            if not problems.count:
                stager.add(chunk.rows, chunk.row_counts, chunk.records)
            progress.validating(chunk.records)
        if keys.maybe_duplicated():
            _name_duplicates(source, keys, problems)
        if problems.count:
            raise problems.reject()
        stager.flush()
        stager.analyze()
        found, total = upsert.conflicts(LISTED)
        for path, message in found:
            problems.add(path, message)
        problems.count += total - len(found)
        if problems.count:
            raise problems.reject()
        report.kept_deactivated, report.kept_deactivated_total = upsert.keep_deactivated(LISTED)
        holds = _arriving_holds()
        report.validating_seconds = time.monotonic() - started
        progress.writing(sum(stager.staged.values()))
        for kind, written in upsert.write(utcnow(), stager.staged, progress.written).items():
            report.count(kind, "created", written.created)
            report.count(kind, "updated", written.updated)
            report.count(kind, "unchanged", written.unchanged)
        stager.drop()
        db.session.expire_all()  # the statements went around the session: nothing it holds is current
        for request_id, hold in holds:
            if dry_run or place_hold(request_id, hold, IMPORT_CALLER, "import.hold.placed"):
                report.rejected.append((request_id, hold))
        db.session.flush()
    report.writing_seconds = time.monotonic() - started - report.validating_seconds
    return report


def _arriving_holds() -> list[tuple[str, str]]:
    """(open request, hold) for each account the file gives a hold it did not have, of
    those a ``hold.placed`` event may place."""
    arriving = []
    for request_id, now, staged in upsert.new_holds_on_open_requests():
        new = [hold for hold in PLACEABLE_HOLDS if hold in staged and hold not in now]
        if new:
            arriving.append((request_id, str(new[0])))
    return arriving


class _Keys:
    """Hashes of the file-unique keys, 8 bytes each, per kind; a repeated hash may be a duplicate."""

    def __init__(self) -> None:
        self.hashes: dict[str, array[int]] = {}
        self.suspects: dict[str, set[int]] = {}

    def add(self, hashes: dict[str, bytes]) -> None:
        """The hashes of a chunk (``array("q")`` bytes per kind of key)."""
        for what, packed in hashes.items():
            bucket = self.hashes.get(what)
            if bucket is None:
                bucket = self.hashes[what] = array("q")
            bucket.frombytes(packed)

    def maybe_duplicated(self) -> bool:
        for kind, bucket in self.hashes.items():
            values = np.sort(np.frombuffer(bucket, dtype=np.int64))
            repeated = values[1:][values[1:] == values[:-1]]
            if repeated.size:
                self.suspects[kind] = set(repeated.tolist())
        self.hashes.clear()
        return bool(self.suspects)


def _name_duplicates(source: Source, keys: _Keys, problems: _Problems) -> None:
    """Read the file again and name each key given twice, with where it was given first."""
    first: dict[tuple[str, str], str] = {}
    for read in source():
        item = parsed(read)
        if isinstance(item, Problem):
            continue
        data, _ = load(item)
        if data is None:
            continue
        for what, where, key in keys_of(item.kind, data):
            if key_hash(key) not in keys.suspects.get(what, ()):
                continue
            path = item.path(where)
            seen = first.setdefault((what, key), path)
            if seen != path:
                problems.add(path, f"Duplicate {what} {key!r}; first given at {seen}.")
