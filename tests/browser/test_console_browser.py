"""The console in a real browser: sign-in, accessibility, both languages."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import TABLET, LiveServer, assert_accessible, shot, sign_in


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
    assert "请再试一次" in page.locator("[role=alert]").inner_text()


def test_clerk_signs_in_and_out_on_a_tablet(live_server: LiveServer, demo: Any, new_page: Any) -> None:
    page = new_page(viewport=TABLET)
    sign_in(page, live_server, "clerk.hz")
    assert page.url.endswith("/console/")
    assert "clerk.hz" in page.content()
    assert_accessible(page)
    shot(page, "home-zh-CN-tablet")
    page.get_by_role("button", name="退出").click()
    assert page.url.endswith("/console/login")
    page.goto(live_server("/console/"))
    assert "/console/login" in page.url
