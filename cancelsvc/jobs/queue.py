"""The Huey side of ``jobs run``: a queue built from configuration, periodic sweeps.

Nothing here runs at import time: ``create_huey`` and ``build_consumer`` are called by
the ``jobs run`` command with the application. The queue carries only "run sweeper X
now" messages; the work itself and its state live in the database, under row claims,
so any number of consumers may share a queue (Redis) or run side by side.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

from cancelsvc.config import resolve_sqlite_path
from cancelsvc.jobs.registry import run_sweeper
from cancelsvc.services import services

log = logging.getLogger(__name__)

# Graceful stop (SIGTERM) waits this long for sweeps in flight before giving up on them.
SHUTDOWN_TIMEOUT_SECONDS = 30


def create_huey(app: Flask) -> Huey:
    """SqliteHuey in ``instance/jobs.db`` by default, the file of a ``sqlite:///`` queue URL,
    or RedisHuey for ``redis://`` / ``rediss://`` (several machines share one queue)."""
    url = services(app).settings.CANCELSVC_QUEUE_URL
    name = services(app).settings.CANCELSVC_QUEUE_NAME
    if url and url.split(":", 1)[0] in ("redis", "rediss"):
        return RedisHuey(name, url=url, results=False)
    if url:
        filename = resolve_sqlite_path(url, Path(app.instance_path).parent).removeprefix("sqlite:///")
    else:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        filename = str(Path(app.instance_path) / "jobs.db")
    return SqliteHuey(name, filename=filename, results=False)


class SweepConsumer(Consumer):
    """Huey's consumer, with periodic tasks checked every ``sweep_interval`` seconds
    (Huey's own periodic tasks have minute granularity)."""

    def __init__(self, huey: Huey, *, sweep_interval: int, **options: Any) -> None:
        self.sweep_interval = sweep_interval
        super().__init__(huey, **options)

    def _create_scheduler(self) -> Any:
        scheduler = super()._create_scheduler()
        scheduler.periodic_task_seconds = self.sweep_interval
        return scheduler


def build_consumer(app: Flask, huey: Huey, *, workers: int, interval: int) -> SweepConsumer:
    """A consumer whose scheduler enqueues one task per sweeper every ``interval``
    seconds and whose worker threads run them inside an application context.

    SIGTERM stops gracefully (sweeps in flight finish, up to 30 s); SIGINT stops at
    once. Either way, a unit of work cut short keeps its claim until the lease ends
    and is then picked up again.
    """
    for entry in services(app).jobs.sweepers():
        huey.periodic_task(_always, name=f"sweep.{entry.name}")(_sweep_task(app, entry.name))
    return SweepConsumer(
        huey,
        sweep_interval=interval,
        workers=workers,
        worker_type="thread",
        periodic=True,
        scheduler_interval=1,
        max_delay=1.0,
        shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS,
        graceful_signal="TERM",
    )


def quiet_task_logs(level: str) -> None:
    """Keep Huey's start and stop lines at ``level`` but not a line per task every few seconds."""
    logging.getLogger("huey").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("huey.consumer").setLevel(level)
    logging.getLogger("huey.consumer.Scheduler").setLevel(logging.WARNING)


def _always(timestamp: Any) -> bool:
    return True


def _sweep_task(app: Flask, name: str) -> Callable[[], None]:
    # Within one process, a sweep still running makes the next one for the same
    # sweeper a no-op, so a slow sweep does not pile up copies of itself.
    running = threading.Lock()

    def sweep() -> None:
        if not running.acquire(blocking=False):
            return
        try:
            with app.app_context():
                done = run_sweeper(name)
            if done:
                log.info("sweeper %s finished %d", name, done)
        except Exception:
            log.exception("sweeper %s failed", name)
        finally:
            running.release()

    sweep.__name__ = f"sweep_{name.replace('.', '_')}"
    return sweep
