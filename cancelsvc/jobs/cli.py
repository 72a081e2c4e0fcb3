"""``jobs tick`` (one pass of every sweeper) and ``jobs run`` (the Huey consumer)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from huey import RedisHuey

from cancelsvc.jobs.queue import build_consumer, create_huey, quiet_task_logs
from cancelsvc.jobs.registry import sweepers, tick
from cancelsvc.pool import JOBS_STATEMENT_SECONDS
from cancelsvc.services import services, settings

jobs_cli = AppGroup("jobs", help="Scheduled jobs: event dispatch, webhook delivery and the lifecycle's sweeps.")


@jobs_cli.command("tick")
def jobs_tick() -> None:
    """Run every sweeper once, print what each did, and exit (non-zero if one failed)."""
    services().deadlines.outside_requests = JOBS_STATEMENT_SECONDS
    report = tick()
    for entry in sweepers():
        if entry.name in report.errors:
            click.echo(f"{entry.name}: failed ({report.errors[entry.name]}; see the log)", err=True)
        else:
            click.echo(f"{entry.name}: {report.done.get(entry.name, 0)}")
    if not report.ok:
        raise SystemExit(1)


@jobs_cli.command("run")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@click.option(
    "--interval",
    type=click.IntRange(1, 60),
    default=None,
    help="Seconds between sweeps [default: CANCELSVC_JOBS_INTERVAL].",
)
def jobs_run(workers: int, interval: int | None) -> None:
    """Run the scheduled jobs until stopped (SIGTERM: graceful, Ctrl-C: at once)."""
    # Flask types current_app as the app itself, not as the proxy it is.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    services().deadlines.outside_requests = JOBS_STATEMENT_SECONDS  # a hung database fails a sweep, not the worker
    interval = interval or settings().CANCELSVC_JOBS_INTERVAL
    quiet_task_logs(settings().CANCELSVC_LOG_LEVEL)
    huey = create_huey(app)
    consumer = build_consumer(app, huey, workers=workers, interval=interval)
    where = "Redis" if isinstance(huey, RedisHuey) else huey.storage.filename
    names = ", ".join(s.name for s in sweepers())
    click.echo(f"jobs: sweeping every {interval}s with {workers} workers, queue {huey.name} on {where}: {names}", err=True)
    consumer.run()
