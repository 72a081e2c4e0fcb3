"""``flask --app wsgi jobs run`` as a real process: it delivers a due webhook and stops on SIGTERM.

Once on Redis (``CANCELSVC_QUEUE_URL``) and once on the default SQLite queue in
``instance/jobs.db``; each run uses a queue name of its own (under ``REDIS_PREFIX``) so parallel test runs do
not take each other's tasks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from huey import RedisHuey, SqliteHuey

from cancelsvc.database import transaction
from cancelsvc.outbox import publish
from models import WebhookDelivery, db
from tests.conftest import REDIS_PREFIX
from tests.factories import WebhookSubscriptionFactory

ROOT = Path(__file__).resolve().parents[2]
# An upper bound only (the test returns on delivery): a busy CI machine starts Python slowly
# (importing the app alone can take 15 s on a loaded machine).
DEADLINE_SECONDS = 60
STOP_SECONDS = 45  # SIGTERM lets sweeps in flight finish, up to 30 s


def _start(base_config: dict[str, Any], queue_name: str, queue_url: str | None) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": base_config["DATABASE_URL"],
        "SECRET_KEY": "test-secret-key",
        "CANCELSVC_PII_KEY": "test-pii-key",
        "CANCELSVC_LOG_FORMAT": "text",
        "CANCELSVC_LOG_LEVEL": "INFO",
        "CANCELSVC_JOBS_INTERVAL": "1",
        "CANCELSVC_QUEUE_NAME": queue_name,
    }
    env.pop("CANCELSVC_QUEUE_URL", None)
    if queue_url:
        env["CANCELSVC_QUEUE_URL"] = queue_url
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _delivered(delivery_id: str) -> bool:
    db.session.rollback()
    status = db.session.scalar(sa.select(WebhookDelivery.status).where(WebhookDelivery.id == delivery_id))
    return status == "delivered"


def _run_until_delivered(base_config: dict[str, Any], receiver: Any, queue_name: str, queue_url: str | None) -> str:
    WebhookSubscriptionFactory(url=receiver.url)
    with transaction():
        event_id = publish("cancellation.created", "req-1", {"state": "in_progress"}).id
    process = _start(base_config, queue_name, queue_url)
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        delivery_id = None
        while time.monotonic() < deadline and process.poll() is None:
            db.session.rollback()
            delivery_id = db.session.scalar(sa.select(WebhookDelivery.id).where(WebhookDelivery.event_id == event_id))
            if delivery_id and _delivered(delivery_id):
                break
            time.sleep(0.2)
        assert delivery_id is not None and _delivered(delivery_id), "the worker did not deliver in time"
        assert len(receiver.requests) == 1
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=STOP_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    return output


def test_jobs_run_on_redis(app: Any, base_config: dict[str, Any], receiver: Any, redis_url: str) -> None:
    name = f"{REDIS_PREFIX}_{uuid.uuid4().hex[:12]}"
    try:
        output = _run_until_delivered(base_config, receiver, name, redis_url)
        assert "Redis" in output
    finally:
        RedisHuey(name, url=redis_url).flush()


def test_jobs_run_on_the_default_sqlite_queue(app: Any, base_config: dict[str, Any], receiver: Any) -> None:
    name = f"{REDIS_PREFIX}_{uuid.uuid4().hex[:12]}"
    queue_file = Path(app.instance_path) / "jobs.db"
    try:
        output = _run_until_delivered(base_config, receiver, name, None)
        assert str(queue_file) in output and queue_file.exists()
    finally:
        if queue_file.exists():
            SqliteHuey(name, filename=str(queue_file)).flush()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_jobs_run_stops_cleanly(app: Any, base_config: dict[str, Any], tmp_path: Path, signum: int) -> None:
    process = _start(base_config, f"test_{uuid.uuid4().hex[:12]}", f"sqlite:///{tmp_path}/queue.db")
    try:
        # Signal only once the consumer runs (start-up is slow on a loaded machine).
        started = []
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            line = process.stdout.readline()  # type: ignore[union-attr]
            started.append(line)
            if line.startswith("jobs: sweeping every"):
                break
        time.sleep(0.5)
        assert process.poll() is None, "".join(started)
        process.send_signal(signum)
        output, _ = process.communicate(timeout=STOP_SECONDS)
        output = "".join(started) + output
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    assert "Consumer exiting" in output
