"""The console in a real browser: the clerk's walk-through, a supervisor's waiver, another
store's clerk, both languages, two screen sizes, and axe-core on every page."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import SCREENSHOTS, TABLET, LiveServer, assert_accessible, follow, shot, sign_in

ZHANG_WEI = "138 0000 0001"


def test_login_page_is_accessible_in_both_languages(live_server: LiveServer, new_page: Any) -> None:
    for locale, heading in (("zh-CN", "销户服务台"), ("en", "Cancellation desk")):
        page = new_page(locale=locale)
        page.goto(live_server("/console/login"))
        assert page.locator("h1").inner_text() == heading
        assert_accessible(page)
        shot(page, f"login-{locale}")


def test_wrong_password_is_told_and_nothing_else_changes(live_server: LiveServer, demo: Any, page: Any) -> None:
    sign_in(page, live_server, "clerk.hz", "not-the-password")
    assert page.url.endswith("/console/login")
    assert page.locator(".error-summary").is_visible()


def _walk_through(page: Any, server: LiveServer, lang: str) -> str:
    """Sign in, find 张伟, pre-check, read the fee, submit, tick an item; returns the request URL."""
    sign_in(page, server, "clerk.hz")
    assert page.url.endswith("/console/")
    if lang == "en":
        follow(page, page.get_by_role("button", name="English"))
    assert_accessible(page)
    shot(page, f"queue-{lang}")
    page.locator("#q").fill(ZHANG_WEI)
    follow(page, page.locator("form.search button"))
    assert_accessible(page)
    shot(page, f"search-{lang}")
    follow(page, page.locator("table a", has_text="+8613800000001").first)
    assert "/console/accounts/" in page.url
    assert_accessible(page)
    shot(page, f"account-{lang}")
    follow(page, page.locator("form[action$='/precheck'] button[type=submit]"))
    assert "/console/prechecks/" in page.url
    calculator = page.locator(".calculator").first
    assert calculator.is_visible()
    assert calculator.locator(".total").last.inner_text().strip().startswith(("¥", "CN¥"))
    assert_accessible(page)
    shot(page, f"precheck-{lang}")
    page.locator("#reason").select_option("moving")
    page.locator("#contact_phone").fill("139 1234 5678")
    submit = page.locator("#submit form button[type=submit]")
    submit.dblclick()  # a double-click submits once
    page.wait_for_url("**/console/requests/**")
    request_url = page.url
    assert_accessible(page)
    first_note = page.locator(".item-form input[name=note]").first
    first_note.fill("已核对身份证原件" if lang == "zh-CN" else "ID card checked")
    follow(page, page.locator(".item-form button[value=done]").first)
    page.wait_for_load_state()
    assert page.locator(".timeline .node").count() == 10
    assert page.locator(".checklist-table").inner_text().count("已核对身份证原件" if lang == "zh-CN" else "ID card checked") == 1
    assert _fits_sideways(page, "#checklist + .table-wrap")  # the tick is on screen, at 1280 and at 768 px
    shot(page, f"request-{lang}")
    follow(page, page.get_by_role("link", name="打印给客户" if lang == "zh-CN" else "Print for the customer"))
    assert "/print" in page.url
    assert page.locator(".qr svg").is_visible()
    page.emulate_media(media="print")
    shot(page, f"print-{lang}")
    SCREENSHOTS.mkdir(exist_ok=True)
    pdf = page.pdf(path=str(SCREENSHOTS / f"print-{lang}.pdf"), format="A4")
    assert pdf[:4] == b"%PDF"
    page.emulate_media(media="screen")
    assert_accessible(page)
    return request_url


def test_clerk_serves_zhang_wei_from_sign_in_to_printout(live_server: LiveServer, demo: Any, page: Any) -> None:
    request_url = _walk_through(page, live_server, "zh-CN")
    page.goto(request_url)
    from models import CancellationRequest, db

    with live_server.app.app_context():
        assert db.session.query(CancellationRequest).filter(CancellationRequest.state == "in_progress").count() == 2
    page.goto(live_server("/console/"))
    _queue_fits(page, "queue-filled-zh-CN")
    page.goto(live_server("/console/calls"))
    assert_accessible(page)
    shot(page, "calls-zh-CN")
    follow(page, page.get_by_role("button", name="退出"))
    assert page.url.endswith("/console/login")
    page.goto(request_url)
    assert "/console/login" in page.url


def test_walk_through_in_english_on_a_tablet(live_server: LiveServer, demo: Any, new_page: Any) -> None:
    page = new_page(viewport=TABLET)
    _walk_through(page, live_server, "en")
    page.goto(live_server("/console/"))
    assert page.locator("h1").inner_text().startswith("Work queue")  # the session remembers English
    _queue_fits(page, "queue-filled-en-tablet")


def _queue_fits(page: Any, name: str) -> None:
    """The queue, with the request just submitted in it, shows every column without scrolling sideways."""
    assert page.locator("table.queue tbody tr").count() >= 1
    assert _fits_sideways(page, ".table-wrap")
    shot(page, name)


def _fits_sideways(page: Any, selector: str) -> bool:
    return bool(page.evaluate("(s) => { const w = document.querySelector(s); return w.scrollWidth <= w.clientWidth; }",
                              selector))


def test_supervisor_waives_and_another_store_clerk_gets_nothing(live_server: LiveServer, demo: Any,
                                                                new_page: Any) -> None:
    from cancelsvc.auth.sessions import create_user
    from cancelsvc.database import transaction

    with live_server.app.app_context(), transaction():
        create_user("clerk.sh", "cancelsvc-demo", "clerk", "SH-001")
    clerk = new_page()
    request_url = _walk_through(clerk, live_server, "zh-CN")
    supervisor = new_page()
    sign_in(supervisor, live_server, "supervisor.hz")
    supervisor.goto(request_url)
    waive = supervisor.locator(".item-form button[value=waived]").first
    supervisor.locator(".item-form input[name=note]").first.fill("客户已在外地，主管同意减免")
    follow(supervisor, waive)
    supervisor.wait_for_load_state()
    assert "已减免" in supervisor.locator(".checklist-table").inner_text() or \
        "Waived" in supervisor.locator(".checklist-table").inner_text()
    shot(supervisor, "request-waived-zh-CN")
    other = new_page()
    sign_in(other, live_server, "clerk.sh")
    response = other.goto(request_url)
    assert response.status == 404
    assert "销户" not in other.locator("main").inner_text() or "请求" not in other.locator("main").inner_text()
    assert_accessible(other)
    other.goto(live_server("/console/"))
    assert other.locator("table.queue").count() == 0
    other.locator("#q").fill(ZHANG_WEI)
    follow(other, other.locator("form.search button"))
    assert other.locator("table a").count() == 0
