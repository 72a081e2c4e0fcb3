"""Progress polling throughput under gunicorn, against a bare Flask JSON endpoint.

Usage: python bench/progress_bench.py [--database-url URL] [--duration 10] [--connections 16]
                                      [--rounds 3] [--workers 2] [--worker-class sync] [--ports 5160-5179]
                                      [--large 1000000]

Prepares the PostgreSQL database (a clean schema, the typical account, an API key, a
pre-check and a submitted request), then, one server at a time and with the same
gunicorn settings (127.0.0.1 on a free port, no access log, log level warning):

  (a) ``bench/bare_app.py`` — a bare Flask app answering a small JSON object;
  (b) the real service, ``wsgi:app``, on that database.

Each is loaded with ``wrk`` from this (second) process over loopback:

  bare      GET /ping
  progress  GET /api/v1/cancellations/{id}/progress with the API key (200, full document)
  304       the same with ``If-None-Match: <current ETag>`` (a 304 is checked first)

Every round starts and stops both servers and prints requests/s, wrk's latency, bytes per
response and the CPU time per request of gunicorn and of the database's PostgreSQL
backends (from ``/proc``); the summary gives the median of the rounds and the ratios
progress/bare (target >= 50 %) and 304/bare (target >= 70 %). Requires ``wrk``
(``apt-get install -y wrk``). The database's ``public`` schema is dropped and recreated:
only databases named ``*bench*`` are accepted.

With ``--large N`` it measures instead the latency of the progress poll (p50 / p95 from wrk)
with 1 000 customers in the database and then, in the same run, with ``N`` (each with one
account, a contract and a bill: ``bench_data.fill_plain_customers``), through the poll front
and with the front off (``CANCELSVC_POLL_FRONT=off``: Flask reads the request and the key from
the database on every poll), and prints the ratio of the p95s (target <= 1.3).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import (  # noqa: E402
    BENCH_PG_URL,
    ROOT,
    SCOPES,
    analyze,
    bench_config,
    check_bench_database,
    fill_plain_customers,
    reset_schema,
    typical_account,
)

BENCH_DIR = Path(__file__).resolve().parent
TARGET_PROGRESS = 0.50
TARGET_NOT_MODIFIED = 0.70
TARGET_LARGE_RATIO = 1.3
#: The plain customers of ``--large`` start here (the typical account's ids are small).
FIRST_PLAIN = 1_000_000
#: wrk reports p50/p75/p90/p99 by itself; this script adds the p95.
P95_SCRIPT = 'done = function(summary, latency, requests) io.write(string.format("p95_us %d\\n", latency:percentile(95))) end\n'
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


@dataclass
class Fixture:
    key: str
    request_id: str
    etag: str


@dataclass
class WrkResult:
    rps: float
    requests: int
    bytes_per_request: float
    p50_ms: float
    p99_ms: float
    p95_ms: float
    bad: int  # non-2xx/3xx responses plus socket errors
    cpu_us: dict[str, float] | None = None  # CPU time per request: gunicorn, postgres


def _proc_cpu(pids: list[int]) -> float:
    """User + system CPU seconds of these processes (Linux ``/proc``; 0 for vanished ones)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _pids(match: Callable[[int, str, int], bool]) -> list[int]:
    """Processes for which ``match(pid, cmdline, process group)`` holds."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            pgrp = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2])
        except (OSError, ValueError, IndexError):
            continue
        if match(int(entry.name), cmdline, pgrp):
            found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU used by one gunicorn (arbiter and workers) and by the PostgreSQL backends of a database."""

    def __init__(self, server_group: int, database: str | None) -> None:
        self.available = Path("/proc/self/stat").exists()
        self.group, self.database = server_group, database

    def sample(self) -> dict[str, float]:
        if not self.available:
            return {}
        sample = {"gunicorn": _proc_cpu(_pids(lambda pid, cmd, pgrp: pgrp == self.group))}
        if self.database:
            needle = f" {self.database} "
            sample["postgres"] = _proc_cpu(_pids(lambda pid, cmd, pgrp: cmd.startswith("postgres: ")
                                                 and needle in cmd))
        return sample


