"""Browser tests: the console in Debian's Chromium, driven by Playwright for Python.

- Chromium is ``/usr/bin/chromium`` (``CANCELSVC_CHROMIUM`` overrides it); Playwright's own
  browser downloads are never used. Without Chromium the tests are skipped with a message
  saying how to install it; under ``CI=true`` such a skip fails the run (``tests/conftest.py``).
- The app runs in a thread of this process (``live_server``) on 127.0.0.1, port 5260 plus
  the xdist worker number (``CANCELSVC_TEST_PORT`` overrides the base), against the test
  database, so fixtures can seed it directly.
- ``shot(page, name)`` writes a PNG to ``tests/browser/screenshots/`` (ignored by git).
- ``assert_accessible(page)`` runs axe-core and fails on serious or critical violations.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CANCELSVC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 768, "height": 1024}
SERIOUS = ("serious", "critical")


def _port() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    number = int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0
    return int(os.environ.get("CANCELSVC_TEST_PORT", "5260")) + number


@dataclass
class LiveServer:
    app: Flask
    url: str

    def __call__(self, path: str) -> str:
        return self.url + path


@pytest.fixture
def live_server(make_app: Callable[..., Flask]) -> Iterator[LiveServer]:
    """The app served over HTTP from a thread, with CSRF on as in production."""
    app = make_app(CANCELSVC_SECURE_COOKIES="off")  # plain HTTP: a Secure cookie would not come back
    port = _port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Open pages in fresh browser contexts (own cookies): ``new_page(locale=..., viewport=...)``."""
    contexts: list[Any] = []

    def open_page(locale: str = "zh-CN", viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(locale=locale, viewport=viewport or DESKTOP)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


def shot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot of ``page`` as ``screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def assert_accessible(page: Any) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")  # a form post may still be navigating
    violations = Axe().run(page).response["violations"]
    bad = [v for v in violations if v.get("impact") in SERIOUS]
    assert not bad, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in bad
    )


@pytest.fixture
def demo(live_server: LiveServer) -> Any:
    """The demo data set (customers, stores, console users) in the live server's database."""
    from datetime import date

    from cancelsvc.database import transaction
    from cancelsvc.demo.service import seed
    from cancelsvc.services import services

    with live_server.app.app_context(), transaction():
        return seed(date.today(), services(live_server.app).settings.pii_key)


def follow(page: Any, target: Any) -> None:
    """Click ``target`` and wait until the page it leads to has loaded."""
    with page.expect_navigation():
        target.click()


def sign_in(page: Any, server: LiveServer, username: str, password: str = "cancelsvc-demo") -> None:
    page.goto(server("/console/login"))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    follow(page, page.locator("form button[type=submit]"))
