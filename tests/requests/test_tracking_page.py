"""The customer's tracking page ``/t/<code>``: every path and every error, with the Flask test client."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient

from cancelsvc.tracking import access
from cancelsvc.tracking.links import issue_link
from cancelsvc.tracking.service import PER_CLIENT, PER_CODE
from models import Account, CallTask, CancellationRequest, db
from tests.requests.conftest import Api, Clock, fresh, full_line, later, make_line

PER_CODE_LIMIT = int(PER_CODE.split()[0])
PER_CLIENT_LIMIT = int(PER_CLIENT.split()[0])
MONEY = re.compile(r"¥|CN¥|CNY|(?<![\d:.])\d+\.\d\d(?!\d)")


def _html(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _csrf(client: FlaskClient, code: str) -> str:
    """A CSRF token from the form page (the session cookie keeps its pair)."""
    for cached in ("csrf_token", "console_csrf"):  # the tests' shared app context would hand another client's token
        g.pop(cached, None)
    found = re.search(r'name="csrf_token" value="([^"]+)"', _html(client.get(f"/t/{code}")))
    assert found, "no form on the page"
    return found.group(1)


def _wrong(line: Account) -> str:
    return "0000" if line.msisdn[-4:] != "0000" else "1111"


def _verify(client: FlaskClient, code: str, digits: str, csrf: str | None = None) -> Any:
    return client.post(f"/t/{code}", data={"verify_code": digits, "csrf_token": csrf or _csrf(client, code)})


def _signed_in(client: FlaskClient, code: str, line: Account) -> None:
    response = _verify(client, code, line.msisdn[-4:])
    assert response.status_code == 303, _html(response)


def _post(client: FlaskClient, code: str, path: str, **data: str) -> Any:
    return client.post(f"/t/{code}{path}", data={**data, "csrf_token": _csrf(client, code)})


@pytest.fixture
def opened(app: Any, api: Api) -> tuple[Account, dict[str, Any]]:
    """A request with money, a router and subscriptions on its timeline."""
    line = full_line(third_party=True)
    doc = api.open_request(line)
    api.applied(doc["id"], "payment.received", {"amount": {"amount": "128.00", "currency": "CNY"}})
    api.applied(doc["id"], "device.returned", {"serial": f"ONT-{line.id}"})
    return line, doc


# --- The form, the 4 digits and the session --------------------------------------------

def test_without_access_the_page_is_the_4_digit_form(client: FlaskClient, opened: Any) -> None:
    _, doc = opened
    response = client.get(f"/t/{doc['tracking_code']}")
    html = _html(response)
    assert response.status_code == 200 and 'name="verify_code"' in html
    assert "138" not in html  # nothing about the request before the digits
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow" and 'name="robots" content="noindex' in html
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "请输入要注销号码的后 4 位" in html  # zh-CN by default


def test_right_digits_open_the_page_with_a_cookie_for_this_code_only(client: FlaskClient, opened: Any) -> None:
    line, doc = opened
    code = doc["tracking_code"]
    response = _verify(client, code, line.msisdn[-4:])
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/t/{code}")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{access.COOKIE}=")
    for attribute in ("HttpOnly", "SameSite=Strict", f"Path=/t/{code}", "Max-Age=1800"):
        assert attribute in cookie, attribute
    assert line.msisdn[-4:] not in cookie.split(";")[0]
    page = client.get(f"/t/{code}")
    html = _html(page)
    assert page.status_code == 200 and 'id="tracking"' in html
    assert f"+86 {line.msisdn[3:6]}****{line.msisdn[-4:]}" in html
    assert html.count('class="step ') == 10


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_page_shows_no_amounts_names_or_serials(client: FlaskClient, opened: Any, lang: str) -> None:
    line, doc = opened
    code = doc["tracking_code"]
    _signed_in(client, code, line)
    html = _html(client.get(f"/t/{code}", headers={"Accept-Language": lang}))
    assert not MONEY.search(html), MONEY.search(html)
    customer = line.customer
    for secret in (customer.name, customer.email, line.msisdn, f"ONT-{line.id}", f"MUSIC-{line.id}",
                   f"VIP-{line.id}", "—"):
        assert secret not in html, secret
    assert ("您的路由器已归还" if lang == "zh-CN" else "Your router is back with us") in html


def test_wrong_digits_and_unknown_codes_answer_alike(client: FlaskClient, opened: Any) -> None:
    line, doc = opened
    wrong = _verify(client, doc["tracking_code"], _wrong(line))
    unknown_code = "CX7K3M9Q2PRT"  # well formed, not ours
    unknown = _verify(client, unknown_code, line.msisdn[-4:])
    garbage = _verify(client, "nonsense", line.msisdn[-4:])
    for response in (wrong, unknown, garbage):
        assert response.status_code == 200 and "Set-Cookie" not in response.headers or \
            access.COOKIE not in response.headers.get("Set-Cookie", "")
        assert "没有对上" in _html(response)

    def shape(response: Any, code: str) -> str:
        return re.sub(r'value="[^"]+"', "", _html(response)).replace(code, "CODE")

    assert shape(wrong, doc["tracking_code"]) == shape(unknown, unknown_code)


def test_a_cookie_for_one_code_does_not_open_another(client: FlaskClient, app: Any, api: Api,
                                                   opened: Any) -> None:
    line, doc = opened
    other = api.open_request(make_line())
    _signed_in(client, doc["tracking_code"], line)
    value = client.get_cookie(access.COOKIE, path=f"/t/{doc['tracking_code']}").value
    elsewhere = app.test_client()  # a browser that sends the cookie anywhere
    response = elsewhere.get(f"/t/{other['tracking_code']}", headers={"Cookie": f"{access.COOKIE}={value}"})
    assert 'name="verify_code"' in _html(response)
    assert elsewhere.get(f"/t/{other['tracking_code']}/progress.json",
                         headers={"Cookie": f"{access.COOKIE}={value}"}).status_code == 404
    forged = elsewhere.get(f"/t/{doc['tracking_code']}", headers={"Cookie": f"{access.COOKIE}={value[:-2]}xx"})
    assert 'name="verify_code"' in _html(forged)


def test_the_session_ends_after_30_minutes(client: FlaskClient, app: Any, opened: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    line, doc = opened
    code = doc["tracking_code"]
    _signed_in(client, code, line)
    value = client.get_cookie(access.COOKIE, path=f"/t/{code}").value
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 31 * 60)
    response = app.test_client().get(f"/t/{code}", headers={"Cookie": f"{access.COOKIE}={value}"})
    assert 'name="verify_code"' in _html(response)


def test_codes_are_read_like_people_type_them(client: FlaskClient, opened: Any) -> None:
    _, doc = opened
    code = doc["tracking_code"]
    response = client.get(f"/t/{code.lower()}")
    assert response.status_code == 308 and response.headers["Location"].endswith(f"/t/{code}")


def test_posts_without_csrf_token_are_refused(client: FlaskClient, opened: Any) -> None:
    line, doc = opened
    response = client.post(f"/t/{doc['tracking_code']}", data={"verify_code": line.msisdn[-4:]})
    assert response.status_code == 400 and "页面已过期" in _html(response)
    assert access.COOKIE not in response.headers.get("Set-Cookie", "")


def test_the_language_switch_is_remembered(client: FlaskClient, opened: Any) -> None:
    line, doc = opened
    code = doc["tracking_code"]
    _signed_in(client, code, line)
    assert "办理进度" in _html(client.get(f"/t/{code}"))
    switched = _post(client, code, "/language", locale="en")
    assert switched.status_code == 303
    html = _html(client.get(f"/t/{code}"))
    assert "Your progress" in html and '<html lang="en">' in html
    assert "Your progress" in _html(client.get(f"/t/{code}", headers={"Accept-Language": "zh-CN"}))


# --- Guesses: the API's counters --------------------------------------------------------

def test_failed_guesses_lock_the_code_and_the_page_says_when_to_retry(client: FlaskClient, opened: Any) -> None:
    line, doc = opened
    code = doc["tracking_code"]
    csrf = _csrf(client, code)
    for _ in range(PER_CODE_LIMIT):
        assert _verify(client, code, _wrong(line), csrf).status_code == 200
    limited = _verify(client, code, line.msisdn[-4:], csrf)  # even the right digits, now
    assert limited.status_code == 429
    retry = int(limited.headers["Retry-After"])
    assert 0 < retry <= 15 * 60 + 1
    html = _html(limited)
    assert re.search(r"请在 \d+ 分钟后（\d\d:\d\d）再试", html), html
    assert access.COOKIE not in limited.headers.get("Set-Cookie", "")
    assert client.get(f"/t/{code}").status_code == 429  # the form too, until then


def test_page_and_api_guesses_draw_on_the_same_counters(client: FlaskClient, api: Api, opened: Any) -> None:
    line, doc = opened
    code = doc["tracking_code"]
    csrf = _csrf(client, code)
    for _ in range(PER_CODE_LIMIT - 2):
        _verify(client, code, _wrong(line), csrf)
    for _ in range(2):
        assert api.track(code, _wrong(line)).status_code == 404
    assert api.track(code, line.msisdn[-4:]).status_code == 429
    assert _verify(client, code, line.msisdn[-4:], csrf).status_code == 429


def test_a_browser_with_access_is_not_locked_out_by_others_guesses(client: FlaskClient, app: Any,
                                                                   opened: Any) -> None:
    line, doc = opened
    code = doc["tracking_code"]
    _signed_in(client, code, line)
    stranger = app.test_client()
    csrf = _csrf(stranger, code)
    for _ in range(PER_CODE_LIMIT + 1):
        _verify(stranger, code, _wrong(line), csrf)
    assert _verify(stranger, code, line.msisdn[-4:], csrf).status_code == 429
    assert 'id="tracking"' in _html(client.get(f"/t/{code}"))


# --- Links from messages ----------------------------------------------------------------

def _link(req_id: str) -> tuple[str, str]:
    url = issue_link(db.session.get_one(CancellationRequest, req_id))
    db.session.commit()
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query)["k"][0]


def test_a_link_from_a_message_opens_the_page_without_digits(client: FlaskClient, opened: Any) -> None:
    _, doc = opened
    path, token = _link(doc["id"])
    response = client.get(f"{path}?k={token}")
    assert response.status_code == 200 and 'id="tracking"' in _html(response)
    assert "SameSite=Strict" in response.headers["Set-Cookie"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert 'id="tracking"' in _html(client.get(path))  # the cookie carries on without the token


@pytest.mark.app_config(CANCELSVC_LINK_DAYS=1)
def test_expired_forged_and_foreign_tokens_fall_back_to_the_form(client: FlaskClient, api: Api, opened: Any,
                                                                 clock: Clock) -> None:
    _, doc = opened
    path, token = _link(doc["id"])
    other = api.open_request(make_line())
    _, other_token = _link(other["id"])
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    for bad in (forged, other_token, "", "NOT-A-TOKEN"):
        response = client.get(f"{path}?k={bad}")
        assert response.status_code == 200 and 'name="verify_code"' in _html(response), bad
        assert "这个链接已过期或不完整" in _html(response)
    from cancelsvc.tracking import links

    clock.at(later(days=1, minutes=1))
    original = links.utcnow
    links.utcnow = lambda: later(days=1, minutes=1)  # type: ignore[assignment]
    try:
        assert 'name="verify_code"' in _html(client.get(f"{path}?k={token}"))
    finally:
        links.utcnow = original  # type: ignore[assignment]


def test_bad_tokens_count_as_guesses(client: FlaskClient, opened: Any) -> None:
    _, doc = opened
    code = doc["tracking_code"]
    for n in range(PER_CODE_LIMIT):
        assert client.get(f"/t/{code}?k=AAAAAAAAA{n}").status_code == 200
    assert client.get(f"/t/{code}?k=AAAAAAAAAZ").status_code == 429


# --- progress.json ----------------------------------------------------------------------

def test_progress_json_needs_access_and_answers_with_its_etag(client: FlaskClient, api: Api, opened: Any) -> None:
    line, doc = opened
    code = doc["tracking_code"]
    denied = client.get(f"/t/{code}/progress.json")
    assert denied.status_code == 404
    _signed_in(client, code, line)
    first = client.get(f"/t/{code}/progress.json")
    assert first.status_code == 200 and first.headers["Content-Type"].startswith("application/json")
    body = first.get_json()
    assert body["tracking_code"] == code and body["msisdn"].startswith("+86 ")
    etag = first.headers["ETag"]
    assert etag == f'"v{body["version"]}.zh-CN"'
    same = client.get(f"/t/{code}/progress.json", headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.headers["ETag"] == etag
    page = _html(client.get(f"/t/{code}"))
    assert f'data-etag="v{body["version"]}.zh-CN"' in page
    api.applied(doc["id"], "identity.verified", {"method": "video"})
    moved = client.get(f"/t/{code}/progress.json", headers={"If-None-Match": etag})
    assert moved.status_code == 200 and moved.headers["ETag"] != etag


# --- Withdrawal -------------------------------------------------------------------------

def test_withdraw_asks_first_then_withdraws(client: FlaskClient, opened: Any) -> None:
    line, doc = opened
    code = doc["tracking_code"]
    _signed_in(client, code, line)
    confirm = _post(client, code, "/withdraw")
    html = _html(confirm)
    assert confirm.status_code == 200 and 'name="confirm" value="yes"' in html
    for kept in ("号码和套餐", "增值业务和服务", "家庭组成员身份", "余额和积分"):
        assert kept in html
    assert fresh(doc["id"]).state == "in_progress"
    done = _post(client, code, "/withdraw", confirm="yes")
    assert done.status_code == 303
    assert fresh(doc["id"]).state == "withdrawn"
    page = _html(client.get(f"/t/{code}"))
    assert "申请已撤回" in page and "撤回申请</button>" not in page
    # The steps that were under way say they stopped, not that they were never needed.
    assert "已停止：申请已撤回" in page and "无需办理" not in page


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=1)
def test_withdraw_after_cooling_off_is_explained(client: FlaskClient, opened: Any, clock: Clock) -> None:
    line, doc = opened
    code = doc["tracking_code"]
    _signed_in(client, code, line)
    clock.at(later(hours=2))
    response = _post(client, code, "/withdraw", confirm="yes")
    assert response.status_code == 409 and "冷静期已结束" in _html(response)
    assert fresh(doc["id"]).state == "in_progress"


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=1)
def test_the_withdraw_button_goes_when_the_cooling_off_ends_even_right_after_a_reload(
        client: FlaskClient, opened: Any, clock: Clock) -> None:
    line, doc = opened
    code = doc["tracking_code"]
    _signed_in(client, code, line)
    until = dt.datetime.fromisoformat(client.get(f"/t/{code}/progress.json").json["withdraw_until"])
    clock.at(until - dt.timedelta(seconds=1))
    assert "撤回申请</button>" in _html(client.get(f"/t/{code}"))
    assert client.get(f"/t/{code}/progress.json").json["can_withdraw"] is True
    clock.at(until + dt.timedelta(seconds=1))  # the page shown a moment ago is not served again
    assert "撤回申请</button>" not in _html(client.get(f"/t/{code}"))
    assert client.get(f"/t/{code}/progress.json").json["can_withdraw"] is False


def test_withdraw_and_feedback_need_access(client: FlaskClient, opened: Any) -> None:
    _, doc = opened
    code = doc["tracking_code"]
    for path in ("/withdraw", "/feedback"):
        response = _post(client, code, path, confirm="yes", satisfied="no")
        assert response.status_code == 404
    assert fresh(doc["id"]).state == "in_progress"


# --- Feedback after deactivation --------------------------------------------------------

@pytest.fixture
def deactivated(app: Any, api: Api, clock: Clock) -> tuple[Account, dict[str, Any]]:
    line = make_line()
    doc = api.open_request(line)
    api.applied(doc["id"], "identity.verified", {"method": "video"})
    hours = app.extensions["cancelsvc"].settings.CANCELSVC_COOLING_OFF_HOURS
    clock.tick(later(hours=hours + 1))
    assert fresh(doc["id"]).state == "completed"
    return line, doc


def test_feedback_before_deactivation_is_explained(client: FlaskClient, opened: Any) -> None:
    line, doc = opened
    _signed_in(client, doc["tracking_code"], line)
    response = _post(client, doc["tracking_code"], "/feedback", satisfied="yes")
    assert response.status_code == 409 and "号码注销后" in _html(response)
    assert fresh(doc["id"]).follow_up is None


def test_not_satisfied_puts_a_priority_call_on_the_list_once(client: FlaskClient, deactivated: Any) -> None:
    line, doc = deactivated
    code = doc["tracking_code"]
    _signed_in(client, code, line)
    assert 'name="satisfied"' in _html(client.get(f"/t/{code}"))
    response = _post(client, code, "/feedback", satisfied="no", comment="The store was closed")
    assert response.status_code == 303
    req = fresh(doc["id"])
    assert req.follow_up["satisfied"] is False and req.follow_up["comment"] == "The store was closed"
    again = _post(client, code, "/feedback", satisfied="yes", comment="changed my mind")
    assert again.status_code == 303
    assert fresh(doc["id"]).follow_up == req.follow_up  # recorded once
    tasks = db.session.execute(sa.select(CallTask).where(CallTask.request_id == doc["id"])).scalars().all()
    dissatisfied = [t for t in tasks if t.kind == "dissatisfied"]
    assert len(dissatisfied) == 1 and dissatisfied[0].priority == 0 and dissatisfied[0].closed_at is None
    assert all(t.closed_at is not None for t in tasks if t.kind == "follow_up")
    page = _html(client.get(f"/t/{code}"))
    assert 'name="satisfied"' not in page
    # told that someone calls them back, in the card and on the timeline; never "done"
    assert page.count("我们的工作人员会在 48 小时内给您回电") == 2 and "回访已完成" not in page


def test_a_satisfied_customer_is_thanked(client: FlaskClient, deactivated: Any) -> None:
    line, doc = deactivated
    code = doc["tracking_code"]
    _signed_in(client, code, line)
    assert _post(client, code, "/feedback", satisfied="yes").status_code == 303
    page = _html(client.get(f"/t/{code}"))
    assert "感谢您告诉我们办理体验" in page and "回访已完成" in page and "回电" not in page


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=1)
def test_feedback_needs_a_choice(client: FlaskClient, deactivated: Any) -> None:
    line, doc = deactivated
    _signed_in(client, doc["tracking_code"], line)
    response = _post(client, doc["tracking_code"], "/feedback", comment="hm")
    assert response.status_code == 422 and "请选择满意或不满意" in _html(response)
    assert fresh(doc["id"]).follow_up is None


def test_phone_numbers_are_links_and_the_update_note_waits_for_the_script(client: FlaskClient, opened: Any) -> None:
    line, doc = opened
    code = doc["tracking_code"]
    _signed_in(client, code, line)
    page = _html(client.get(f"/t/{code}"))
    assert '<a href="tel:10000">10000</a>' in page and "&lt;a" not in page
    assert '<p class="refresh" id="refresh" hidden>' in page  # shown by tracking.js, which polls


def test_a_finished_request_does_not_promise_updates(client: FlaskClient, deactivated: Any) -> None:
    line, doc = deactivated
    _signed_in(client, doc["tracking_code"], line)
    page = _html(client.get(f"/t/{doc['tracking_code']}"))
    assert "本页会自动更新" not in page and "updates itself" not in page