def prepare(url: str) -> Fixture:
    """Fresh schema, the typical account, an API key, a pre-check and a submitted request."""
    from cancelsvc import create_app
    from cancelsvc.auth.keys import create_key
    from models import db

    app = create_app(bench_config(url))
    with app.app_context():
        reset_schema(db)
        msisdn = typical_account(db).msisdn
        _, key = create_key("bench", SCOPES)
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    response = client.post("/api/v1/prechecks", json={"account": msisdn, "channel": "app"}, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    response = client.post("/api/v1/cancellations", json={"precheck_id": response.json["id"]},
                           headers={**headers, "Idempotency-Key": "progress-bench-1"})
    assert response.status_code == 201, response.get_data(as_text=True)
    fixture = Fixture(key=key, request_id=response.json["id"], etag=response.headers["ETag"])
    with app.app_context():
        analyze(db)
        db.session.remove()
        db.engine.dispose()
    return fixture


def free_port(ports: str | None = None) -> int:
    """A free port on 127.0.0.1: any, or the first free one of ``ports`` ("5160-5179")."""
    first, _, last = (ports or "0-0").partition("-")
    for port in range(int(first), int(last or first) + 1):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    sys.exit(f"no free port in {ports}")


class Server:
    """One gunicorn, in its own process group, stopped on exit whatever happens."""

    def __init__(self, name: str, module: str, chdir: Path, env: dict[str, str], args: argparse.Namespace,
                 ready_path: str) -> None:
        self.name, self.module, self.chdir, self.env, self.args = name, module, chdir, env, args
        self.ready_path = ready_path
        self.port = free_port(args.ports)
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = tempfile.NamedTemporaryFile(prefix=f"progress-bench-{name}-", suffix=".log", delete=False)

    def __enter__(self) -> Server:
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(self.args.workers), "--worker-class", self.args.worker_class,
                   "--log-level", "warning", "--chdir", str(self.chdir)]
        if self.args.worker_class == "gthread":
            command += ["--threads", str(self.args.threads)]
        command.append(self.module)
        self.process = subprocess.Popen(command, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.group = self.process.pid  # a new session: the arbiter leads the process group
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name}: gunicorn exited with {self.process.returncode}\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.base + self.ready_path, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name}: not ready after {START_TIMEOUT:.0f} s\n{self.tail()}")

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.stop()
        self.log.close()
        if exc_type is None:
            Path(self.log.name).unlink(missing_ok=True)  # kept for inspection after a failure

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)  # the arbiter and its workers only
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)
        except ProcessLookupError:
            pass

    def tail(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-3000:]


