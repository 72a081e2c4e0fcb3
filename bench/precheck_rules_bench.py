"""Time ``evaluate`` + ``present`` for a typical account, in both locales.

The account: 2 contracts, 3 bills, 2 devices, 4 services, family primary with 2 other
members. Prints p50/p95/p99 in milliseconds; "fresh formatting" clears the money and
date formatting caches before every run (the worst case: amounts never seen before).

    .venv/bin/python bench/precheck_rules_bench.py [--runs 5000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cancelsvc import texts  # noqa: E402
from cancelsvc.precheck.engine import evaluate  # noqa: E402
from cancelsvc.precheck.presenter import present  # noqa: E402
from cancelsvc.precheck.snapshot import AccountSnap, BillSnap, ContractSnap, DeviceSnap, ServiceSnap  # noqa: E402
from cancelsvc.workdays import WorkCalendar  # noqa: E402

D = Decimal
TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

ACCOUNT = AccountSnap(
    id=1,
    msisdn="+8613800138000",
    plan_code="5G-128",
    plan_monthly_fee=D("128.00"),
    activated_on=dt.date(2021, 5, 1),
    unbilled_amount=D("23.50"),
    prepaid_credit=D("10.00"),
    loyalty_points=1200,
    family_group_code="FAM-77",
    family_role="primary",
    family_others=2,
    contracts=(
        ContractSnap("K-1", "handset_subsidy", dt.date(2025, 1, 1), dt.date(2026, 12, 31), D("99.00"), D("1200.00")),
        ContractSnap("K-2", "plan_commitment", dt.date(2025, 6, 1), dt.date(2027, 5, 31), D("128.00")),
    ),
    bills=(
        BillSnap("2026-08", D("128.00"), D("128.00"), dt.date(2026, 9, 15), False),
        BillSnap("2026-09", D("131.20"), D("0.00"), dt.date(2026, 10, 15), True),
        BillSnap("2026-10", D("128.00"), D("0.00"), dt.date(2026, 11, 15), False),
    ),
    devices=(
        DeviceSnap("ONT-123", "router", "rented", D("300.00")),
        DeviceSnap("860000000000001", "handset", "installment", installment_remaining=D("800.00")),
    ),
    services=(
        ServiceSnap("VIDEO-VIP", "视频会员", "operator", D("0.99"), True, dt.date(2026, 12, 1)),
        ServiceSnap("CLOUD-50", "云盘 50G", "operator", D("5.00")),
        ServiceSnap("MUSIC", "音乐包", "third_party", D("15.00"), True, dt.date(2026, 11, 23)),
        ServiceSnap("RING", "彩铃", "operator", D("3.00"), status="cancelled"),
    ),
)


def measure(locale: str, runs: int, fresh_formatting: bool) -> list[float]:
    calendar = WorkCalendar()
    samples = []
    for _ in range(runs):
        if fresh_formatting:
            texts.format_money.cache_clear()
            texts.format_day.cache_clear()
        start = time.perf_counter_ns()
        present(evaluate(ACCOUNT, "app", TODAY, TODAY, NOW, calendar), locale)
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5000)
    args = parser.parse_args()
    if args.runs < 2000:
        parser.error("use at least 2000 runs")
    outcome = evaluate(ACCOUNT, "app", TODAY, TODAY, NOW, WorkCalendar())
    print(
        f"account: {len(outcome.findings)} findings, {len(outcome.checklist)} checklist items, "
        f"{len(outcome.alternatives)} alternatives; {args.runs} runs each; Python {sys.version.split()[0]}"
    )
    print(f"{'locale':8} {'formatting':18} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for fresh in (False, True):
        for locale in ("zh-CN", "en"):
            measure(locale, 200, fresh)  # warm-up
            samples = measure(locale, args.runs, fresh)
            cuts = statistics.quantiles(samples, n=100)
            label = "fresh formatting" if fresh else "cached formatting"
            print(f"{locale:8} {label:18} {cuts[49]:8.3f} {cuts[94]:8.3f} {cuts[98]:8.3f}")


if __name__ == "__main__":
    main()
