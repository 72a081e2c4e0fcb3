"""Import speed and memory: a generated file of N customers through `flask data import`.

Usage: python bench/import_bench.py [--customers N] [--format json|jsonl] [--gzip] [--database-url URL] [--workers N]

Each import runs as its own `flask --app wsgi data import FILE` process (as an operator runs
it) on a fresh schema. Prints the file size, the time and peak memory (RSS) of the first
import and of a re-import of the same file (nothing changes), and on PostgreSQL the time
of a plain `COPY` of the same rows into the same tables, measured in the same run (the
rows the import wrote, copied out, the tables emptied, then copied back in with their
indexes and constraints): the floor for writing them, and the import's ratio to it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: The tables an import writes, parents first.
TABLES = ("stores", "customers", "family_groups", "accounts", "contracts", "bills", "devices", "services")


def customers(count: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """Customers with one or two lines, each with a contract, three bills, a router and a service."""
    rng = random.Random(seed)
    for i in range(count):
        accounts = []
        for j in range(rng.choice((1, 1, 1, 2))):
            n = i * 2 + j
            accounts.append({
                "msisdn": f"+86139{n:08d}",
                "plan": {"code": "5G-128", "monthly_fee": "128.00"},
                "activated_on": "2021-05-01",
                "store_code": f"ST-{n % 50:03d}",
                "unbilled_amount": f"{rng.randint(0, 9999) / 100:.2f}",
                "loyalty_points": rng.randint(0, 5000),
                "payment_method": "auto_debit",
                "family": {"group_code": f"FAM-{i // 3}", "role": "primary" if i % 3 == 0 else "member"},
                "contracts": [{"external_id": f"K-{n}", "kind": "plan_commitment", "start_date": "2025-06-01",
                               "end_date": "2027-05-31", "monthly_commitment": "128.00"}],
                "bills": [{"period": f"2026-{m:02d}", "amount_due": "128.00", "amount_paid": "128.00"}
                          for m in (8, 9, 10)],
                "devices": [{"serial": f"ONT-{n}", "kind": "router", "ownership": "rented",
                             "replacement_value": "300.00"}],
                "services": [{"code": "VIDEO-VIP", "name": "视频会员", "provider": "operator",
                              "monthly_fee": "0.99", "auto_renew": True, "renews_on": "2026-12-01"}],
            })
        yield {
            "external_id": f"C-{i}", "name": "张伟",
            "id_doc": {"type": "cn_resident_id", "number": f"1101011990{i:08d}"},
            "phone": accounts[0]["msisdn"], "locale": "zh-CN", "segment": "regular", "accounts": accounts,
        }


def generate(count: int, seed: int = 7) -> dict[str, Any]:
    """The whole document in memory (small sizes: other benchmarks and tests)."""
    return {"customers": list(customers(count, seed))}


def write_file(path: Path, count: int, file_format: str, compress: bool) -> None:
    """Write the file record by record (never the whole document in memory)."""
    opened: IO[bytes] = gzip.open(path, "wb", compresslevel=3) if compress else path.open("wb")  # type: ignore[assignment]
    with opened as out:
        if file_format == "jsonl":
            for customer in customers(count):
                out.write(json.dumps(customer, ensure_ascii=False).encode() + b"\n")
            return
        out.write(b'{"customers": [\n')
        for i, customer in enumerate(customers(count)):
            out.write((",\n" if i else "").encode() + json.dumps(customer, ensure_ascii=False).encode())
        out.write(b"\n]}\n")


def run_import(path: Path, env: dict[str, str], workers: int | None) -> tuple[float, float, float, str]:
    """(seconds, CPU seconds, peak RSS in MB, output) of one `data import` command: CPU and
    memory are those of the command's process and every process it starts (its workers),
    sampled four times a second; the memory is their proportional set size summed (each
    shared page counted once, split among the processes that share it)."""
    import psutil

    command = [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "data", "import", str(path)]
    if workers is not None:
        command += ["--workers", str(workers)]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        root = psutil.Process(process.pid)
        cpu: dict[int, float] = {}
        peak = 0
        while process.poll() is None:
            rss = 0
            for member in [root, *root.children(recursive=True)]:
                try:
                    with member.oneshot():
                        times, memory = member.cpu_times(), member.memory_full_info()
                except psutil.Error:
                    continue  # ended meanwhile
                cpu[member.pid] = times.user + times.system
                rss += memory.pss
            peak = max(peak, rss)
            time.sleep(0.25)
        elapsed = time.perf_counter() - started
        out.seek(0)
        output = out.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"import failed:\n{output}")
    return elapsed, sum(cpu.values()), peak / 2**20, output


def plain_copy(url: str, workdir: Path) -> float:
    """Seconds to COPY the imported rows back into the emptied tables (their indexes kept)."""
    import psycopg

    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn:
        for table in TABLES:
            with (workdir / f"{table}.copy").open("wb") as out, conn.cursor().copy(
                    f"COPY {table} TO STDOUT") as copy:
                for block in copy:
                    out.write(block)
        conn.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
        conn.commit()
        started = time.perf_counter()
        for table in TABLES:
            with (workdir / f"{table}.copy").open("rb") as source, conn.cursor().copy(
                    f"COPY {table} FROM STDIN") as copy:
                while block := source.read(1 << 20):
                    copy.write(block)
        conn.commit()
        elapsed = time.perf_counter() - started
    for table in TABLES:
        (workdir / f"{table}.copy").unlink()
    return elapsed


def fresh_schema(url: str) -> None:
    from flask_migrate import upgrade

    from cancelsvc import create_app
    from models import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "CANCELSVC_PII_KEY": "bench",
                      "CANCELSVC_LOG_LEVEL": "WARNING", "TESTING": True})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade()
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--format", choices=("json", "jsonl"), default="jsonl")
    parser.add_argument("--gzip", action="store_true", help="compress the file")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--workdir", default=None, help="where the file goes (default: a temporary folder)")
    parser.add_argument("--workers", type=int, default=None,
                        help="the import's --workers (default: the command's own default)")
    parser.add_argument("--keep-file", action="store_true",
                        help="keep the file in --workdir and use it again next time (same arguments)")
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="cancelsvc-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    path = workdir / f"bss.{args.format}{'.gz' if args.gzip else ''}"
    started = time.perf_counter()
    reused = args.keep_file and path.exists()
    if not reused:
        write_file(path, args.customers, args.format, args.gzip)
    print(f"database: {url.split('@')[-1]}")
    os.system("uptime")
    print(f"file: {args.customers} customers, {args.format}{' gzip' if args.gzip else ''}, "
          f"{path.stat().st_size / 1e6:.1f} MB "
          + ("(kept from the last run)" if reused else f"(written in {time.perf_counter() - started:.0f} s)"))
    fresh_schema(url)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "CANCELSVC_PII_KEY": "bench",
           "CANCELSVC_LOG_LEVEL": "INFO", "CANCELSVC_LOG_FORMAT": "text"}
    times = {}
    for label in ("first import", "re-import (no changes)"):
        elapsed, cpu, rss, output = run_import(path, env, args.workers)
        times[label] = elapsed
        lines = [line for line in output.splitlines() if line.startswith(("  accounts", "bss", "  read and"))]
        print(f"{label}: {elapsed:.1f} s (CPU of the import and its workers {cpu:.0f} s), "
              f"peak memory {rss:.0f} MB (PSS summed over them)  | "
              + " | ".join(s.strip() for s in lines), flush=True)
    if url.startswith("postgresql"):
        copy_seconds = plain_copy(url, workdir)
        print(f"plain COPY of the same rows into the same tables: {copy_seconds:.1f} s; "
              f"first import / COPY = {times['first import'] / copy_seconds:.1f}x", flush=True)
    if not args.keep_file:
        path.unlink()
    os.system("uptime")


if __name__ == "__main__":
    main()