def wrk(url: str, headers: dict[str, str], args: argparse.Namespace, duration: int) -> WrkResult:
    script = Path(tempfile.gettempdir()) / "progress-bench-p95.lua"
    script.write_text(P95_SCRIPT)
    command = ["wrk", "-t", str(args.wrk_threads), "-c", str(args.connections), "-d", f"{duration}s",
               "--timeout", "5s", "--latency", "-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    out = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    rps = float(_find(r"Requests/sec:\s+([\d.]+)", out))
    requests = int(_find(r"(\d+) requests in", out))
    read = _size(_find(r"requests in [^,]+,\s+([\d.]+\w+) read", out))
    bad = int(_find(r"Non-2xx or 3xx responses:\s+(\d+)", out, "0"))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if errors:
        # sync workers close every connection after the response: wrk may count those closes as
        # read errors although every response arrived; connect errors and timeouts are real.
        bad += int(errors.group(1)) + int(errors.group(4))
    return WrkResult(rps=rps, requests=requests, bytes_per_request=read / max(requests, 1),
                     p50_ms=_ms(_find(r"50%\s+([\d.]+\w+)", out)), p99_ms=_ms(_find(r"99%\s+([\d.]+\w+)", out)),
                     p95_ms=int(_find(r"p95_us (\d+)", out)) / 1000, bad=bad)


def _find(pattern: str, text: str, default: str | None = None) -> str:
    match = re.search(pattern, text)
    if match:
        return match.group(1)
    if default is not None:
        return default
    raise RuntimeError(f"unexpected wrk output (no {pattern!r}):\n{text}")


def _size(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(B|KB|MB|GB)", text)
    if not match:
        return 0.0
    return float(match.group(1)) * {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[match.group(2)]


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        return float("nan")
    return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[match.group(2)]


def fetch(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:  # urllib raises for 304 too
        return error.code, dict(error.headers), error.read()


def measure(name: str, url: str, headers: dict[str, str], args: argparse.Namespace, meter: CpuMeter) -> WrkResult:
    if args.warmup > 0:
        wrk(url, headers, args, args.warmup)
    before = meter.sample()
    result = wrk(url, headers, args, args.duration)
    after = meter.sample()
    result.cpu_us = {k: (after[k] - before[k]) / max(result.requests, 1) * 1e6 for k in after}
    cpu = "   CPU/request: " + ", ".join(f"{k} {v:.0f} us" for k, v in result.cpu_us.items()) if after else ""
    print(f"    {name:<18} {result.rps:9.0f} req/s   p50 {result.p50_ms:6.2f} ms   p95 {result.p95_ms:6.2f} ms"
          f"   p99 {result.p99_ms:7.2f} ms"
          f"   {result.bytes_per_request:6.0f} B/response" + cpu
          + (f"   {result.bad} BAD" if result.bad else ""), flush=True)
    if result.bad:
        raise RuntimeError(f"{name}: {result.bad} failed requests")
    return result


def check_progress(base: str, fixture: Fixture) -> tuple[str, dict[str, str], dict[str, str]]:
    """The progress URL and headers of both paths; fails unless 200 and 304 really come back."""
    url = f"{base}/api/v1/cancellations/{fixture.request_id}/progress"
    auth = {"Authorization": f"Bearer {fixture.key}"}
    status, headers, body = fetch(url, auth)
    if status != 200 or headers.get("ETag") != fixture.etag or not body:
        raise RuntimeError(f"progress: expected 200 with ETag {fixture.etag}, got {status} {headers.get('ETag')}")
    conditional = {**auth, "If-None-Match": fixture.etag}
    status, headers, body = fetch(url, conditional)
    if status != 304 or body:
        raise RuntimeError(f"progress with If-None-Match: expected 304 without a body, got {status}")
    return url, auth, conditional


def one_round(number: int, fixture: Fixture, args: argparse.Namespace) -> dict[str, float]:
    print(f"  round {number}", flush=True)
    env = {**os.environ, "CANCELSVC_LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    database = urlsplit(args.database_url).path.lstrip("/")
    with Server("bare", "bare_app:app", BENCH_DIR, env, args, "/ping") as bare:
        status, _, _ = fetch(bare.base + "/ping", {})
        assert status == 200
        rates = {"bare": measure("bare", bare.base + "/ping", {}, args, CpuMeter(bare.group, None)).rps}
    service_env = {**env, "DATABASE_URL": args.database_url, "SECRET_KEY": "bench", "CANCELSVC_PII_KEY": "bench",
                   "CANCELSVC_MODEL_DIR": tempfile.mkdtemp(prefix="cancelsvc-model-")}
    with Server("service", "wsgi:app", ROOT, service_env, args, "/healthz") as service:
        url, auth, conditional = check_progress(service.base, fixture)
        meter = CpuMeter(service.group, database)
        rates["progress"] = measure("progress", url, auth, args, meter).rps
        rates["304"] = measure("304", url, conditional, args, meter).rps
        check_progress(service.base, fixture)  # still the same version: polling changed nothing
    rates["progress/bare"] = rates["progress"] / rates["bare"]
    rates["304/bare"] = rates["304"] / rates["bare"]
    print(f"    ratios: progress/bare {rates['progress/bare']:.0%}   304/bare {rates['304/bare']:.0%}", flush=True)
    return rates


def grow(url: str, stop: int) -> None:
    """Plain customers up to ``stop`` in all, then fresh statistics."""
    import sqlalchemy as sa

    from cancelsvc import create_app
    from models import db

    app = create_app(bench_config(url))
    with app.app_context():
        have = db.session.execute(sa.select(sa.func.count()).select_from(db.metadata.tables["customers"])).scalar_one()
        started = time.perf_counter()
        fill_plain_customers(db, FIRST_PLAIN + have - 1, FIRST_PLAIN + stop - 1)
        filled = time.perf_counter() - started
        analyze(db)
        print(f"  {stop:,} customers (filled in {filled:.0f} s, VACUUM ANALYZE {time.perf_counter() - started - filled:.0f}"
              " s)", flush=True)
        db.session.remove()
        db.engine.dispose()


def latency_phase(fixture: Fixture, args: argparse.Namespace) -> dict[str, float]:
    """p95 of the progress poll and its 304, through the poll front and with the front off."""
    env = {**os.environ, "CANCELSVC_LOG_LEVEL": "WARNING", "DATABASE_URL": args.database_url,
           "SECRET_KEY": "bench", "CANCELSVC_PII_KEY": "bench",
           "CANCELSVC_MODEL_DIR": tempfile.mkdtemp(prefix="cancelsvc-model-")}
    database = urlsplit(args.database_url).path.lstrip("/")
    p95: dict[str, float] = {}
    for front in ("on", "off"):
        with Server(f"service-front-{front}", "wsgi:app", ROOT, {**env, "CANCELSVC_POLL_FRONT": front}, args,
                    "/healthz") as service:
            url, auth, conditional = check_progress(service.base, fixture)
            meter = CpuMeter(service.group, database)
            p95[f"progress front {front}"] = measure(f"progress (front {front})", url, auth, args, meter).p95_ms
            p95[f"304 front {front}"] = measure(f"304 (front {front})", url, conditional, args, meter).p95_ms
    return p95


def large(fixture: Fixture, args: argparse.Namespace) -> None:
    """The same polls with 1 000 and with ``--large`` customers in the database, in one run."""
    grow(args.database_url, 1000)
    small = latency_phase(fixture, args)
    grow(args.database_url, args.large)
    big = latency_phase(fixture, args)
    print(f"p95 with {args.large:,} customers / with 1 000 (target <= {TARGET_LARGE_RATIO}):")
    for name in small:
        ratio = big[name] / small[name]
        verdict = "met" if ratio <= TARGET_LARGE_RATIO else "MISSED"
        print(f"  {name:<18} {small[name]:7.2f} ms -> {big[name]:7.2f} ms   ratio {ratio:.2f}: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=BENCH_PG_URL)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="each round restarts both servers")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first (0: none)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread only)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--ports", default=None, help="port range for the servers, e.g. 5160-5179 (default: any)")
    parser.add_argument("--large", type=int, default=0,
                        help="measure poll latency at 1 000 and at this many customers instead (e.g. 1000000)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: install it with `apt-get install -y wrk` (Debian/Ubuntu) and run again.")
    if not args.database_url.startswith("postgresql"):
        sys.exit("this benchmark runs on PostgreSQL: pass --database-url postgresql+psycopg://…")
    if args.connections < args.wrk_threads:
        sys.exit("--connections must be at least --wrk-threads")
    if args.duration < 1 or args.warmup < 0:
        sys.exit("--duration must be at least 1 second and --warmup at least 0")
    check_bench_database(args.database_url)
    # A SIGTERM unwinds like Ctrl-C, so every server started is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))

    fixture = prepare(args.database_url)
    print(f"gunicorn: {args.workers} {args.worker_class} workers"
          + (f" x {args.threads} threads" if args.worker_class == "gthread" else "")
          + f"; wrk: {args.wrk_threads} threads, {args.connections} connections, {args.duration} s"
          f" (+{args.warmup} s warm-up); {os.cpu_count()} CPUs; request {fixture.request_id}, ETag {fixture.etag}",
          flush=True)
    if args.large:
        large(fixture, args)
        return
    rounds = [one_round(n, fixture, args) for n in range(1, args.rounds + 1)]

    print(f"median of {len(rounds)} rounds:")
    for name in ("bare", "progress", "304"):
        values = [r[name] for r in rounds]
        print(f"  {name:<9} {statistics.median(values):9.0f} req/s   (rounds: {', '.join(f'{v:.0f}' for v in values)})")
    for name, target in (("progress/bare", TARGET_PROGRESS), ("304/bare", TARGET_NOT_MODIFIED)):
        values = [r[name] for r in rounds]
        median = statistics.median(values)
        verdict = "met" if median >= target else "MISSED"
        print(f"  {name:<14} {median:5.0%}  (rounds: {', '.join(f'{v:.0%}' for v in values)})"
              f"   target >= {target:.0%}: {verdict}")


if __name__ == "__main__":
    main()
