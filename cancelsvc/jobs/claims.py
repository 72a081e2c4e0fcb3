"""Row claims: two workers never act on the same row at the same time.

A claim is a lease written on the row (``claimed_by``, ``claimed_until``; see
``models.claims.ClaimMixin``). ``claim`` takes free due rows: on PostgreSQL the
candidates are read with ``SELECT … FOR UPDATE SKIP LOCKED`` so concurrent claimers
pass each other by; on both databases the lease is then written with a conditional
``UPDATE`` (only rows still free), and only rows carrying this claim's token are
returned. ``holding`` re-checks the lease at the start of each unit's transaction, so
a worker whose lease ran out (and whose rows another worker took) does nothing. A
worker that dies leaves its lease behind; the rows are free again when it expires.

A sweep finds due rows through an indexed due-time column and claims them in batches
(``CANCELSVC_JOBS_BATCH`` rows, or the sweeper's own size), batch after batch while
batches come back full and get work done, for at most ``SWEEP_SECONDS``; what is left
is for the next sweep. So a sweep's memory holds one batch whatever the backlog, and
its cost follows the due work, never the size of the table.

Typical sweeper::

    @sweeper("things.process")
    def process_things(now: datetime) -> int:
        due = sa.select(Thing).where(Thing.due_at <= now).order_by(Thing.due_at)
        return sweep_rows(due, handle_thing, now=now)
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from flask import has_app_context
from sqlalchemy.sql.base import ExecutableOption

from cancelsvc.database import is_postgres, transaction
from models import db
from models.base import utcnow
from models.claims import ClaimMixin

log = logging.getLogger(__name__)

M = TypeVar("M", bound=ClaimMixin)

DEFAULT_LEASE = timedelta(minutes=5)
DEFAULT_BATCH = 100
#: A sweep stops claiming new batches after this many seconds (the next sweep goes on).
SWEEP_SECONDS = 20.0


def configured_lease(factor: int = 1) -> timedelta:
    """``factor`` times ``CANCELSVC_JOBS_LEASE_SECONDS`` (default 5 minutes).

    How long a claimed row stays with a worker that stopped renewing it (one that died):
    longer than any unit of work, short enough that the work is soon picked up again.
    """
    from cancelsvc.services import settings

    seconds = settings().CANCELSVC_JOBS_LEASE_SECONDS if has_app_context() else None
    return (timedelta(seconds=seconds) if seconds else DEFAULT_LEASE) * factor


def configured_batch(default: int = DEFAULT_BATCH) -> int:
    """Rows claimed at once: ``CANCELSVC_JOBS_BATCH`` when set, else the sweeper's ``default``."""
    from cancelsvc.services import settings

    size = settings().CANCELSVC_JOBS_BATCH if has_app_context() else None
    return size or default


def in_batches(batch: Callable[[int], tuple[int, int]], limit: int) -> int:
    """Call ``batch(limit)``, which claims up to ``limit`` rows and returns ``(claimed, done)``,
    again while batches come back full, finish some work and ``SWEEP_SECONDS`` have not passed.

    A partial batch means nothing more was due; a full batch that finished nothing (every
    row waits, or fails and keeps its claim) would only claim the same rows again.
    Returns the units finished.
    """
    started = time.monotonic()
    total = 0
    while True:
        claimed, done = batch(limit)
        total += done
        if claimed < limit or done == 0 or time.monotonic() - started >= SWEEP_SECONDS:
            return total


@dataclass(frozen=True)
class Claim(Generic[M]):
    """A lease on one row of ``model``, identified by primary key and claim token."""

    model: type[M]
    id: Any
    token: str


