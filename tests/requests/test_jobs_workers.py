"""Two ``flask jobs run`` processes share the deactivations due, in small batches, within the interval.

PostgreSQL: several workers are how it is deployed (on SQLite one ``jobs run`` serves one machine).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from models import AuditRecord, CancellationRequest, DomainEvent, TimelineEntry, db
from tests.requests.conftest import Api, make_line

ROOT = Path(__file__).resolve().parents[2]
#: Importing the application can take 15 s on a loaded machine: only the start-up waits this long.
START_SECONDS = 90
#: Ready requests are deactivated within this long of becoming due (the interval is 1 s).
WITHIN_SECONDS = 20
STOP_SECONDS = 45


def _worker(base_config: dict[str, Any], queue_url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": base_config["DATABASE_URL"], "SECRET_KEY": "test-secret-key",
           "CANCELSVC_PII_KEY": "test-pii-key", "CANCELSVC_LOG_FORMAT": "text", "CANCELSVC_LOG_LEVEL": "WARNING",
           "CANCELSVC_QUEUE_URL": queue_url, "CANCELSVC_QUEUE_NAME": "workers_test", "CANCELSVC_JOBS_BATCH": "2",
           "CANCELSVC_MESSAGES_SINK": str(Path(queue_url.removeprefix("sqlite:///")).parent / "messages.txt")}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run", "--workers", "2",
                             "--interval", "1"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def _count(statement: Any) -> int:
    db.session.rollback()
    return int(db.session.execute(statement).scalar_one())


def _wait(condition: Any, seconds: float, workers: list[subprocess.Popen[bytes]]) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        assert all(w.poll() is None for w in workers), "a jobs worker exited"
        time.sleep(0.2)
    return bool(condition())


@pytest.mark.postgres_only
@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=0)
def test_two_workers_deactivate_what_is_due_within_the_interval_once(
        app: Any, api: Api, base_config: dict[str, Any], tmp_path: Path) -> None:
    ids = [api.open_request(make_line())["id"] for _ in range(7)]
    workers = [_worker(base_config, f"sqlite:///{tmp_path / 'queue.db'}") for _ in range(2)]
    try:
        # Both are sweeping once the submissions' events have been dispatched.
        pending = sa.select(sa.func.count()).select_from(DomainEvent).where(DomainEvent.dispatched_at.is_(None))
        assert _wait(lambda: _count(pending) == 0, START_SECONDS, workers), "the workers did not start"
        for rid in ids:
            api.applied(rid, "identity.verified", {"method": "video"})  # ready, and due at once
        due_at = time.monotonic()
        completed = (sa.select(sa.func.count()).select_from(CancellationRequest)
                     .where(CancellationRequest.state == "completed"))
        assert _wait(lambda: _count(completed) == len(ids), WITHIN_SECONDS, workers), (
            f"{_count(completed)} of {len(ids)} deactivated after {time.monotonic() - due_at:.0f} s")
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
    for subject, column, value in ((TimelineEntry.request_id, TimelineEntry.message, "deactivated"),
                                   (AuditRecord.subject_id, AuditRecord.action, "cancellation.deactivated")):
        db.session.rollback()
        counts = dict(db.session.execute(sa.select(subject, sa.func.count()).where(column == value)
                                         .group_by(subject)).all())
        assert counts == {rid: 1 for rid in ids}
