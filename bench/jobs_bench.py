"""Scheduled jobs at scale on PostgreSQL: one ``jobs tick`` pass with 100 000 open requests, and
the delay from due to deactivated while ``jobs run`` runs.

Usage: python bench/jobs_bench.py --database-url postgresql+psycopg://…/<name with bench>
           [--open 100000] [--due 100] [--checks 300] [--delayed 300] [--spread 120]
           [--processes 2] [--threads 2] [--interval 5] [--queue-url URL]

1. Fills the database (its ``public`` schema is dropped and recreated; only databases named
   ``*bench*`` are accepted): two template requests made through the API (a pre-check and a
   submission each; one made ready by ``identity.verified``), then ``--open`` open requests
   cloned from them set-based on the server (``INSERT … SELECT … generate_series``), each with
   its own customer, account and checklist, a webhook subscription to a local receiver, and
   the messages going to a sink file.
2. An idle tick: nothing due among the open requests.
3. A busy tick: ``--due`` ready requests due for deactivation, ``--checks`` requests in
   progress due for an SLA check and marked for the late-step sweep; every sweeper runs once in
   ``jobs tick``'s order: the deactivations, the events they publish, the webhooks and the
   messages those schedule. Then a second tick (what the first one queued for later).
   Each tick prints every sweeper's time and units and the process's RSS before and after.
4. ``--delayed`` ready requests made due at times spread over ``--spread`` seconds, while
   ``--processes`` ``flask jobs run --workers --threads`` processes run (sharing one queue);
   the script polls every 0.5 s and prints p50 / p95 / max of the delay from due to
   deactivated (when the script first saw it), and checks that each request was deactivated
   once (one timeline note, one audit record).

Targets (issue 14): a tick with 100 000 open requests <= 10 s; p95 delay <= 60 s.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import datetime as dt
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import (  # noqa: E402
    ROOT,
    analyze,
    bench_config,
    check_bench_database,
    clone_rows,
    insert_series,
    padded,
    reset_schema,
)

TARGET_TICK_SECONDS = 10.0
TARGET_DELAY_SECONDS = 60.0
SCOPES = ("precheck", "cancellations:read", "cancellations:write", "events:write")
EVENT_TYPES = ["cancellation.created", "cancellation.state_changed", "cancellation.node_changed"]


def rss_mb(pid: int | str = "self") -> tuple[float, float]:
    """Resident and peak resident memory of a process in MB (Linux ``/proc``)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver that accepts everything."""

    received = 0

    def do_POST(self) -> None:  # noqa: N802 - the http.server hook
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Receiver.received += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def request_id(db: Any) -> str:
    return "'00000000-0000-4000-8000-' || " + padded(db, "g", 12)


def templates(app: Any, receiver_url: str) -> tuple[str, str]:
    """Two requests made through the API: one in progress, one ready."""
    from cancelsvc.auth.keys import create_key
    from models import Account, Customer, WebhookSubscription, db

    with app.app_context():
        reset_schema(db)
        for n in (1, 2):
            customer = Customer(external_id=f"T-{n}", name="张伟", segment="regular", timezone="Asia/Shanghai",
                                phone=f"+861390000000{n}")
            db.session.add(Account(msisdn=f"+861370000000{n}", customer=customer, holds=[], store_code="HZ-001"))
        db.session.add(WebhookSubscription(url=receiver_url, secret="bench-secret", event_types=EVENT_TYPES))
        _, key = create_key("bench", SCOPES)
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    ids = []
    for n in (1, 2):
        response = client.post("/api/v1/prechecks", json={"account": f"+861370000000{n}", "channel": "app"},
                               headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)
        response = client.post("/api/v1/cancellations", json={"precheck_id": response.json["id"]},
                               headers={**headers, "Idempotency-Key": f"jobs-bench-{n}"})
        assert response.status_code == 201, response.get_data(as_text=True)
        ids.append(response.json["id"])
    response = client.post("/api/v1/events", headers=headers, json={
        "event_id": "jobs-bench-ready", "type": "identity.verified", "cancellation_id": ids[1],
        "occurred_at": dt.datetime.now(dt.UTC).isoformat(), "data": {"method": "video"}})
    assert response.status_code == 202, response.get_data(as_text=True)
    with app.app_context():
        from cancelsvc.jobs import tick

        tick()  # the templates' own events and messages, out of the way
    return ids[0], ids[1]


def fill(app: Any, args: argparse.Namespace, in_progress: str, ready: str) -> None:
    """``--open`` requests: the in-progress ones first, then ``--due``, ``--delayed`` ready ones."""
    from models import db

    now = dt.datetime.now(dt.UTC)
    total = args.open
    first_ready = total - args.due - args.delayed + 1
    with app.app_context():
        started = time.perf_counter()
        # Customers and accounts from 1000 on (the templates' own ids are small).
        insert_series(db, "customers", 1000, 1000 + total, {
            "id": "g", "external_id": "'J-' || g", "name": "'用户'", "locale": "'zh-CN'", "segment": "'regular'",
            "timezone": "'Asia/Shanghai'", "phone": "'+86139' || " + padded(db, "g", 8),
            "created_at": ":now", "updated_at": ":now"}, now=now)
        insert_series(db, "accounts", 1000, 1000 + total, {
            "id": "g", "customer_id": "g", "msisdn": "'+86137' || " + padded(db, "g", 8), "status": "'active'",
            "plan_monthly_fee": "0", "unbilled_amount": "0", "prepaid_credit": "0", "loyalty_points": "0",
            "holds": "'[]'", "store_code": "'HZ-001'", "created_at": ":now", "updated_at": ":now"}, now=now)
        common = {"id": request_id(db), "tracking_code": "'J' || " + padded(db, "g", 11), "account_id": "g",
                  "open_account_id": "g", "customer_id": "g", "claimed_by": "NULL", "claimed_until": "NULL"}
        # In progress: cooling-off and SLA checks spread over the next three days (none due now).
        clone_rows(db, "cancellation_requests", 1000, 1000 + first_ready - 1, "t.id = :template", {
            **common, "next_check_at": ":later + (g % 259200) * interval '1 second'",
            "withdraw_until": ":later + (g % 259200) * interval '1 second'"},
            template=in_progress, later=now + dt.timedelta(hours=1))
        # Ready: due tomorrow for now (the busy tick and the delay phase move them).
        clone_rows(db, "cancellation_requests", 1000 + first_ready - 1, 1000 + total, "t.id = :template", {
            **common, "next_check_at": ":tomorrow", "withdraw_until": ":tomorrow",
            "effective_date": ":yesterday"},
            template=ready, tomorrow=now + dt.timedelta(days=1), yesterday=(now - dt.timedelta(days=1)).date())
        for template, lo, hi in ((in_progress, 1000, 1000 + first_ready - 1), (ready, 1000 + first_ready - 1,
                                                                               1000 + total)):
            item_ids = db.session.execute(sa.text("SELECT id FROM checklist_entries WHERE request_id = :r"),
                                          {"r": template}).scalars().all()
            for item in item_ids:
                clone_rows(db, "checklist_entries", lo, hi, "t.id = :item", {"request_id": request_id(db)},
                           item=item)
        db.session.commit()
        filled = time.perf_counter() - started
        analyze(db)
        count = db.session.execute(sa.text(
            "SELECT count(*) FROM cancellation_requests WHERE state IN ('in_progress', 'ready')")).scalar_one()
        print(f"filled {count:,} open requests ({args.due:,} + {args.delayed:,} of them ready) with their customers,"
              f" accounts and checklists in {filled:.1f} s (+ VACUUM ANALYZE {time.perf_counter() - started - filled:.1f}"
              " s)", flush=True)


def ids_between(lo: int, hi: int) -> str:
    return f"(SELECT '00000000-0000-4000-8000-' || lpad(g::text, 12, '0') FROM generate_series({lo}, {hi - 1}) g)"


class Statements:
    """Counts the SQL statements the process sends (``before_cursor_execute``)."""

    def __init__(self, engine: Any) -> None:
        self.count = 0
        self.kinds: collections.Counter[str] = collections.Counter()
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        self.count += 1
        self.kinds[" ".join(statement.split())[:110]] += 1


def one_tick(app: Any, label: str, profile: str | None = None) -> float:
    """Every sweeper once, in ``jobs tick``'s order, timed; returns the total seconds.

    With ``profile``, the tick runs under cProfile and its statistics are written there.
    """
    from cancelsvc.jobs import run_sweeper, sweepers
    from models import db

    profiler = cProfile.Profile() if profile else None
    with app.app_context():
        statements = app.extensions.setdefault("jobs_bench_statements", Statements(db.engine))
        before = rss_mb()
        statements.kinds.clear()
        now = dt.datetime.now(dt.UTC)
        print(f"  {label} (RSS {before[0]:.0f} MB)", flush=True)
        total = cpu_total = 0.0
        sent_total = 0
        for entry in sweepers():
            started, cpu, sent = time.perf_counter(), time.process_time(), statements.count
            if profiler:
                profiler.enable()
            done = run_sweeper(entry.name, now)
            if profiler:
                profiler.disable()
            took, cpu = time.perf_counter() - started, time.process_time() - cpu
            sent = statements.count - sent
            total += took
            cpu_total += cpu
            sent_total += sent
            print(f"    {entry.name:<24} {done:6,} units {took:8.2f} s   (CPU {cpu:6.2f} s)  {sent:6,} statements",
                  flush=True)
        after = rss_mb()
        verdict = "met" if total <= TARGET_TICK_SECONDS else "MISSED"
        if profiler and profile:
            profiler.dump_stats(profile)
            for text, count in statements.kinds.most_common(40):
                print(f"      {count:6,}  {text}", flush=True)
        print(f"    {'total':<24} {'':6} {'':6} {total:8.2f} s   (CPU {cpu_total:6.2f} s)  {sent_total:6,} statements;"
              f" target <= "
              f"{TARGET_TICK_SECONDS:.0f} s: {verdict}; RSS {before[0]:.0f} -> {after[0]:.0f} MB"
              f" (peak {after[1]:.0f} MB)", flush=True)
        return total


def busy(app: Any, args: argparse.Namespace) -> None:
    """Make ``--due`` ready requests due and ``--checks`` in-progress ones due for a check."""
    from models import db

    first_ready = 1000 + args.open - args.due - args.delayed
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        db.session.execute(sa.text(
            f"UPDATE cancellation_requests SET next_check_at = :due, withdraw_until = :due "
            f"WHERE id IN {ids_between(first_ready, first_ready + args.due)}"), {"due": now - dt.timedelta(minutes=1)})
        db.session.execute(sa.text(
            f"UPDATE cancellation_requests SET next_check_at = :due, late_check_at = :due "
            f"WHERE id IN {ids_between(1000, 1000 + args.checks)}"), {"due": now - dt.timedelta(minutes=1)})
        db.session.commit()


def service_env(url: str, workdir: Path, args: argparse.Namespace) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "CANCELSVC_PII_KEY": "bench",
           "CANCELSVC_LOG_LEVEL": "WARNING", "CANCELSVC_QUIET_HOURS": "",
           "CANCELSVC_MESSAGES_SINK": str(workdir / "messages.txt"),
           "CANCELSVC_MODEL_DIR": str(workdir / "model"),
           "CANCELSVC_QUEUE_URL": args.queue_url or f"sqlite:///{workdir / 'queue.db'}",
           "CANCELSVC_QUEUE_NAME": "jobs_bench"}
    return env


def delays(app: Any, args: argparse.Namespace, url: str, workdir: Path) -> None:
    """``--delayed`` requests due at spread times while ``jobs run`` processes run."""
    from models import db

    first = 1000 + args.open - args.delayed
    start = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=args.lead)
    step = args.spread / max(args.delayed - 1, 1)
    with app.app_context():
        db.session.execute(sa.text(
            f"UPDATE cancellation_requests SET next_check_at = :start + (g - :first) * :step * interval '1 second', "
            f"withdraw_until = :start + (g - :first) * :step * interval '1 second' "
            f"FROM generate_series({first}, {first + args.delayed - 1}) g "
            f"WHERE id = '00000000-0000-4000-8000-' || lpad(g::text, 12, '0')"),
            {"start": start, "first": first, "step": step})
        db.session.commit()
        due = dict(db.session.execute(sa.text(
            f"SELECT id, withdraw_until FROM cancellation_requests WHERE id IN {ids_between(first, first + args.delayed)}"
        )).all())
    env = service_env(url, workdir, args)
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run", "--workers", str(args.threads),
               "--interval", str(args.interval)]
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=open(workdir / f"jobs-{n}.log", "w"), start_new_session=True)
                 for n in range(args.processes)]
    print(f"  {args.processes} x `flask jobs run --workers {args.threads} --interval {args.interval}`; "
          f"{args.delayed:,} requests due from {start:%H:%M:%S} over {args.spread} s", flush=True)
    seen: dict[str, dt.datetime] = {}
    memory: dict[int, list[float]] = {p.pid: [] for p in processes}
    deadline = time.monotonic() + args.lead + args.spread + args.timeout
    try:
        with app.app_context():
            while len(seen) < len(due) and time.monotonic() < deadline:
                time.sleep(0.5)
                now = dt.datetime.now(dt.UTC)
                done = db.session.execute(sa.text(
                    f"SELECT id FROM cancellation_requests WHERE state = 'completed' "
                    f"AND id IN {ids_between(first, first + args.delayed)}")).scalars().all()
                db.session.rollback()
                for rid in done:
                    seen.setdefault(rid, now)
                for process in processes:
                    if process.poll() is not None:
                        raise RuntimeError(f"jobs run exited with {process.returncode}; see {workdir}")
                    memory[process.pid].append(rss_mb(process.pid)[0])
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    waits = sorted((seen[rid] - due[rid]).total_seconds() for rid in seen)
    missing = len(due) - len(seen)
    with app.app_context():
        once = db.session.execute(sa.text(
            f"SELECT count(*) FILTER (WHERE n = 1), count(*) FILTER (WHERE n > 1) FROM ("
            f"SELECT request_id, count(*) n FROM timeline_entries WHERE message = 'deactivated' "
            f"AND request_id IN {ids_between(first, first + args.delayed)} GROUP BY request_id) x")).one()
        audits = db.session.execute(sa.text(
            f"SELECT count(*) FROM audit_records WHERE action = 'cancellation.deactivated' "
            f"AND subject_id IN {ids_between(first, first + args.delayed)}")).scalar_one()
    if not waits:
        print("    nothing was deactivated", flush=True)
        return
    p95 = waits[max(int(len(waits) * 0.95) - 1, 0)]
    verdict = "met" if p95 <= TARGET_DELAY_SECONDS and not missing else "MISSED"
    print(f"    delay from due to deactivated: p50 {statistics.median(waits):.1f} s  p95 {p95:.1f} s  "
          f"max {waits[-1]:.1f} s  ({len(waits):,} deactivated, {missing} not)   target p95 <= "
          f"{TARGET_DELAY_SECONDS:.0f} s: {verdict}", flush=True)
    print(f"    deactivated once: {once[0]:,} requests (twice or more: {once[1]}); "
          f"audit records {audits:,}", flush=True)
    for pid, samples in memory.items():
        if samples:
            print(f"    jobs run {pid}: RSS {samples[0]:.0f} -> {samples[-1]:.0f} MB (max {max(samples):.0f} MB)",
                  flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL; its name must contain 'bench'")
    parser.add_argument("--open", type=int, default=100_000, help="open requests in the database")
    parser.add_argument("--due", type=int, default=100, help="ready requests due at the busy tick")
    parser.add_argument("--checks", type=int, default=300, help="in-progress requests due for a check then")
    parser.add_argument("--delayed", type=int, default=300, help="requests made due while jobs run runs")
    parser.add_argument("--spread", type=int, default=120, help="seconds over which they become due")
    parser.add_argument("--lead", type=int, default=15, help="seconds before the first is due (start-up)")
    parser.add_argument("--timeout", type=int, default=240, help="seconds to wait after the last is due")
    parser.add_argument("--processes", type=int, default=2, help="jobs run processes")
    parser.add_argument("--threads", type=int, default=2, help="jobs run --workers (threads per process)")
    parser.add_argument("--interval", type=int, default=5, help="jobs run --interval")
    parser.add_argument("--queue-url", default=None, help="shared queue (default: a SQLite file)")
    parser.add_argument("--skip-run", action="store_true", help="only the ticks")
    parser.add_argument("--profile", metavar="FILE", help="write the busy tick's cProfile statistics to FILE")
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        sys.exit("this benchmark runs on PostgreSQL: pass --database-url postgresql+psycopg://…")
    if args.due + args.delayed + args.checks > args.open:
        sys.exit("--due + --delayed + --checks must not exceed --open")
    check_bench_database(args.database_url)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))

    from cancelsvc import create_app

    workdir = Path(tempfile.mkdtemp(prefix="jobs-bench-"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver_url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    config = {**bench_config(args.database_url), "CANCELSVC_QUIET_HOURS": "",
              "CANCELSVC_MESSAGES_SINK": str(workdir / "messages.txt")}
    app = create_app(config)
    print(f"{os.cpu_count()} CPUs; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    in_progress, ready = templates(app, receiver_url)
    fill(app, args, in_progress, ready)

    print("one tick, nothing due:", flush=True)
    one_tick(app, "idle tick")
    busy(app, args)
    print(f"one tick with {args.due:,} deactivations due and {args.checks:,} requests due for a check:", flush=True)
    one_tick(app, "busy tick", args.profile)
    one_tick(app, "the next tick")
    print(f"  webhooks received: {Receiver.received:,}; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    if not args.skip_run:
        print("delay from due to deactivated while jobs run runs:", flush=True)
        delays(app, args, args.database_url, workdir)
        print(f"  load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    server.shutdown()
    with app.app_context():
        from models import db

        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