def claim(
    query: sa.Select[Any],
    limit: int = DEFAULT_BATCH,
    *,
    now: datetime | None = None,
    lease: timedelta | None = None,
) -> list[Claim[Any]]:
    """Claim up to ``limit`` free rows among those ``query`` selects, in its order.

    ``query`` selects one model that has ``ClaimMixin`` columns, with the due
    conditions and ordering of the caller. Runs in the caller's transaction, which
    must be committed (``with transaction():``) before the rows are worked on.
    """
    model = query.column_descriptions[0]["entity"]
    pk = _pk(model)
    now = now or utcnow()
    lease = lease or configured_lease()
    free = sa.or_(model.claimed_until.is_(None), model.claimed_until <= now)
    candidates = query.where(free).with_only_columns(pk, maintain_column_froms=True).limit(limit)
    if is_postgres():
        candidates = candidates.with_for_update(skip_locked=True, of=model)
    ids = list(db.session.execute(candidates).scalars())
    if not ids:
        return []
    token = _token()
    db.session.execute(
        sa.update(model)
        .where(pk.in_(ids), free)
        .values(claimed_by=token, claimed_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    won = set(db.session.execute(sa.select(pk).where(pk.in_(ids), model.claimed_by == token)).scalars())
    return [Claim(model, row_id, token) for row_id in ids if row_id in won]


@contextmanager
def holding(
    held: Claim[M],
    *,
    now: datetime | None = None,
    lease: timedelta | None = None,
    options: Sequence[ExecutableOption] = (),
) -> Iterator[M | None]:
    """One unit of work on a claimed row, in its own transaction.

    Yields the row when the claim still holds, locked until commit, or ``None`` when another
    worker has taken it over. On PostgreSQL the row is read ``FOR UPDATE`` with the loader
    ``options`` (e.g. ``joinedload`` of what the unit reads, in the same round trip); the lease
    needs no renewal, since claimers skip locked rows and the unit ends by releasing the
    claim, or rolls back, which would undo a renewal too. On SQLite the lease is renewed
    with a conditional ``UPDATE … RETURNING`` (which takes the write lock) and ``options``
    are not used. The claim is released when the block ends normally; if it raises,
    everything is rolled back and the row stays claimed until the lease runs out.
    """
    model = held.model
    pk = _pk(model)
    lease = lease or configured_lease()
    with transaction():
        mine = (pk == held.id, model.claimed_by == held.token)
        if is_postgres():
            # One round trip: the row locked and read as it is now, with what ``options`` load.
            query = sa.select(model).where(*mine).options(*options).with_for_update(of=model)
            result = db.session.execute(query.execution_options(populate_existing=True))
            row = (result.unique() if options else result).scalar_one_or_none()
        else:
            row = db.session.execute(
                sa.update(model)
                .where(*mine)
                .values(claimed_until=(now or utcnow()) + lease)
                .returning(model)
                .execution_options(synchronize_session=False, populate_existing=True)
            ).scalar_one_or_none()
        if row is None:
            yield None
            return
        yield row
        row.claimed_by = None
        row.claimed_until = None


def finish_claimed(claims: Sequence[Claim[M]], values: Mapping[str, Any], *where: Any) -> set[Any]:
    """Finish several claimed rows in one statement of the caller's transaction: ``values``
    written and the claim released on the rows that still carry their claim and match
    ``where``; returns their primary keys (the others are left as they are).

    For work decided from what was read when the rows were claimed: ``where`` must then say
    that the row has not changed since (a version column), as a unit's lock would.
    """
    done: set[Any] = set()
    by_token: dict[tuple[type[Any], str], list[Any]] = {}
    for held in claims:
        by_token.setdefault((held.model, held.token), []).append(held.id)
    for (model, token), ids in by_token.items():
        pk = _pk(model)
        done.update(db.session.execute(
            sa.update(model)
            .where(pk.in_(ids), model.claimed_by == token, *where)
            .values(**values, claimed_by=None, claimed_until=None)
            .returning(pk)
            .execution_options(synchronize_session=False)
        ).scalars())
    return done


def sweep_rows(
    query: sa.Select[Any],
    work: Callable[[Any], None],
    *,
    now: datetime | None = None,
    limit: int | None = None,
    lease: timedelta | None = None,
    settle: Callable[[list[Claim[Any]]], set[Any]] | None = None,
    options: Sequence[ExecutableOption] = (),
) -> int:
    """Claim due rows in batches (``in_batches``), then call ``work(row)`` for each in its
    own transaction.

    ``settle(claims)``, when given, runs in the claiming transaction, where the claimed rows
    are still locked (``FOR UPDATE`` on PostgreSQL, the write lock on SQLite): it finishes at
    once the units that need nothing but a column written (``finish_claimed``) and returns
    their primary keys; ``work`` is called for the others. ``options`` go to ``holding``.

    A unit that raises is logged and rolled back (the row is retried once its lease
    expires); the others go on. Returns the number of units finished.
    """
    now = now or utcnow()
    lease = lease or configured_lease()

    def batch(size: int) -> tuple[int, int]:
        with transaction():
            claims = claim(query, size, now=now, lease=lease)
            settled = settle(claims) if settle and claims else set()
        done = len(settled)
        for held in claims:
            if held.id in settled:
                continue
            try:
                with holding(held, now=now, lease=lease, options=options) as row:
                    if row is None:
                        continue
                    work(row)
                    done += 1
            except Exception:
                log.exception("%s %s failed; it is retried after its lease", held.model.__name__, held.id)
        return len(claims), done

    return in_batches(batch, limit or configured_batch())


def _pk(model: type[Any]) -> Any:
    return model.__mapper__.primary_key[0]


def _token() -> str:
    return f"{socket.gethostname()[:50]}:{os.getpid()}:{uuid.uuid4().hex[:16]}"
