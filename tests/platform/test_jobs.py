"""Sweepers, row claims and leases, ``tick`` and ``jobs tick``, and the Huey queue built from config."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from huey import RedisHuey, SqliteHuey

from cancelsvc.database import transaction
from cancelsvc.jobs import (
    DEFAULT_LEASE,
    claim,
    configured_lease,
    finish_claimed,
    holding,
    sweep_rows,
    sweeper,
    sweepers,
    tick,
)
from cancelsvc.jobs.queue import SweepConsumer, build_consumer, create_huey
from cancelsvc.outbox import publish
from cancelsvc.services import services
from cancelsvc.webhooks.delivery import LEASE_FACTOR
from models import DomainEvent, WebhookDelivery, db
from models.base import utcnow
from tests.factories import WebhookDeliveryFactory, WebhookSubscriptionFactory


def _due(now: Any) -> sa.Select[Any]:
    return (
        sa.select(WebhookDelivery)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
    )


def _deliveries(n: int, now: Any) -> list[str]:
    subscription = WebhookSubscriptionFactory()
    return [
        WebhookDeliveryFactory(subscription_id=subscription.id, next_attempt_at=now - timedelta(seconds=n - i)).id
        for i in range(n)
    ]


@pytest.fixture
def temporary_sweeper(app: Any) -> Iterator[Any]:
    names: list[str] = []

    def register(name: str, func: Any, order: int = 100) -> None:
        services().jobs.add(sweeper(name, order=order)(func))
        names.append(name)

    yield register
    for name in names:
        services().jobs.remove(name)


def test_claims_are_disjoint_and_in_order(app: Any) -> None:
    now = utcnow()
    ids = _deliveries(10, now)
    with transaction():
        first = claim(_due(now), 6, now=now)
    with transaction():
        second = claim(_due(now), 6, now=now)
    with transaction():
        third = claim(_due(now), 6, now=now)
    assert [c.id for c in first] == ids[:6]
    assert [c.id for c in second] == ids[6:]
    assert third == []
    assert first[0].token != second[0].token


def test_holding_works_on_the_row_and_releases_it(app: Any) -> None:
    now = utcnow()
    (row_id,) = _deliveries(1, now)
    with transaction():
        (held,) = claim(_due(now), now=now)
    with holding(held, now=now) as delivery:
        assert delivery is not None and delivery.id == row_id and delivery.claimed_by == held.token
        delivery.last_error = "worked on"
    db.session.expire_all()
    row = db.session.get(WebhookDelivery, row_id)
    assert row.last_error == "worked on" and row.claimed_by is None and row.claimed_until is None
    with holding(held, now=now) as again:  # the claim was released: it no longer holds
        assert again is None


def test_an_expired_lease_is_taken_over_and_the_old_holder_backs_off(app: Any) -> None:
    now = utcnow()
    _deliveries(3, now)
    with transaction():
        dead_worker = claim(_due(now), now=now)
    assert len(dead_worker) == 3
    with transaction():
        assert claim(_due(now), now=now + DEFAULT_LEASE - timedelta(seconds=1)) == []
    later = now + DEFAULT_LEASE + timedelta(seconds=1)
    with transaction():
        new_worker = claim(_due(later), now=later)
    assert [c.id for c in new_worker] == [c.id for c in dead_worker]
    with holding(dead_worker[0], now=later) as row:
        assert row is None  # it woke up too late: the row is someone else's now
    with holding(new_worker[0], now=later) as row:
        assert row is not None


def test_sweep_rows_isolates_a_failing_unit(app: Any, caplog: Any) -> None:
    now = utcnow()
    ids = _deliveries(3, now)
    touched: list[str] = []

    def work(delivery: WebhookDelivery) -> None:
        if delivery.id == ids[1]:
            raise RuntimeError("boom")
        delivery.last_error = "swept"
        touched.append(delivery.id)

    with caplog.at_level(logging.ERROR, logger="cancelsvc.jobs.claims"):
        assert sweep_rows(_due(now), work, now=now) == 2
    assert touched == [ids[0], ids[2]] and ids[1] in caplog.text
    db.session.expire_all()
    failed = db.session.get(WebhookDelivery, ids[1])
    assert failed.claimed_by is not None  # kept until its lease runs out, then retried
    assert sweep_rows(_due(now), work, now=now + DEFAULT_LEASE + timedelta(seconds=1)) == 2


def test_finish_claimed_writes_and_releases_only_rows_still_held(app: Any) -> None:
    now = utcnow()
    ids = _deliveries(3, now)
    with transaction():
        dead_worker = claim(_due(now), now=now)
    later = now + DEFAULT_LEASE + timedelta(seconds=1)
    with transaction():
        new_worker = claim(_due(later), 1, now=later)  # takes the first row over
    with transaction():
        done = finish_claimed(dead_worker, {"last_error": "settled"}, WebhookDelivery.id != ids[2])
    assert done == {ids[1]}  # not the row taken over, not the one ``where`` leaves out
    db.session.expire_all()
    rows = {i: db.session.get(WebhookDelivery, i) for i in ids}
    assert rows[ids[1]].last_error == "settled" and rows[ids[1]].claimed_by is None
    assert rows[ids[0]].last_error is None and rows[ids[0]].claimed_by == new_worker[0].token
    assert rows[ids[2]].last_error is None and rows[ids[2]].claimed_by == dead_worker[0].token


def test_sweep_rows_settles_some_units_in_the_claiming_transaction(app: Any) -> None:
    now = utcnow()
    ids = _deliveries(4, now)
    worked: list[str] = []

    def settle(claims: list[Any]) -> set[Any]:
        return finish_claimed([c for c in claims if c.id in ids[:2]], {"status": "delivered", "last_error": "settled"})

    def work(delivery: WebhookDelivery) -> None:
        delivery.status, delivery.last_error = "delivered", "worked"
        worked.append(delivery.id)

    assert sweep_rows(_due(now), work, now=now, limit=3, settle=settle) == 4
    assert worked == ids[2:]
    db.session.expire_all()
    rows = [db.session.get(WebhookDelivery, i) for i in ids]
    assert [r.last_error for r in rows] == ["settled", "settled", "worked", "worked"]
    assert all(r.claimed_by is None for r in rows)


DELIVERY_LEASE = DEFAULT_LEASE * LEASE_FACTOR


def test_a_delivery_whose_worker_died_is_picked_up_after_the_lease(app: Any, receiver: Any) -> None:
    now = utcnow()
    subscription = WebhookSubscriptionFactory(url=receiver.url)
    WebhookDeliveryFactory(subscription_id=subscription.id, next_attempt_at=now)
    with transaction():
        assert len(claim(_due(now), now=now, lease=DELIVERY_LEASE)) == 1  # ... and the worker dies
    assert tick(now + timedelta(minutes=1))["webhooks.deliver"] == 0
    assert receiver.requests == []
    assert tick(now + DELIVERY_LEASE + timedelta(seconds=1))["webhooks.deliver"] == 1
    assert len(receiver.requests) == 1


def test_an_event_whose_dispatcher_died_is_picked_up_after_the_lease(app: Any) -> None:
    now = utcnow()
    with transaction():
        publish("cancellation.created", "req-1", {})
    pending = sa.select(DomainEvent).where(DomainEvent.dispatched_at.is_(None))
    with transaction():
        assert len(claim(pending, now=now)) == 1
    assert tick(now + timedelta(minutes=1))["outbox.dispatch"] == 0
    assert tick(now + DEFAULT_LEASE + timedelta(seconds=1))["outbox.dispatch"] == 1


@pytest.mark.postgres_only
def test_concurrent_claimers_never_share_a_row(app: Any) -> None:
    now = utcnow()
    ids = _deliveries(60, now)
    workers = 6
    barrier = threading.Barrier(workers)
    taken: list[list[str]] = [[] for _ in range(workers)]
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            with app.app_context():
                barrier.wait()
                while True:
                    with transaction():
                        batch = claim(_due(now), 7, now=now)
                    if not batch:
                        return
                    taken[n].extend(c.id for c in batch)
        except BaseException as error:
            errors.append(error)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(30)
    assert errors == []
    everything = [row_id for batch in taken for row_id in batch]
    assert sorted(everything) == sorted(ids)  # each row exactly once
    assert sum(1 for batch in taken if batch) > 1  # the work was actually shared


def test_tick_runs_every_sweeper_in_order_and_reports_failures(app: Any, temporary_sweeper: Any) -> None:
    calls: list[str] = []
    temporary_sweeper("test.first", lambda now: calls.append("first") or 3, order=1)

    def broken(now: Any) -> int:
        raise RuntimeError("cannot sweep")

    temporary_sweeper("test.broken", broken, order=2)
    names = [s.name for s in sweepers()]
    assert names[:2] == ["test.first", "test.broken"]
    assert names.index("outbox.dispatch") < names.index("webhooks.deliver")
    report = tick()
    assert report["test.first"] == 3 and calls == ["first"]
    assert report.errors == {"test.broken": "RuntimeError"} and not report.ok
    assert {"outbox.dispatch", "webhooks.deliver", "idempotency.expire"} <= set(report.done)


def test_a_sweeper_name_cannot_be_taken_twice(app: Any, temporary_sweeper: Any) -> None:
    def one(now: Any) -> int:
        return 0

    def another(now: Any) -> int:
        return 1

    temporary_sweeper("test.once", one)
    temporary_sweeper("test.once", one)  # registering the same function again is harmless
    with pytest.raises(ValueError, match="already registered"):
        services().jobs.add(sweeper("test.once")(another))


def test_jobs_tick_cli_prints_what_each_sweeper_did(app: Any, runner: Any, receiver: Any) -> None:
    WebhookSubscriptionFactory(url=receiver.url)
    with transaction():
        publish("cancellation.created", "req-1", {})
        publish("cancellation.state_changed", "req-1", {"state": "ready"})
    result = runner.invoke(args=["jobs", "tick"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "outbox.dispatch: 2" in lines and "webhooks.deliver: 2" in lines and "idempotency.expire: 0" in lines
    assert len(receiver.requests) == 2


def test_jobs_tick_cli_fails_when_a_sweeper_fails(app: Any, runner: Any, temporary_sweeper: Any) -> None:
    def broken(now: Any) -> int:
        raise RuntimeError("cannot sweep")

    temporary_sweeper("test.broken", broken)
    result = runner.invoke(args=["jobs", "tick"])
    assert result.exit_code == 1 and "test.broken: failed (RuntimeError" in result.output


def test_the_queue_defaults_to_sqlite_in_the_instance_folder(make_app: Any, tmp_path: Path) -> None:
    app = make_app()
    app.instance_path = str(tmp_path / "instance")
    huey = create_huey(app)
    assert isinstance(huey, SqliteHuey) and not huey.immediate
    assert huey.storage.filename == str(tmp_path / "instance" / "jobs.db")
    assert huey.name == "cancelsvc"


def test_the_queue_follows_the_queue_url(make_app: Any, tmp_path: Path) -> None:
    redis_app = make_app(CANCELSVC_QUEUE_URL="redis://127.0.0.1:6379/15", CANCELSVC_QUEUE_NAME="other_queue")
    huey = create_huey(redis_app)
    assert isinstance(huey, RedisHuey) and not huey.immediate and huey.name == "other_queue"
    sqlite_app = make_app(CANCELSVC_QUEUE_URL=f"sqlite:///{tmp_path}/queue.db")
    assert create_huey(sqlite_app).storage.filename == f"{tmp_path}/queue.db"


def test_the_consumer_sweeps_every_interval_with_threads(make_app: Any, tmp_path: Path) -> None:
    app = make_app(CANCELSVC_QUEUE_URL=f"sqlite:///{tmp_path}/queue.db")
    huey = create_huey(app)
    consumer = build_consumer(app, huey, workers=3, interval=2)
    assert isinstance(consumer, SweepConsumer) and consumer.workers == 3
    assert consumer.scheduler_interval == 1 and consumer.scheduler_class.periodic_task_seconds == 60
    assert consumer._create_scheduler().periodic_task_seconds == 2
    periodic = {task.name for task in huey._registry.periodic_tasks}
    assert {f"sweep.{s.name}" for s in services(app).jobs.sweepers()} <= periodic


def test_jobs_settings_have_defaults_and_are_validated() -> None:
    from cancelsvc.config import ConfigError, Settings

    defaults = Settings.load({})
    assert defaults.CANCELSVC_JOBS_INTERVAL == 5 and defaults.CANCELSVC_QUEUE_NAME == "cancelsvc"
    assert Settings.load({"CANCELSVC_JOBS_INTERVAL": "2"}).CANCELSVC_JOBS_INTERVAL == 2
    for name, value in [
        ("CANCELSVC_JOBS_INTERVAL", "0"),
        ("CANCELSVC_JOBS_INTERVAL", "61"),
        ("CANCELSVC_JOBS_INTERVAL", "soon"),
        ("CANCELSVC_QUEUE_NAME", "has space"),
        ("CANCELSVC_QUEUE_NAME", "x" * 65),
    ]:
        with pytest.raises(ConfigError, match=name):
            Settings.load({name: value})


@pytest.mark.parametrize(("seconds", "expected"), [(None, DEFAULT_LEASE), (20, timedelta(seconds=20))])
def test_the_lease_is_configured(make_app: Any, seconds: int | None, expected: timedelta) -> None:
    app = make_app(**({"CANCELSVC_JOBS_LEASE_SECONDS": seconds} if seconds else {}))
    with app.app_context():
        assert configured_lease() == expected and configured_lease(LEASE_FACTOR) == expected * 2
    assert DELIVERY_LEASE == timedelta(minutes=10)


def test_a_short_lease_frees_a_dead_workers_rows_sooner(make_app: Any, receiver: Any) -> None:
    app = make_app(CANCELSVC_JOBS_LEASE_SECONDS=20)
    with app.app_context():
        now = utcnow()
        subscription = WebhookSubscriptionFactory(url=receiver.url)
        WebhookDeliveryFactory(subscription_id=subscription.id, next_attempt_at=now)
        with transaction():
            assert len(claim(_due(now), now=now)) == 1  # ... and the worker dies
        assert tick(now + timedelta(seconds=19))["webhooks.deliver"] == 0
        assert tick(now + timedelta(seconds=21))["webhooks.deliver"] == 1
        assert len(receiver.requests) == 1


def test_a_sweep_claims_batch_after_batch_until_nothing_is_due(make_app: Any, receiver: Any,
                                                               monkeypatch: Any) -> None:
    from cancelsvc.webhooks import delivery

    app = make_app(CANCELSVC_JOBS_BATCH=3)
    sizes: list[int] = []
    real_claim = delivery.claim

    def counting_claim(query: Any, limit: int, **options: Any) -> Any:
        claimed = real_claim(query, limit, **options)
        sizes.append(len(claimed))
        return claimed

    monkeypatch.setattr(delivery, "claim", counting_claim)
    with app.app_context():
        now = utcnow()
        subscription = WebhookSubscriptionFactory(url=receiver.url)
        for i in range(10):
            WebhookDeliveryFactory(subscription_id=subscription.id, next_attempt_at=now - timedelta(seconds=i))
        assert tick(now)["webhooks.deliver"] == 10
        assert sizes == [3, 3, 3, 1]  # a partial batch: nothing more was due
        assert len(receiver.requests) == 10
        assert db.session.execute(sa.select(sa.func.count()).select_from(WebhookDelivery)
                                  .where(WebhookDelivery.status == "delivered")).scalar_one() == 10


def test_sweep_rows_goes_on_past_a_failing_unit_and_does_not_claim_it_again(app: Any, monkeypatch: Any) -> None:
    from cancelsvc.jobs import claims

    now = utcnow()
    ids = _deliveries(7, now)
    seen: list[str] = []

    def work(delivery: WebhookDelivery) -> None:
        seen.append(delivery.id)
        if delivery.id == ids[0]:
            raise RuntimeError("boom")
        delivery.status = "delivered"

    calls: list[int] = []
    real_claim = claims.claim
    monkeypatch.setattr(claims, "claim", lambda *a, **k: calls.append(1) or real_claim(*a, **k))
    assert sweep_rows(_due(now), work, now=now, limit=2) == 6
    assert seen == ids and len(calls) == 4  # 2 + 2 + 2 + 1; the failed row keeps its claim


def test_a_sweep_stops_claiming_when_its_time_is_up(app: Any, monkeypatch: Any) -> None:
    from cancelsvc.jobs import claims

    now = utcnow()
    _deliveries(5, now)
    monkeypatch.setattr(claims, "SWEEP_SECONDS", 0.0)

    def work(delivery: WebhookDelivery) -> None:
        delivery.status = "delivered"

    assert sweep_rows(_due(now), work, now=now, limit=2) == 2  # one batch; the next sweep goes on
    assert sweep_rows(_due(now), work, now=now, limit=2) == 2


def test_a_full_batch_that_finishes_nothing_ends_the_sweep() -> None:
    from cancelsvc.jobs import in_batches

    calls: list[int] = []

    def waiting(size: int) -> tuple[int, int]:
        calls.append(size)
        return size, 0  # every row claimed waits (e.g. behind a failed event of its subject)

    assert in_batches(waiting, 5) == 0 and calls == [5]


def test_the_batch_size_setting(make_app: Any) -> None:
    from cancelsvc.config import ConfigError, Settings
    from cancelsvc.jobs import configured_batch

    with make_app().app_context():
        assert configured_batch() == 100 and configured_batch(500) == 500
    with make_app(CANCELSVC_JOBS_BATCH=7).app_context():
        assert configured_batch() == 7 and configured_batch(500) == 7
    assert configured_batch(42) == 42  # outside an application
    for value in ("0", "10001", "many"):
        with pytest.raises(ConfigError, match="CANCELSVC_JOBS_BATCH"):
            Settings.load({"CANCELSVC_JOBS_BATCH": value})


def _claim_queries(app: Any) -> list[tuple[str, Any]]:
    """The batch queries (``LIMIT``) every sweeper runs in one ``tick`` with nothing due."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "LIMIT" in statement.upper():
            seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert tick(utcnow()).ok
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return seen


def test_every_sweeper_finds_due_work_through_an_index(app: Any) -> None:
    """No sweep reads a whole table: each batch query is answered from a due-time index."""
    queries = _claim_queries(app)
    tables = {table for table in ("cancellation_requests", "domain_events", "webhook_deliveries", "messages",
                                  "inbound_sms", "idempotency_records")
              if any(f"FROM {table}" in statement for statement, _ in queries)}
    assert tables == {"cancellation_requests", "domain_events", "webhook_deliveries", "messages", "inbound_sms",
                      "idempotency_records"}
    connection = db.session.connection().connection.dbapi_connection
    postgres = db.engine.dialect.name == "postgresql"
    cursor = connection.cursor()
    if postgres:
        cursor.execute("SET LOCAL enable_seqscan = off")  # with an index the planner has a choice; without, not
    for statement, parameters in queries:
        cursor.execute(("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + statement, parameters)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        if postgres:
            assert "Seq Scan" not in plan, f"{statement}\n{plan}"
        else:
            assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, f"{statement}\n{plan}"
    cursor.close()
    db.session.rollback()
