"""Messages to customers: compose + queue in-process, SMS throughput over one SMPP bind, and a
send sweep over many queued messages with flat memory.

Usage: python bench/notifications_bench.py [--database-url URL] [--compose 2000] [--sms 4000]
                                           [--window 10] [--send 2000] [--sweep 100000]
Defaults: a temporary SQLite file.

1. compose + queue: one message composed in zh-CN (the text, its parts) and queued (the
   cause check and the INSERT) per sample, committed every 100; p50/p95 per message
   (target p95 <= 1 ms); the commit of each 100 is not timed.
2. SMS throughput: ``--sms`` messages (two UCS-2 parts each) submitted over one transceiver
   bind to the local test SMSC (``tests/notifications/smsc.py``, on 127.0.0.1), in batches
   of 200 with the default window of 10; messages per second (target >= 200).
3. Sending through the jobs: ``--send`` queued messages (one part each) sent by
   ``messages.send`` over one bind to the local test SMSC, receipts on and recorded by the
   application's handler (the reader thread's transactions), as a worker does; messages per
   second, with the process CPU time (target >= 200).
4. Sweep: ``--sweep`` queued messages bulk-inserted, then ``messages.send`` runs until none
   is left, sending to a sink file; resident memory is sampled after every batch (target:
   flat — the sweep claims 200 rows at a time and never loads them all).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import bench_config, check_bench_database, reset_schema  # noqa: E402

TARGET_COMPOSE_P95_MS = 1.0
TARGET_SMS_PER_SECOND = 200.0
PARAMS = {"code": "H1CMH0Y4D4CP", "withdraw_until": "2026-12-05T12:30:00+00:00", "next_step": "identity.documents"}


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def bench_compose(app: Any, samples: int) -> None:
    from cancelsvc.notifications.compose import compose
    from cancelsvc.notifications.queue import queue
    from models import db
    from models.base import utcnow
    from models.vocabulary import Audience, MessageKind, Moment

    timings, cpu = [], []
    now = utcnow()
    link = "https://cancel.example.cn/t/H1CMH0Y4D4CP?k=7KQ3M9X2PR"
    for i in range(samples + 100):
        start, start_cpu = time.perf_counter(), time.thread_time()
        composed = compose(Moment.SUBMITTED, "zh-CN", PARAMS, operator="中国移动", hotline="10086", link=link)
        assert composed.parts == 2
        queue(None, Moment.SUBMITTED, MessageKind.ESSENTIAL, cause=f"bench:{i}", now=now, params=PARAMS,
              audience=Audience.SENDER, immediate=True, language="zh-CN")
        if i >= 100:
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.thread_time() - start_cpu) * 1000)
        if i % 100 == 99:
            db.session.commit()  # outside the timing: a job commits once per batch
    db.session.commit()
    timings.sort()
    cpu.sort()
    p50, p95 = statistics.median(timings), timings[int(len(timings) * 0.95)]
    cpu95 = cpu[int(len(cpu) * 0.95)]
    verdict = "OK" if p95 <= TARGET_COMPOSE_P95_MS else "OVER TARGET"
    print(f"compose + queue: {samples} messages, wall p50 {p50:.3f} ms, p95 {p95:.3f} ms; CPU p50 "
          f"{statistics.median(cpu):.3f} ms, p95 {cpu95:.3f} ms (target p95 <= {TARGET_COMPOSE_P95_MS} ms: "
          f"{verdict} by the wall clock; the commit of each 100 not included)")


def bench_sms(count: int, window: int) -> None:
    from cancelsvc.notifications.compose import Composed
    from cancelsvc.notifications.transports.base import Outgoing
    from cancelsvc.notifications.transports.smpp import SmppTransport
    from tests.notifications.smsc import LocalSmsc

    smsc = LocalSmsc()
    smsc.state.receipts = True
    received: list[Any] = []
    transport = SmppTransport.from_url(f"{smsc.url}&window={window}", on_inbound=received.extend)
    text = "【中国移动】您的销户申请已受理，单号H1CMH0Y4D4CP。12月5日 20:30前可随时撤回。下一步：到店核验身份。进度：https://cancel.example.cn/t/H1CMH0Y4D4CP?k=7KQ3M9X2PR"
    batch = [Outgoing(str(i), "sms", f"+86138{i:08d}", "", "submitted", "essential", Composed(text, "", "", ""))
             for i in range(200)]
    transport.send_many(batch[:10])  # bind
    start, start_cpu = time.perf_counter(), time.process_time()
    sent = 0
    while sent < count:
        outcomes = transport.send_many(batch)
        assert all(o.accepted for o in outcomes)
        sent += len(outcomes)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    transport.close()
    smsc.stop()
    rate = sent / elapsed
    verdict = "OK" if rate >= TARGET_SMS_PER_SECOND else "UNDER TARGET"
    print(f"SMS over one bind: {sent} messages ({sent * 2} submit_sm, UCS-2, 2 parts each, receipts on) "
          f"in {elapsed:.2f} s = {rate:.0f} messages/s, {rate * 2:.0f} submit_sm/s, window {window}, "
          f"binds {smsc.state.binds}; CPU {cpu:.2f} s (the transport and the test SMSC, one process) "
          f"(target >= {TARGET_SMS_PER_SECOND:.0f} messages/s: {verdict})")


def bench_send(app: Any, count: int, window: int) -> None:
    import sqlalchemy as sa

    from cancelsvc.database import writer
    from cancelsvc.notifications.sender import send_due
    from cancelsvc.notifications.transports.smpp import SmppTransport
    from cancelsvc.services import services
    from models import InboundSms, Message, db
    from models.base import new_uuid, utcnow
    from tests.notifications.smsc import LocalSmsc

    smsc = LocalSmsc()
    transports = services(app).messages
    transports._sms = SmppTransport.from_url(f"{smsc.url}&window={window}", on_inbound=transports.on_inbound)
    now = utcnow()
    db.session.execute(sa.insert(Message), [
        {"id": new_uuid(), "request_id": None, "customer_id": None, "cause": f"send:{i}", "moment": "test",
         "kind": "essential", "audience": "sender", "language": "zh-CN", "params": {"to": f"+86137{i:08d}"},
         "status": "queued", "created_at": now, "not_before": now, "attempts": 0, "counted": False}
        for i in range(count)])
    db.session.commit()
    start, start_cpu = time.perf_counter(), time.process_time()
    sent = 0
    while True:
        with writer():
            n = send_due(now + dt.timedelta(seconds=1))
        db.session.remove()
        if n == 0:
            break
        sent += n
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    deadline = time.monotonic() + 10
    while len(smsc.state.deliver_resps) < len(smsc.state.submitted) and time.monotonic() < deadline:
        time.sleep(0.05)
    transports.close()
    smsc.stop()
    receipts = db.session.execute(sa.select(sa.func.count()).select_from(InboundSms)).scalar_one()
    db.session.execute(sa.delete(InboundSms))
    db.session.commit()
    rate = sent / elapsed
    verdict = "OK" if rate >= TARGET_SMS_PER_SECOND else "UNDER TARGET"
    print(f"messages.send over one bind: {sent} messages ({len(smsc.state.submitted)} submit_sm, receipts on, "
          f"{receipts} receipts recorded) in {elapsed:.2f} s = {rate:.0f} messages/s, window {window}, "
          f"binds {smsc.state.binds}; CPU {cpu:.2f} s (jobs, reader and test SMSC, one process) "
          f"(target >= {TARGET_SMS_PER_SECOND:.0f} messages/s: {verdict})")


def bench_sweep(app: Any, count: int) -> None:
    import sqlalchemy as sa

    from cancelsvc.notifications.sender import BATCH, send_due
    from models import Message, db
    from models.base import new_uuid, utcnow

    now = utcnow()
    rows = []
    for i in range(count):
        rows.append({"id": new_uuid(), "request_id": None, "customer_id": None, "cause": f"sweep:{i}",
                     "moment": "test", "kind": "essential", "audience": "sender", "language": "zh-CN",
                     "params": {"to": f"+86139{i:08d}"}, "status": "queued", "created_at": now,
                     "not_before": now, "attempts": 0, "counted": False})
        if len(rows) == 5000:
            db.session.execute(sa.insert(Message), rows)
            rows = []
    if rows:
        db.session.execute(sa.insert(Message), rows)
    db.session.commit()
    samples = []
    start = time.perf_counter()
    done = 0
    while True:
        n = send_due(now + dt.timedelta(seconds=1))
        db.session.remove()
        if n == 0:
            break
        done += n
        samples.append(rss_mb())
    elapsed = time.perf_counter() - start
    left = db.session.execute(sa.select(sa.func.count()).select_from(Message)
                              .where(Message.status == "queued")).scalar_one()
    first = samples[min(5, len(samples) - 1)]
    print(f"sweep: {done} messages sent to the sink in {elapsed:.1f} s ({done / elapsed:.0f}/s), "
          f"{len(samples)} batches of {BATCH}, {left} left; resident memory after batch 5 {first:.0f} MB, "
          f"max {max(samples):.0f} MB, last {samples[-1]:.0f} MB (growth {max(samples) - first:+.1f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--compose", type=int, default=2000)
    parser.add_argument("--sms", type=int, default=4000)
    parser.add_argument("--send", type=int, default=2000, help="messages sent by messages.send over SMPP")
    parser.add_argument("--sweep", type=int, default=100_000)
    parser.add_argument("--window", type=int, default=10, help="submit_sm outstanding at once")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='cancelsvc-bench-')}/bench.db"
    check_bench_database(url)

    from cancelsvc import create_app
    from models import db

    sink = Path(tempfile.mkdtemp(prefix="cancelsvc-sink-")) / "messages.txt"
    app = create_app({**bench_config(url), "CANCELSVC_MESSAGES_SINK": str(sink), "CANCELSVC_QUIET_HOURS": ""})
    with app.app_context():
        reset_schema(db)
        if args.compose:
            bench_compose(app, args.compose)
        if args.sms:
            bench_sms(args.sms, args.window)
        db.session.execute(db.text("DELETE FROM messages"))
        db.session.commit()
        if args.send:
            bench_send(app, args.send, args.window)
            db.session.execute(db.text("DELETE FROM sms_parts"))
            db.session.execute(db.text("DELETE FROM messages"))
            db.session.commit()
        if args.sweep:
            bench_sweep(app, args.sweep)
    sink.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
