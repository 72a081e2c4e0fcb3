"""The customer's tracking page in a real browser at 360×640, in both languages: open the
link from a message, read the timeline, withdraw, leave feedback after deactivation; axe-core
on every page, the weight of everything a page loads, and a screenshot of each state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from cancelsvc.jobs import tick
from cancelsvc.tracking.links import issue_link
from models import CancellationRequest, db
from models.base import utcnow
from tests.browser.conftest import LiveServer, assert_accessible, follow, shot
from tests.factories import ApiKeyFactory, StoreFactory
from tests.requests.conftest import APP_SCOPES, Api, make_line

PHONE = {"width": 360, "height": 640}
MAX_WEIGHT = 100 * 1024
LANGS = ("zh-CN", "en")


@dataclass
class Tracked:
    code: str
    digits: str
    link: str  # path and query of the message's link
    request_id: str


class Requests:
    """Requests in each state, made through the API of the live server's app."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.api = Api(server.app.test_client(), ApiKeyFactory(scopes=list(APP_SCOPES)).clear,
                       ApiKeyFactory(scopes=["events:write"]).clear)
        db.session.commit()

    def _open(self, channel: str = "app", **line: Any) -> Tracked:
        account = make_line(**line)
        db.session.commit()
        doc = self.api.open_request(account, channel=channel)
        req = db.session.get_one(CancellationRequest, doc["id"])
        parts = urlsplit(issue_link(req))
        db.session.commit()
        return Tracked(doc["tracking_code"], account.msisdn[-4:], f"{parts.path}?{parts.query}", doc["id"])

    def submitted(self) -> Tracked:
        """At the counter: the clerk checks the ID, nothing waits on the customer."""
        return self._open(channel="counter")

    def action_required(self) -> Tracked:
        return self._open(device=True, bill=True)

    def ready(self) -> Tracked:
        tracked = self._open()
        self.api.applied(tracked.request_id, "identity.verified", {"method": "video"})
        return tracked

    def completed(self) -> Tracked:
        tracked = self.ready()
        past = utcnow() - dt.timedelta(minutes=1)
        db.session.execute(sa.update(CancellationRequest).where(CancellationRequest.id == tracked.request_id)
                           .values(withdraw_until=past, next_check_at=past,
                                   submitted_at=past - dt.timedelta(hours=72)))
        db.session.commit()
        report = tick(utcnow())
        assert report.ok, report.errors
        db.session.expire_all()
        assert db.session.get_one(CancellationRequest, tracked.request_id).state == "completed"
        return tracked


@pytest.fixture
def requests(live_server: LiveServer) -> Iterator[Requests]:
    with live_server.app.app_context():
        StoreFactory(code="HZ-001", name="杭州西湖营业厅", address="杭州市西湖区文三路 1 号",
                     opening_hours="09:00–18:00", phone="0571-12345678")
        db.session.commit()
        yield Requests(live_server)


def _phone(new_page: Any, lang: str) -> tuple[Any, list[int]]:
    """A phone-sized page in ``lang``; the list collects the size of everything it loads."""
    page = new_page(locale=lang, viewport=PHONE)
    sizes: list[int] = []

    def count(response: Any) -> None:
        try:
            sizes.append(len(response.body()))
        except Exception:  # a redirect has no body
            sizes.append(0)

    page.on("response", count)
    return page, sizes


def _light(sizes: list[int]) -> None:
    assert sum(sizes) < MAX_WEIGHT, f"the page loaded {sum(sizes)} bytes"
    sizes.clear()


