"""Console pages through the Flask test client: every page and form, and every error path
(wrong store, stale version, double submit, waiver by a clerk, expired session, CSRF missing)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from models import AuditRecord, CancellationRequest, db
from tests.factories import (
    BillFactory,
    ContractFactory,
    CustomerFactory,
    DeviceFactory,
    ServiceFactory,
    StaffUserFactory,
)
from tests.requests.conftest import Api, console_login, fresh, later, make_line, run_jobs
from tests.requests.conftest import console_csrf as _csrf


def _html(response: Any) -> str:
    return response.get_data(as_text=True)


def _precheck(client: Any, form: dict[str, str], account_id: int, **data: str) -> str:
    response = client.post(f"/console/accounts/{account_id}/precheck", data={**form, "when": "asap", **data})
    assert response.status_code == 302, _html(response)
    return response.headers["Location"].rsplit("/", 1)[1]


def _submit_form(client: Any, precheck_id: str) -> dict[str, str]:
    html = _html(client.get(f"/console/prechecks/{precheck_id}"))
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', html).group(1)
    return {"precheck_id": precheck_id, "submission_key": key}


def _todo(rid: str) -> str:
    """The key of the request's first open item (at the counter: the identity documents)."""
    return next(i.key for i in fresh(rid).items if i.status == "todo")


def _status(rid: str, key: str) -> str:
    return next(i.status for i in fresh(rid).items if i.key == key)


def _submit(client: Any, form: dict[str, str], account_id: int, **data: str) -> str:
    pid = _precheck(client, form, account_id)
    response = client.post(f"/console/prechecks/{pid}/submit", data={**form, **_submit_form(client, pid), **data})
    assert response.status_code == 303, _html(response)
    client.get(response.headers["Location"])  # the request page, as the browser opens it
    return response.headers["Location"].rsplit("/", 1)[1]


# --- Sign-in, session, language -----------------------------------------------------------

def test_pages_need_a_session(client: Any, app: Any) -> None:
    for path in ("/console/", "/console/calls", "/console/accounts/1", "/console/prechecks/x",
                 "/console/requests/x", "/console/requests/x/print"):
        response = client.get(path)
        assert response.status_code == 302 and "/console/login" in response.headers["Location"], path


