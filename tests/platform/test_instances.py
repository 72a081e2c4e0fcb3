"""Several instances on one PostgreSQL and one Redis: nothing lost, nothing done twice.

Two web instances (gunicorn) and two ``jobs run`` workers run as separate processes,
sharing the test database, a Redis job queue of their own and the Redis rate-limit
storage. Thirty requests go to deactivation through both web instances while one worker
is killed with SIGKILL; then every request is deactivated once, every change has one
audit record, the chain verifies, every webhook is delivered (a delivery the killed
worker had in flight may arrive twice) and the tracking limits count across instances.

Bounded in time: no cooling-off, a sweep every second, a 5-second lease (so the killed
worker's rows are free again after 5 s, its webhook deliveries after 10 s).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cancelsvc.requests.codes import new_tracking_code
from models import AuditRecord, CancellationRequest, DomainEvent, TimelineEntry, WebhookDelivery, db
from tests.conftest import REDIS_PREFIX, bearer, secrets_in
from tests.factories import WebhookSubscriptionFactory
from tests.requests.conftest import make_line

pytestmark = pytest.mark.postgres_only

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 30
START_SECONDS = 180  # four Python processes importing the app at once on a loaded machine
SETTLE_SECONDS = 180
PER_CODE = 5  # cancelsvc.tracking.service.PER_CODE: "5 per 15 minutes"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Instances:
    """The processes of the test; everything started is stopped at the end."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.processes: list[subprocess.Popen[bytes]] = []
        self.urls: list[str] = []
        self.workers: list[subprocess.Popen[bytes]] = []

    def _start(self, args: list[str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, env=self.env, stdout=out,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def web(self, log: Path) -> str:
        port = _free_port()
        self._start(["gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-control-socket",
                     "wsgi:app"], log)
        self.urls.append(f"http://127.0.0.1:{port}")
        return self.urls[-1]

    def worker(self, log: Path) -> subprocess.Popen[bytes]:
        self.workers.append(self._start(["flask", "--app", "wsgi", "jobs", "run", "--workers", "2"], log))
        return self.workers[-1]

    def wait_until_serving(self, deadline: float) -> None:
        for url in self.urls:
            while True:
                with contextlib.suppress(OSError):
                    with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                        if response.status == 200:
                            break
                assert time.monotonic() < deadline, f"{url} did not start"
                assert all(p.poll() is None for p in self.processes), "a process exited"
                time.sleep(0.5)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)


def call(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """One HTTP call; the status and the JSON body (or None)."""
    import json

    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture
def instances(base_config: dict[str, Any], redis_url: str, tmp_path: Path) -> Iterator[Instances]:
    # The queue name also prefixes the rate-limit keys: both are this run's, and deleted with
    # the other keys under REDIS_PREFIX at the end of the session.
    queue = f"{REDIS_PREFIX}_{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": base_config["DATABASE_URL"],
        "SECRET_KEY": base_config["SECRET_KEY"],
        "CANCELSVC_PII_KEY": base_config["CANCELSVC_PII_KEY"],
        "CANCELSVC_JWT_SECRET": base_config["CANCELSVC_JWT_SECRET"],
        "CANCELSVC_MODEL_DIR": base_config["CANCELSVC_MODEL_DIR"],
        "CANCELSVC_QUEUE_URL": redis_url,
        "CANCELSVC_QUEUE_NAME": queue,
        "CANCELSVC_RATELIMIT_STORAGE": redis_url,
        "CANCELSVC_COOLING_OFF_HOURS": "0",
        "CANCELSVC_JOBS_INTERVAL": "1",
        "CANCELSVC_JOBS_LEASE_SECONDS": "5",
        "CANCELSVC_LOG_FORMAT": "text",
        "CANCELSVC_LOG_LEVEL": "WARNING",
        "CANCELSVC_ENV": "production",
    }
    running = Instances(env)
    try:
        yield running
    finally:
        running.stop()


def _settle(check: Callable[[], bool], deadline: float, what: str) -> None:
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def _count(query: sa.Select[Any]) -> int:
    db.session.rollback()
    return int(db.session.execute(query).scalar_one())


def test_two_web_instances_and_two_workers_share_one_database_and_redis(
    app: Any, instances: Instances, receiver: Any, api_key: Callable[..., str], tmp_path: Path
) -> None:
    headers = bearer(api_key("precheck", "cancellations:write"))
    events = bearer(api_key("events:write"))
    WebhookSubscriptionFactory(url=receiver.url)
    lines = [make_line() for _ in range(REQUESTS)]
    msisdns = [line.msisdn for line in lines]
    db.session.commit()
    db.session.rollback()

    webs = [instances.web(tmp_path / f"web-{n}.log") for n in range(2)]
    doomed = instances.worker(tmp_path / "worker-0.log")
    instances.worker(tmp_path / "worker-1.log")
    instances.wait_until_serving(time.monotonic() + START_SECONDS)

    ids: list[str] = []
    killed_at = None
    for n, msisdn in enumerate(msisdns):
        web = webs[n % 2]
        status, precheck = call("POST", f"{web}/api/v1/prechecks",
                                {"account": msisdn, "channel": "app", "effective_date": "asap"}, headers)
        assert status == 201, precheck
        status, created = call("POST", f"{web}/api/v1/cancellations", {"precheck_id": precheck["id"]},
                               {**headers, "Idempotency-Key": f"instances-{n}"})
        assert status == 201, created
        ids.append(created["id"])
        status, answer = call("POST", f"{webs[(n + 1) % 2]}/api/v1/events",
                              {"event_id": f"identity-{n}", "type": "identity.verified",
                               "occurred_at": "2026-12-01T08:00:00+08:00", "cancellation_id": created["id"],
                               "data": {"method": "video"}}, events)
        assert status == 202 and answer["outcome"] == "applied", answer
        if n == REQUESTS // 2:
            # Mid-run: wait until the workers are deactivating, then kill one outright.
            _settle(lambda: _count(sa.select(sa.func.count()).where(CancellationRequest.state == "completed")) > 0,
                    time.monotonic() + SETTLE_SECONDS, "the first deactivation")
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(10)
            killed_at = time.monotonic()
    assert killed_at is not None

    deadline = time.monotonic() + SETTLE_SECONDS
    completed = sa.select(sa.func.count()).where(CancellationRequest.id.in_(ids),
                                                 CancellationRequest.state == "completed")
    _settle(lambda: _count(completed) == REQUESTS, deadline, "every request to be deactivated")
    undispatched = sa.select(sa.func.count()).select_from(DomainEvent).where(DomainEvent.dispatched_at.is_(None))

    def every_delivery_received() -> bool:
        """Every event dispatched, and every delivery made and received (read together: the
        last events of a request are dispatched while the first ones are delivered)."""
        if _count(undispatched):  # first: an event's deliveries are made as it is dispatched
            return False
        rows = db.session.execute(sa.select(WebhookDelivery.event_id, WebhookDelivery.status)).all()
        with receiver._lock:
            received = {headers_["X-Cancelsvc-Event-Id"] for headers_, _ in receiver.requests}
        return (bool(rows) and all(status == "delivered" for _, status in rows)
                and {event_id for event_id, _ in rows} == received)

    _settle(every_delivery_received, deadline, "every event dispatched and every webhook delivered")

    # Each request deactivated exactly once.
    db.session.rollback()
    deactivations = Counter(db.session.execute(
        sa.select(TimelineEntry.request_id).where(TimelineEntry.message == "deactivated")).scalars())
    assert deactivations == {rid: 1 for rid in ids}
    audited = Counter(db.session.execute(
        sa.select(AuditRecord.subject_id).where(AuditRecord.action == "cancellation.deactivated")).scalars())
    assert audited == {rid: 1 for rid in ids}
    # One audit record per change: a request's version counts its changes, from 1 at creation.
    versions = dict(db.session.execute(sa.select(CancellationRequest.id, CancellationRequest.version)).all())
    records = Counter(db.session.execute(
        sa.select(AuditRecord.subject_id).where(AuditRecord.subject_type == "cancellation")).scalars())
    assert records == versions
    verify = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "audit", "verify"], cwd=ROOT,
                            env=instances.env, capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0 and "audit chain OK" in verify.stdout, verify.stdout + verify.stderr

    # Every webhook delivered and received (settled above); at most one delivery (the killed
    # worker's in-flight one) twice.
    with receiver._lock:
        received = Counter(headers_["X-Cancelsvc-Event-Id"] for headers_, _ in receiver.requests)
    assert sum(received.values()) - len(received) <= 1, received.most_common(3)

    print(f"instances: {REQUESTS} requests deactivated once each, {sum(records.values())} audit records, "
          f"{len(received)} webhook deliveries, {sum(received.values())} POSTs received "
          f"({sum(received.values()) - len(received)} duplicate)")

    # The tracking limits count across both instances.
    code = new_tracking_code()
    statuses = [call("GET", f"{webs[n % 2]}/api/v1/track/{code}", headers={"X-Verify-Code": "0000"})[0]
                for n in range(PER_CODE + 2)]
    assert statuses == [404] * PER_CODE + [429, 429]

    # Nothing secret in any instance's log (the killed worker's included).
    for log in sorted(tmp_path.glob("*.log")):
        assert secrets_in(log.read_text(errors="replace")) == [], log.name