@pytest.mark.parametrize("lang", LANGS)
def test_open_the_link_read_the_timeline_and_withdraw(live_server: LiveServer, requests: Requests,
                                                     new_page: Any, lang: str) -> None:
    tracked = requests.action_required()
    page, sizes = _phone(new_page, lang)
    page.goto(live_server(tracked.link))
    page.wait_for_load_state("load")
    assert page.locator(".timeline > li").count() == 10
    assert page.locator(".todo").count() >= 2  # the video check and the router
    assert page.locator(".banner.action").is_visible()
    router = "路由器" if lang == "zh-CN" else "router"
    assert router in page.locator(".todo").all_inner_texts().__str__()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    _light(sizes)
    assert_accessible(page)
    shot(page, f"tracking-action-required-{lang}")
    # The page's own refresh: its ETag is current, so progress.json answers 304.
    status = page.evaluate("""async () => {
        const root = document.getElementById('tracking');
        const r = await fetch(root.dataset.progress, {headers: {'If-None-Match': '"' + root.dataset.etag + '"'}});
        return r.status; }""")
    assert status == 304

    follow(page, page.locator("form[action$='/withdraw'] button"))
    assert page.locator("ul.kept li").count() == 4
    assert_accessible(page)
    shot(page, f"tracking-withdraw-confirm-{lang}")
    follow(page, page.locator("form[action$='/withdraw'] button.primary"))
    assert page.locator(".banner.closed").is_visible()
    assert page.locator("form[action$='/withdraw']").count() == 0
    assert_accessible(page)
    shot(page, f"tracking-withdrawn-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_the_4_digits_open_a_submitted_request(live_server: LiveServer, requests: Requests, new_page: Any,
                                               lang: str) -> None:
    tracked = requests.submitted()
    page, sizes = _phone(new_page, lang)
    page.goto(live_server(f"/t/{tracked.code}"))
    assert page.locator("#verify_code").is_visible()
    assert_accessible(page)
    shot(page, f"tracking-form-{lang}")
    page.locator("#verify_code").fill("0000" if tracked.digits != "0000" else "1111")
    follow(page, page.locator("form.verify button"))
    assert page.locator(".problem").is_visible()
    page.locator("#verify_code").fill(tracked.digits)
    follow(page, page.locator("form.verify button"))
    assert page.locator(".banner.info").is_visible()
    assert page.locator(".timeline > li").count() == 10
    _light(sizes)
    assert_accessible(page)
    shot(page, f"tracking-submitted-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_ready_in_cooling_off_shows_the_scheduled_deactivation(live_server: LiveServer, requests: Requests,
                                                              new_page: Any, lang: str) -> None:
    tracked = requests.ready()
    page, sizes = _phone(new_page, lang)
    page.goto(live_server(tracked.link))
    assert page.locator(".banner.ready").is_visible()
    scheduled = page.locator(".timeline > li").nth(7).locator(".status").inner_text()
    assert scheduled == ("已安排" if lang == "zh-CN" else "Scheduled")
    assert page.locator("form[action$='/withdraw']").is_visible()
    _light(sizes)
    assert_accessible(page)
    shot(page, f"tracking-ready-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_feedback_after_deactivation(live_server: LiveServer, requests: Requests, new_page: Any,
                                     lang: str) -> None:
    tracked = requests.completed()
    page, sizes = _phone(new_page, lang)
    page.goto(live_server(tracked.link))
    assert page.locator(".banner.done").is_visible()
    assert page.locator("form[action$='/withdraw']").count() == 0
    _light(sizes)
    assert_accessible(page)
    shot(page, f"tracking-completed-{lang}")
    page.locator("input[name=satisfied][value=no]").check()
    page.locator("#comment").fill("店里排队太久" if lang == "zh-CN" else "The queue was long")
    follow(page, page.locator("#feedback button"))
    assert page.locator("#feedback").inner_text().strip() in (  # not satisfied: we call back
        "感谢您告诉我们。我们的工作人员会在 48 小时内给您回电，把问题为您解决好。",
        "Thank you for telling us. Someone from our team will call you within 48 hours to put it right.")
    assert_accessible(page)
    with live_server.app.app_context():
        follow_up = db.session.get_one(CancellationRequest, tracked.request_id).follow_up
    assert follow_up is not None and follow_up["satisfied"] is False


def test_the_language_switch_is_remembered(live_server: LiveServer, requests: Requests, new_page: Any) -> None:
    tracked = requests.ready()
    page, _ = _phone(new_page, "zh-CN")
    page.goto(live_server(tracked.link))
    assert page.locator("h2").first.inner_text() == "办理进度"
    follow(page, page.get_by_role("button", name="English"))
    assert page.locator("h2").first.inner_text() == "Your progress"
    page.goto(live_server(f"/t/{tracked.code}"))
    assert page.locator("h2").first.inner_text() == "Your progress"