@pytest.mark.app_config(CANCELSVC_CONSOLE_IDLE_MINUTES=1)
def test_session_expires_after_the_idle_minutes(client: Any, app: Any, clerk: dict[str, str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import itsdangerous.timed as timed

    assert client.get("/console/").status_code == 200
    real = timed.time.time
    monkeypatch.setattr(timed.time, "time", lambda: real() + 61)
    response = client.get("/console/")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_posts_without_csrf_token_change_nothing(client: Any, app: Any, clerk: dict[str, str]) -> None:
    line = make_line()
    response = client.post(f"/console/accounts/{line.id}/precheck", data={"when": "asap"})
    assert response.status_code == 400 and "csrf" in _html(response).lower()
    assert client.post("/console/search", data={"q": "x"}).status_code == 400
    assert db.session.execute(sa.select(sa.func.count()).select_from(CancellationRequest)).scalar_one() == 0


def test_language_switch_is_remembered_in_the_session(client: Any, app: Any, clerk: dict[str, str]) -> None:
    response = client.post("/console/language", data={**clerk, "locale": "en", "next": "/console/calls"})
    assert response.status_code == 302 and response.headers["Location"] == "/console/calls"
    assert '<html lang="en">' in _html(client.get("/console/"))
    away = client.post("/console/language", data={**clerk, "locale": "zh-CN", "next": "https://evil.example/"})
    assert away.headers["Location"] == "/console/"
    assert '<html lang="zh-CN">' in _html(client.get("/console/"))


# --- Queue and search ---------------------------------------------------------------------

def test_queue_lists_the_store_open_requests_with_filters(client: Any, app: Any, api: Api,
                                                          clerk: dict[str, str]) -> None:
    mine = api.open_request(make_line(store_code="HZ-001"))
    theirs = api.open_request(make_line(store_code="SH-001"))
    html = _html(client.get("/console/"))
    assert mine["tracking_code"] in html and theirs["tracking_code"] not in html
    assert mine["tracking_code"] not in _html(client.get("/console/?waiting_on=operator"))
    assert mine["tracking_code"] in _html(client.get("/console/?waiting_on=customer&state=in_progress"))
    assert mine["tracking_code"] not in _html(client.get("/console/?breached=1"))
    assert client.get("/console/?page=99999999&state=<script>").status_code == 200


def test_search_finds_the_store_customers_by_number_and_id_card(client: Any, app: Any,
                                                                clerk: dict[str, str]) -> None:
    customer = CustomerFactory(name="张伟", id_number="110101199003071234")
    line = make_line(msisdn="+8613800138000", customer=customer)
    make_line(msisdn="+8613800138009", store_code="SH-001")
    found = client.post("/console/search", data={**clerk, "q": "138 0013 8000"})
    assert found.status_code == 200 and f"/console/accounts/{line.id}" in _html(found)
    by_card = _html(client.post("/console/search", data={**clerk, "q": "110101199003071234"}))
    assert f"/console/accounts/{line.id}" in by_card and "110101199003071234" not in by_card.split("</header>")[1]
    assert "+8613800138009" not in _html(client.post("/console/search", data={**clerk, "q": "13800138009"}))
    empty = client.post("/console/search", data={**clerk, "q": ""})
    assert empty.status_code == 422 and "error-summary" in _html(empty)


# --- Account, pre-check, submission --------------------------------------------------------

def test_account_and_precheck_pages_show_the_fee_as_a_calculator(client: Any, app: Any,
                                                                 clerk: dict[str, str]) -> None:
    line = make_line(contract=True, bill=True, device=True)
    html = _html(client.get(f"/console/accounts/{line.id}"))
    assert line.msisdn in html and f"K-{line.id}" in html and f"ONT-{line.id}" in html
    pid = _precheck(client, clerk, line.id)
    page = _html(client.get(f"/console/prechecks/{pid}"))
    assert 'class="calculator"' in page and "200.00" in page
    assert 'name="submission_key"' in page and 'id="contact_phone"' in page


def test_account_page_lists_every_holding_in_order(client: Any, app: Any, clerk: dict[str, str]) -> None:
    line = make_line()
    for period, due in (("2026-10", "88.00"), ("2026-08", "66.00"), ("2026-09", "77.00")):
        BillFactory(account=line, period=period, amount_due=Decimal(due))
    for serial in ("ONT-B", "ONT-A"):
        DeviceFactory(account=line, serial=serial)
    ServiceFactory(account=line, name="彩铃", status="cancelled")
    ServiceFactory(account=line, name="视频会员")
    ContractFactory(account=line, external_id="K-first")
    ContractFactory(account=line, external_id="K-second")
    other = make_line(bill=True)  # another line's holdings stay off this page
    db.session.commit()
    html = _html(client.get(f"/console/accounts/{line.id}"))
    order = ["K-first", "K-second", "2026-08", "66.00", "2026-09", "2026-10", "ONT-B", "ONT-A", "彩铃", "视频会员"]
    places = [html.index(text) for text in order]
    assert places == sorted(places)
    assert f"K-{other.id}" not in html and html.count("<tr><td>2026-") == 3


@pytest.mark.parametrize(("lang", "separator"), [("zh-CN", "、"), ("en", ", ")])
def test_account_page_lists_holds_the_page_language_way(client: Any, app: Any, clerk: dict[str, str],
                                                        lang: str, separator: str) -> None:
    from cancelsvc.texts import term

    line = make_line(holds=["legal_hold", "porting_in_progress"])
    html = _html(client.get(f"/console/accounts/{line.id}", headers={"Accept-Language": lang}))
    words = [term("hold", h, lang) for h in ("legal_hold", "porting_in_progress")]
    assert separator.join(words) in html


def test_precheck_form_errors_are_listed(client: Any, app: Any, clerk: dict[str, str]) -> None:
    line = make_line()
    for date, status in (("31/12/2026", 422), ("2001-01-01", 422)):
        response = client.post(f"/console/accounts/{line.id}/precheck",
                               data={**clerk, "when": "date", "effective_date": date})
        assert response.status_code == status and 'href="#effective_date"' in _html(response)
    assert client.post(f"/console/accounts/{line.id}/precheck", data={**clerk, "when": "soon"}).status_code == 422


def _notices(client: Any, response: Any) -> list[str]:
    """The confirmations the page after a form's redirect shows (each shown once)."""
    assert response.status_code == 303
    return re.findall(r'<p class="notice" role="status">([^<]*)</p>', _html(client.get(response.headers["Location"])))


def test_double_submit_makes_one_request_with_the_contact(client: Any, app: Any, clerk: dict[str, str]) -> None:
    line = make_line()
    pid = _precheck(client, clerk, line.id)
    form = {**clerk, **_submit_form(client, pid), "reason": "moving", "contact_phone": "139 1234 5678"}
    first = client.post(f"/console/prechecks/{pid}/submit", data=form)
    second = client.post(f"/console/prechecks/{pid}/submit", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert _notices(client, first) == ["申请已提交。请为客户打印待办清单，上面有查询进度的链接。"] * 2  # one per send
    assert _notices(client, first) == []  # shown once
    rows = db.session.execute(sa.select(CancellationRequest)).scalars().all()
    assert len(rows) == 1 and rows[0].contact == {"phone": "+8613912345678"} and rows[0].reason == "moving"
    assert rows[0].created_by.startswith("staff:")


def test_submission_problems_are_shown_in_the_page(client: Any, app: Any, api: Api, clerk: dict[str, str]) -> None:
    line = make_line()
    pid = _precheck(client, clerk, line.id)
    form = {**clerk, **_submit_form(client, pid)}
    bad = client.post(f"/console/prechecks/{pid}/submit", data={**form, "contact_phone": "12345",
                                                                   "contact_email": "nope"})
    assert bad.status_code == 422 and 'href="#contact_phone"' in _html(bad) and 'href="#contact_email"' in _html(bad)
    # Switching the language here leads back to the pre-check, not to the work queue.
    assert f'name="next" value="/console/prechecks/{pid}"' in _html(bad)
    own = line.msisdn.removeprefix("+86")
    same = client.post(f"/console/prechecks/{pid}/submit", data={**form, "contact_phone": f"{own[:3]} {own[3:7]} {own[7:]}"})
    assert same.status_code == 422 and 'href="#contact_phone"' in _html(same)
    assert "这是正在注销的号码，注销后将无法接通。" in _html(same)
    assert db.session.execute(sa.select(sa.func.count()).select_from(CancellationRequest)).scalar() == 0
    api.open_request(line)
    taken = client.post(f"/console/prechecks/{pid}/submit", data=form)
    assert taken.status_code == 409 and "error-summary" in _html(taken)


# --- The request page ---------------------------------------------------------------------------

def test_tick_an_item_and_see_it_in_the_audit_log(client: Any, app: Any, clerk: dict[str, str]) -> None:
    line = make_line()
    rid = _submit(client, clerk, line.id)
    version, key = fresh(rid).version, _todo(rid)
    response = client.post(f"/console/requests/{rid}/items", data={**clerk, "version": version,
                                                                   "key": key, "status": "done",
                                                                   "note": "已核对身份证原件"})
    assert response.status_code == 303
    req = fresh(rid)
    item = next(i for i in req.items if i.key == key)
    assert item.status == "done" and item.note == "已核对身份证原件" and req.state == "ready"
    assert _notices(client, response) == ["已保存，待办清单已更新。"]
    unknown = client.post(f"/console/requests/{rid}/items", data={**clerk, "version": req.version,
                                                                  "key": "no.such", "status": "done"})
    assert unknown.status_code == 404
    audit = db.session.execute(sa.select(AuditRecord).where(AuditRecord.action == "cancellation.item_done")).scalar_one()
    assert audit.actor.startswith("staff:")


def test_stale_form_shows_the_request_as_it_is_and_keeps_the_note(client: Any, app: Any, api: Api,
                                                                   clerk: dict[str, str]) -> None:
    line = make_line(contract=True)
    rid = _submit(client, clerk, line.id)
    stale, key = fresh(rid).version, _todo(rid)
    api.applied(rid, "payment.received", {"amount": {"amount": "1.00", "currency": "CNY"}})
    response = client.post(f"/console/requests/{rid}/items", data={**clerk, "version": stale,
                                                                   "key": key, "status": "done",
                                                                   "note": "已核对原件"})
    assert response.status_code == 409
    html = _html(response)
    assert "error-summary" in html and 'value="已核对原件"' in html
    assert _status(rid, key) == "todo"


def test_a_clerk_cannot_waive_and_is_told_so(client: Any, app: Any, clerk: dict[str, str]) -> None:
    rid = _submit(client, clerk, make_line().id)
    key = _todo(rid)
    response = client.post(f"/console/requests/{rid}/items", data={**clerk, "version": fresh(rid).version,
                                                                   "key": key, "status": "waived",
                                                                   "note": "客户在外地"})
    assert response.status_code == 403 and "error-summary" in _html(response)
    assert _status(rid, key) == "todo"


def test_a_supervisor_waives_with_a_reason(client: Any, app: Any) -> None:
    StaffUserFactory(username="boss", role="supervisor", store_code="HZ-001")
    console_login(client, "boss")
    form = {"csrf_token": _csrf(client)}
    rid = _submit(client, form, make_line().id)
    key = _todo(rid)
    data = {**form, "version": fresh(rid).version, "key": key, "status": "waived"}
    missing = client.post(f"/console/requests/{rid}/items", data={**data, "note": ""})
    assert missing.status_code == 422
    row = _html(missing).split(f'name="key" value="{key}"', 1)[1].split("</form>", 1)[0]  # the item's own form
    assert '<p class="error-message" id="note-error-' in row and "请说明减免这一项的原因。" in row
    assert 'aria-invalid="true"' in row and _html(missing).count('aria-invalid="true"') == 1
    assert client.post(f"/console/requests/{rid}/items", data={**data, "note": "主管同意"}).status_code == 303
    assert _status(rid, key) == "waived"


def test_another_store_gets_404_everywhere(client: Any, app: Any, api: Api, clerk: dict[str, str]) -> None:
    line = make_line(store_code="SH-001")
    rid = api.open_request(line)["id"]
    precheck_id = fresh(rid).precheck_id
    for path in (f"/console/accounts/{line.id}", f"/console/prechecks/{precheck_id}", f"/console/requests/{rid}",
                 f"/console/requests/{rid}/print", f"/console/requests/{rid}/withdraw", "/console/requests/x"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert line.msisdn not in _html(response)
    for path in (f"/console/accounts/{line.id}/precheck", f"/console/requests/{rid}/items",
                 f"/console/requests/{rid}/follow-up", f"/console/requests/{rid}/withdraw",
                 "/console/calls/x/close"):
        assert client.post(path, data={**clerk, "version": 1, "when": "asap"}).status_code == 404, path


def test_withdraw_needs_the_confirmation_and_restores_the_line(client: Any, app: Any, clerk: dict[str, str]) -> None:
    rid = _submit(client, clerk, make_line().id)
    page = client.get(f"/console/requests/{rid}/withdraw")
    assert page.status_code == 200 and 'name="confirm"' in _html(page)
    version = fresh(rid).version
    unconfirmed = client.post(f"/console/requests/{rid}/withdraw", data={**clerk, "version": version})
    assert unconfirmed.status_code == 422 and fresh(rid).state == "in_progress"
    stale = client.post(f"/console/requests/{rid}/withdraw", data={**clerk, "version": version - 1, "confirm": "y"})
    assert stale.status_code == 409 and fresh(rid).state == "in_progress"
    done = client.post(f"/console/requests/{rid}/withdraw", data={**clerk, "version": version, "confirm": "y"})
    assert done.status_code == 303 and fresh(rid).state == "withdrawn"
    assert _notices(client, done) == ["申请已撤回，号码、业务和余额都保持原样。"]
    again = client.post(f"/console/requests/{rid}/withdraw", data={**clerk, "version": fresh(rid).version,
                                                                    "confirm": "y"})
    assert again.status_code == 409


def test_print_page_masks_the_number_and_has_the_qr_code(client: Any, app: Any, clerk: dict[str, str]) -> None:
    line = make_line(msisdn="+8613800138000")
    rid = _submit(client, clerk, line.id)
    html = _html(client.get(f"/console/requests/{rid}/print"))
    code = fresh(rid).tracking_code
    assert "+86 138****8000" in html and "+8613800138000" not in html
    assert f"http://127.0.0.1:5000/t/{code}" in html and "<svg" in html
    assert "<nav" not in html and "print.css" in html


def test_admins_see_every_store_in_the_queue_and_choose_one(client: Any, app: Any, api: Api) -> None:
    from tests.factories import StaffUserFactory, StoreFactory

    StoreFactory(code="HZ-001", name="杭州西湖营业厅")
    StoreFactory(code="CD-001", name="成都春熙路营业厅")
    hangzhou = api.open_request(make_line())["tracking_code"]
    chengdu = api.open_request(make_line(store_code="CD-001"))["tracking_code"]
    StaffUserFactory(username="boss", role="admin", store_code=None)
    console_login(client, "boss")
    everything = _html(client.get("/console/"))
    assert hangzhou in everything and chengdu in everything
    assert '<th scope="col">营业厅</th>' in everything and "<td>CD-001</td>" in everything
    assert '<option value="CD-001" >CD-001 · 成都春熙路营业厅</option>' in everything
    one = _html(client.get("/console/?store=CD-001"))
    assert chengdu in one and hangzhou not in one
    assert '<option value="CD-001" selected>' in one


def test_a_clerks_queue_has_no_store_column(client: Any, app: Any, clerk: dict[str, str]) -> None:
    html = _html(client.get("/console/"))
    assert 'id="f-store"' not in html and "营业厅</th>" not in html


def test_the_timeline_says_whom_a_step_waits_on_in_a_phrase(client: Any, app: Any, clerk: dict[str, str]) -> None:
    rid = _submit(client, clerk, make_line(bill=True).id)
    statuses = re.findall(r'<span class="node-status">(.*?)</span>', _html(client.get(f"/console/requests/{rid}")))
    assert any("等待客户办理" in s for s in statuses), statuses
    assert not any("等待 " in s for s in statuses)


def test_a_clean_line_says_nothing_stands_in_the_way(client: Any, app: Any, clerk: dict[str, str]) -> None:
    html = _html(client.get(f"/console/prechecks/{_precheck(client, clerk, make_line().id)}"))
    findings = html.split('id="h-findings"', 1)[1].split("</section>", 1)[0]
    assert "没有需要先处理的事项" in findings and "<article" not in findings


def test_a_waived_fee_is_not_calculated_as_zero(client: Any, app: Any, clerk: dict[str, str]) -> None:
    """The calculator of a waived fixed-term fee says it is waived, not that the contract's fee is ¥0.00."""
    from models import Contract

    line = make_line(contract=True)
    db.session.execute(sa.update(Contract).where(Contract.account_id == line.id).values(waiver_reason="terms_changed"))
    db.session.commit()
    html = _html(client.get(f"/console/prechecks/{_precheck(client, clerk, line.id)}"))
    calculator = html.split('class="calculator"', 1)[1].split("</div>", 1)[0]
    assert "<dt>减免</dt><dd>整笔费用已免除</dd>" in calculator
    assert "<dt>合约约定的固定提前解约费</dt><dd>—</dd>" in calculator and "¥200.00" in html


@pytest.mark.parametrize("page", ["", "/print"])
def test_only_sums_due_read_as_plain_amounts(client: Any, app: Any, clerk: dict[str, str], page: str) -> None:
    """A replacement fee and a service's monthly fee say what they are: neither is in the total to pay."""
    line = make_line(bill=True, device=True, service=True)
    rid = _submit(client, clerk, line.id)
    cells = re.findall(r"<td>([^<]*¥[^<]*)</td>", _html(client.get(f"/console/requests/{rid}{page}")))
    assert "未归还时收取 ¥300.00" in cells and "¥9.90（仅供参考，不计入应付）" in cells
    assert "¥128.00" in cells and "¥300.00" not in cells and "¥9.90" not in cells


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=0)
def test_follow_up_is_recorded_from_the_request_page_and_calls_close(client: Any, app: Any, api: Api,
                                                                      clerk: dict[str, str]) -> None:
    rid = api.open_request(make_line())["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    run_jobs(later(seconds=1))
    assert fresh(rid).state == "completed"
    assert 'id="follow-up"' in _html(client.get(f"/console/requests/{rid}"))
    version = fresh(rid).version
    missing = client.post(f"/console/requests/{rid}/follow-up", data={**clerk, "version": version, "comment": "好"})
    assert missing.status_code == 422 and ">好</textarea>" in _html(missing)
    stale = client.post(f"/console/requests/{rid}/follow-up", data={**clerk, "version": version - 1,
                                                                     "satisfied": "no", "comment": "好"})
    assert stale.status_code == 409
    ok = client.post(f"/console/requests/{rid}/follow-up", data={**clerk, "version": version, "satisfied": "no",
                                                                  "comment": "等太久"})
    assert ok.status_code == 303 and fresh(rid).follow_up["satisfied"] is False
    assert _notices(client, ok) == ["回访结果已记录。"]
    calls = _html(client.get("/console/calls"))
    assert fresh(rid).tracking_code in calls
    call_id = re.search(r'/console/calls/([0-9a-f-]{36})/close', calls).group(1)
    assert client.post(f"/console/calls/{call_id}/close", data={**clerk}).status_code == 422
    closed = client.post(f"/console/calls/{call_id}/close", data={**clerk, "outcome": "reached_yes",
                                                                   "comment": "已解释"})
    assert _notices(client, closed) == ["这通回访已记录完毕。"]
    assert fresh(rid).tracking_code not in _html(client.get("/console/calls"))
    again = client.post(f"/console/calls/{call_id}/close", data={**clerk, "outcome": "reached_yes"})
    assert again.status_code == 409
