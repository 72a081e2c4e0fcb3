"""Rate-limit counters in a SQLite file: one count for every process of a machine."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from cancelsvc.config import Settings
from cancelsvc.extensions import limiter
from cancelsvc.ratelimits import RouteLimiter, SQLiteStorage, storage_path

PROCESSES, HITS = 4, 50


def _hit_many(uri: str, key: str, hits: int, start: Any) -> None:
    storage = storage_from_string(uri)
    start.wait()
    for _ in range(hits):
        storage.incr(key, 60)


def test_processes_share_one_count(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'limits.db'}"
    storage_from_string(uri)  # the table exists before the processes race
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=_hit_many, args=(uri, "k", HITS, start)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(180)  # spawning imports the service: slow on a loaded machine
        assert worker.exitcode == 0
    assert storage_from_string(uri).get("k") == PROCESSES * HITS  # no increment lost


def test_fixed_windows_count_then_expire(tmp_path: Path) -> None:
    storage = SQLiteStorage(f"sqlite:///{tmp_path / 'limits.db'}")
    limit = parse("3 per 1 second")
    window = FixedWindowRateLimiter(storage)
    assert [window.hit(limit, "client") for _ in range(4)] == [True, True, True, False]
    assert not window.test(limit, "client")
    assert window.test(limit, "another client")
    reset, remaining = window.get_window_stats(limit, "client")
    assert remaining == 0 and time.time() < reset <= time.time() + 1
    time.sleep(1.05)
    assert window.test(limit, "client") and window.hit(limit, "client")
    assert storage.get(limit.key_for("client")) == 1  # a new window starts from the hit
    storage.clear(limit.key_for("client"))
    assert storage.get(limit.key_for("client")) == 0
    window.hit(limit, "another client")
    assert storage.check() and storage.reset() == 1


@pytest.mark.parametrize("uri", ["sqlite://", "sqlite:///:memory:"])
def test_a_file_is_required(uri: str) -> None:
    with pytest.raises(ValueError, match="memory://"):
        storage_path(uri)


def test_the_default_is_a_file_in_instance_shared_by_the_processes(make_app: Callable[..., Flask]) -> None:
    assert Settings.load({}).CANCELSVC_RATELIMIT_STORAGE == "sqlite:///instance/ratelimits.db"
    app = make_app(CANCELSVC_RATELIMIT_STORAGE=Settings.CANCELSVC_RATELIMIT_STORAGE)
    assert app.config["RATELIMIT_STORAGE_URI"] == "sqlite:///" + str(Path(app.instance_path) / "ratelimits.db")
    with app.app_context():
        assert isinstance(limiter.storage, SQLiteStorage)


def test_rate_limit_keys_carry_the_installations_name(tmp_path: Path) -> None:
    config = Settings.load({"CANCELSVC_QUEUE_NAME": "shop_b"}).flask_config(tmp_path)
    assert config["RATELIMIT_KEY_PREFIX"] == "shop_b"
    assert Settings.load({}).flask_config(tmp_path)["RATELIMIT_KEY_PREFIX"] == "cancelsvc"


def _limited_app(**limits: Any) -> tuple[Flask, RouteLimiter]:
    app = Flask(__name__)
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    route_limiter = RouteLimiter(key_func=lambda: "client", **limits)
    route_limiter.init_app(app)

    @app.get("/open")
    def open_route() -> str:
        return "ok"

    @app.get("/limited")
    @route_limiter.limit("2 per minute")
    def limited_route() -> str:
        return "ok"

    return app, route_limiter


def test_without_limits_everywhere_only_the_routes_own_limits_count() -> None:
    app, route_limiter = _limited_app()
    assert not route_limiter.limits_everywhere()
    client = app.test_client()
    assert [client.get("/open").status_code for _ in range(5)] == [200] * 5
    assert [client.get("/limited").status_code for _ in range(3)] == [200, 200, 429]


def test_limits_everywhere_are_still_checked_before_every_request() -> None:
    app, route_limiter = _limited_app(default_limits=["3 per minute"], application_limits=["4 per minute"])
    assert route_limiter.limits_everywhere()
    client = app.test_client()
    assert [client.get("/open").status_code for _ in range(5)] == [200, 200, 200, 429, 429]
