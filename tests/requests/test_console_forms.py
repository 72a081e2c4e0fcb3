"""Console forms as a browser sends them: every field the page renders, nothing added by hand."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from tests.requests.conftest import Api, fresh, later, make_line, run_jobs
from tests.requests.test_console_views import _html, _submit


class _Form(HTMLParser):
    """The fields of the form posting to ``action``: what a browser would submit (checkboxes ticked)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        elif tag == "input" and self.inside and a.get("name"):
            self.fields[a["name"]] = a.get("value") or ("y" if a.get("type") == "checkbox" else "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def form_fields(html: str, action: str) -> dict[str, str]:
    parser = _Form(action)
    parser.feed(html)
    assert parser.fields, f"no form posting to {action}"
    return parser.fields


def test_the_withdraw_form_sends_the_request_version(client: Any, app: Any, clerk: dict[str, str]) -> None:
    rid = _submit(client, clerk, make_line().id)
    action = f"/console/requests/{rid}/withdraw"
    fields = form_fields(_html(client.get(action)), action)
    assert fields["version"] == str(fresh(rid).version)
    response = client.post(action, data=fields)
    assert response.status_code == 303, _html(response)
    assert fresh(rid).state == "withdrawn"


def test_the_queue_names_the_next_to_do_as_the_checklist_does(client: Any, app: Any, clerk: dict[str, str]) -> None:
    rid = _submit(client, clerk, make_line().id)
    key = fresh(rid).next_item
    assert key == "identity.documents"
    queue = _html(client.get("/console/", headers={"Accept-Language": "zh-CN"}))
    row = queue.split(fresh(rid).tracking_code, 1)[1].split("</tr>", 1)[0]
    assert "带上本人身份证原件" in row and key not in row and "营业员" in row


def test_the_printout_walks_through_each_fee_with_numbers_and_totals(client: Any, app: Any,
                                                                     clerk: dict[str, str]) -> None:
    from tests.factories import ContractFactory

    line = make_line(contract=True, bill=True, service=True)
    ContractFactory(account=line, external_id=f"P-{line.id}")  # 128.00 a month, 30 %
    rid = _submit(client, clerk, line.id, reason="moving", contact_phone="139 1234 5678")
    html = _html(client.get(f"/console/requests/{rid}/print", headers={"Accept-Language": "zh-CN"}))
    fees = html.split("<h2>", 3)[-1]  # the fee section, after the facts and the to-do list
    assert fees.count('class="calculator"') == 2
    assert "¥128.00 × " in fees and "× 30%" in fees and "0.30" not in fees
    assert "¥200.00" in fees  # the fixed fee as a number, not only its label
    assert "9.90" not in fees  # a service's monthly price is no fee
    assert "应付合计" in fees and "待付" in fees
    outstanding = fees.split("待付", 1)[1].split('amount">', 1)[1].split("<", 1)[0]
    page = _html(client.get(f"/console/requests/{rid}", headers={"Accept-Language": "zh-CN"}))
    assert f"待付 {outstanding}" in page and outstanding != "¥0.00"  # the request page's figure


def test_reason_and_contact_are_optional_as_in_the_api_and_the_form_says_so(client: Any, app: Any,
                                                                            clerk: dict[str, str]) -> None:
    from tests.requests.test_console_views import _precheck

    line = make_line()
    pid = _precheck(client, clerk, line.id)
    page = _html(client.get(f"/console/prechecks/{pid}", headers={"Accept-Language": "zh-CN"}))
    assert "选填：客户可以不说明原因" in page and "回访电话和之后的消息都会发到这里" in page
    assert 'id="reason-hint"' in page and 'aria-describedby="reason-hint"' in page
    fields = form_fields(page, f"/console/prechecks/{pid}/submit")
    response = client.post(f"/console/prechecks/{pid}/submit", data=fields)  # neither reason nor contact
    assert response.status_code == 303
    req = fresh(response.headers["Location"].rsplit("/", 1)[1])
    assert req.reason is None and req.contact is None


def test_the_account_page_names_every_vocabulary_value_in_chinese(client: Any, app: Any,
                                                                   clerk: dict[str, str]) -> None:
    import re

    line = make_line(contract=True, bill=True, device=True, installment=True, service=True, family=True)
    html = _html(client.get(f"/console/accounts/{line.id}", headers={"Accept-Language": "zh-CN"}))
    main = re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1].split("</main>", 1)[0])
    for code in ("active", "primary", "member", "router", "handset", "rented", "installment", "operator",
                 "third_party", "fixed_term"):
        assert not re.search(rf"\b{code}\b", main), code
    assert "正常使用" in main and "主号" in main and "租用" in main and "分期购买" in main and "应缴" in main


def test_labelled_values_on_chinese_pages_use_full_width_punctuation(client: Any, app: Any,
                                                                      clerk: dict[str, str]) -> None:
    rid = _submit(client, clerk, make_line().id)
    html = _html(client.get(f"/console/requests/{rid}/print", headers={"Accept-Language": "zh-CN"}))
    assert "（输入手机号后四位即可查看）" in html and "打印时间：" in html
    assert "(输入" not in html and "<em>" not in html


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=0)
def test_a_deactivated_request_shows_when_it_was_deactivated(client: Any, app: Any, api: Api,
                                                             clerk: dict[str, str]) -> None:
    rid = api.open_request(make_line())["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    run_jobs(later(seconds=1))
    assert fresh(rid).state == "completed"
    for path in (f"/console/requests/{rid}", f"/console/requests/{rid}/print"):
        html = _html(client.get(path, headers={"Accept-Language": "zh-CN"}))
        assert "预计注销时间" not in html and "已注销" in html, path



def test_an_eta_of_one_day_is_said_as_that_day(client: Any, app: Any, clerk: dict[str, str]) -> None:
    from tests.requests.test_console_views import _precheck

    pid = _precheck(client, clerk, make_line().id)
    html = _html(client.get(f"/console/prechecks/{pid}", headers={"Accept-Language": "en"}))
    eta = html.split("Expected deactivation ", 1)[1].split("<", 1)[0]
    if eta.startswith("between "):
        first, second = eta.removeprefix("between ").split(" and ")
        assert first != second
    else:
        assert eta.startswith("on ")
