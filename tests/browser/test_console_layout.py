"""The console's layout at the counter screen (1366×768): controls beside their labels,
tables and boxes wide enough for their words."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer, follow, shot, sign_in

COUNTER = {"width": 1366, "height": 768}
ZHANG_WEI = "138 0000 0001"


def _lines(element: Any) -> int:
    """How many lines the element's text takes."""
    return int(element.evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el); return r.getClientRects().length; }"))


def assert_controls_beside_labels(page: Any) -> int:
    """Every radio button and checkbox is a small box with its label right after it, on one line."""
    controls = page.locator("main input[type=radio], main input[type=checkbox]")
    for i in range(controls.count()):
        control = controls.nth(i)
        box = control.bounding_box()
        label = page.locator(f"label[for='{control.get_attribute('id')}']").bounding_box()
        assert box["width"] <= 32, (control.get_attribute("id"), box)
        assert 0 <= label["x"] - (box["x"] + box["width"]) <= 24, (control.get_attribute("id"), box, label)
        assert label["height"] <= 40, (control.get_attribute("id"), label)  # one line
    return controls.count()


def test_radios_and_checkboxes_sit_beside_their_labels(live_server: LiveServer, demo: Any, new_page: Any) -> None:
    withdraw_url = ""
    for locale in ("zh-CN", "en"):
        page = new_page(locale=locale, viewport=COUNTER)
        sign_in(page, live_server, "clerk.hz")
        assert assert_controls_beside_labels(page) >= 1  # the queue's "late only" filter
        page.locator("#q").fill(ZHANG_WEI)
        follow(page, page.locator("form.search button"))
        follow(page, page.locator("table a", has_text="+8613800000001").first)
        assert assert_controls_beside_labels(page) >= 2  # asap / on a date
        shot(page, f"layout-account-{locale}")
        if not withdraw_url:
            follow(page, page.locator("form[action$='/precheck'] button[type=submit]"))
            page.locator("#reason").select_option("moving")
            page.locator("#contact_phone").fill("139 1234 5678")
            follow(page, page.locator("#submit form button[type=submit]"))
            withdraw_url = page.locator("a[href$='/withdraw']").get_attribute("href")
        page.goto(live_server(withdraw_url))
        assert assert_controls_beside_labels(page) == 1
        shot(page, f"layout-withdraw-{locale}")


def test_checklist_and_calculator_keep_their_words_whole(live_server: LiveServer, demo: Any, new_page: Any) -> None:
    for locale in ("zh-CN", "en"):
        page = new_page(locale=locale, viewport=COUNTER)
        sign_in(page, live_server, "clerk.hz")
        page.locator("#q").fill(ZHANG_WEI)
        follow(page, page.locator("form.search button"))
        follow(page, page.locator("table a", has_text="+8613800000001").first)
        follow(page, page.locator("form[action$='/precheck'] button[type=submit]"))
        labels = page.locator(".calc dt")
        for i in range(labels.count()):  # a label on one line (not broken word by word)
            assert _lines(labels.nth(i)) == 1, labels.nth(i).inner_text()
        shot(page, f"layout-calculator-{locale}")
        if page.locator("#reason").count():
            page.locator("#reason").select_option("moving")
            follow(page, page.locator("#submit form button[type=submit]"))
        else:
            follow(page, page.locator("a[href*='/console/requests/']").first)
        headers = page.locator(".checklist-table thead th")
        for i in range(headers.count()):
            assert _lines(headers.nth(i)) == 1, headers.nth(i).inner_text()
        owners = page.locator(".checklist-table tbody td:nth-child(2)")
        for i in range(owners.count()):  # "营业员" on one line, not "营业/员"
            assert _lines(owners.nth(i)) == 1, owners.nth(i).inner_text()
        shot(page, f"layout-checklist-{locale}")
