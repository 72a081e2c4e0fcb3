"""`POST /api/v1/prechecks` and `GET /api/v1/prechecks/{id}` through HTTP, for every caller."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from models import Account, Precheck
from tests.conftest import bearer
from tests.factories import AccountFactory, ContractFactory, DeviceFactory, ServiceFactory, StaffUserFactory
from tests.test_auth import token

URL = "/api/v1/prechecks"


def post(client: Any, body: dict[str, Any], headers: dict[str, str], lang: str | None = None) -> Any:
    if lang:
        headers = {**headers, "Accept-Language": lang}
    return client.post(URL, json=body, headers=headers)


@pytest.fixture
def line(app: Any) -> Account:
    account = AccountFactory(msisdn="+8613800138000", unbilled_amount="23.50")
    ContractFactory(account=account, external_id="K-2", start_date=date(2025, 6, 1), end_date=date(2099, 5, 31))
    DeviceFactory(account=account, serial="ONT-123")
    ServiceFactory(account=account, code="VIDEO-VIP")
    return account


def test_api_key_runs_and_reads_a_precheck(client: Any, api_key: Any, line: Account) -> None:
    key = api_key("precheck")
    response = post(client, {"account": "+8613800138000", "channel": "app"}, bearer(key))
    assert response.status_code == 201, response.get_json()
    doc = response.get_json()
    assert response.headers["Location"] == f"{URL}/{doc['id']}"
    assert doc["msisdn"] == "+86 138****8000"  # a system caller sees the number masked
    assert doc["result"] == "yellow" and doc["can_submit"] and not doc["eligible_now"]
    codes = {f["code"] for f in doc["findings"]}
    assert {"contract.early_termination", "balance.settle", "device.return", "service.cancel"} <= codes
    again = client.get(f"{URL}/{doc['id']}", headers=bearer(key))
    assert again.status_code == 200
    assert again.get_json()["findings"] == doc["findings"]


@pytest.mark.parametrize("notation", ["+8613800138000", "13800138000", "138 0013 8000", "+86-138-0013-8000"])
def test_account_in_any_notation(client: Any, api_key: Any, line: Account, notation: str) -> None:
    response = post(client, {"account": notation, "channel": "web"}, bearer(api_key("precheck")))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["account_id"] == line.id


def test_account_by_id(client: Any, api_key: Any, line: Account) -> None:
    response = post(client, {"account": str(line.id), "channel": "counter"}, bearer(api_key("precheck")))
    assert response.status_code == 201
    checklist = {i["code"] for i in response.get_json()["checklist"]}
    assert "identity.documents" in checklist and "identity.video" not in checklist


def test_customer_own_account_and_not_another(client: Any, line: Account) -> None:
    other = AccountFactory(msisdn="+8613900139000")
    me = bearer(token(line.customer.external_id))
    mine = post(client, {"account": line.msisdn, "channel": "app"}, me)
    assert mine.status_code == 201 and mine.get_json()["msisdn"] == line.msisdn  # the customer's own number
    theirs = post(client, {"account": other.msisdn, "channel": "app"}, me)
    assert theirs.status_code == 404 and theirs.get_json()["code"] == "account.not_found"
    # A pre-check of someone else is 404 too, like one that does not exist.
    their_check = post(client, {"account": other.msisdn, "channel": "app"}, bearer(token(other.customer.external_id)))
    assert their_check.status_code == 201, their_check.get_json()
    assert client.get(f"{URL}/{their_check.get_json()['id']}", headers=me).status_code == 404
    assert client.get(f"{URL}/00000000-0000-0000-0000-000000000000", headers=me).status_code == 404


def _console_login(client: Any, username: str) -> str:
    page = client.get("/console/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/console/login", data={"username": username, "password": "correct horse battery", "csrf_token": csrf})
    home = client.get("/console/").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', home).group(1)


def test_clerk_sees_their_store_only(client: Any, line: Account) -> None:
    StaffUserFactory(username="li", store_code="HZ-001")
    elsewhere = AccountFactory(store_code="SH-001")
    csrf = _console_login(client, "li")
    ok = client.post(URL, json={"account": line.msisdn, "channel": "counter"}, headers={"X-CSRFToken": csrf})
    assert ok.status_code == 201 and ok.get_json()["msisdn"] == line.msisdn
    other = client.post(URL, json={"account": elsewhere.msisdn, "channel": "counter"}, headers={"X-CSRFToken": csrf})
    assert other.status_code == 404
    no_csrf = client.post(URL, json={"account": line.msisdn, "channel": "counter"})
    assert no_csrf.status_code == 403 and no_csrf.get_json()["code"] == "auth.csrf"


def test_key_without_precheck_scope_is_refused(client: Any, api_key: Any, line: Account) -> None:
    response = post(client, {"account": line.msisdn, "channel": "app"}, bearer(api_key("events:write")))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "code", "fields"),
    [
        ({"account": "+8613700000000", "channel": "app"}, 404, "account.not_found", None),
        ({"account": "+8613800138000", "channel": "app", "effective_date": "2020-01-01"}, 422,
         "validation", {"effective_date"}),
        ({"account": "+8613800138000", "channel": "fax"}, 422, "validation", {"channel"}),
        ({"account": "+8613800138000", "channel": "app", "effective_date": "tomorrow"}, 422, "validation",
         {"effective_date"}),
        ({"account": "+8613800138000", "channel": "app", "reason": "moving"}, 422, "validation", {"reason"}),
        ({"channel": "pigeon", "effective_date": "31/12/2026", "extra": 1}, 422, "validation",
         {"account", "channel", "effective_date", "extra"}),
    ],
    ids=["unknown-account", "past-date", "unknown-channel", "bad-date", "unknown-field", "every-error-at-once"],
)
def test_bad_input(client: Any, api_key: Any, line: Account, body: dict[str, Any], status: int, code: str,
                   fields: set[str] | None) -> None:
    response = post(client, body, bearer(api_key("precheck")))
    assert response.status_code == status
    problem = response.get_json()
    assert problem["code"] == code
    if fields:
        assert set(problem["errors"]) == fields


def test_both_languages(client: Any, api_key: Any, line: Account) -> None:
    key = bearer(api_key("precheck"))
    zh = post(client, {"account": line.msisdn, "channel": "app"}, key).get_json()
    en = post(client, {"account": line.msisdn, "channel": "app"}, key, lang="en-GB,en;q=0.9").get_json()
    assert zh["locale"] == "zh-CN" and en["locale"] == "en"
    zh_fee = next(f for f in zh["findings"] if f["code"] == "contract.early_termination")
    en_fee = next(f for f in en["findings"] if f["code"] == "contract.early_termination")
    assert re.search(r"[\u4e00-\u9fff]", zh_fee["detail"]) and not re.search(r"[\u4e00-\u9fff]", en_fee["detail"])
    assert zh_fee["amount"] == en_fee["amount"]
    # The same stored pre-check re-renders in the reader's language.
    again = client.get(f"{URL}/{zh['id']}", headers={**key, "Accept-Language": "en"}).get_json()
    assert again["findings"][0]["title"] == en["findings"][0]["title"]


def test_precheck_never_changes_account_data(client: Any, api_key: Any, line: Account, db: Any) -> None:
    before = {c.name: getattr(line, c.name) for c in Account.__table__.columns}
    post(client, {"account": line.msisdn, "channel": "app"}, bearer(api_key("precheck")))
    db.session.expire_all()
    after = {c.name: getattr(db.session.get(Account, line.id), c.name) for c in Account.__table__.columns}
    assert before == after
    assert db.session.query(Precheck).count() == 1


def test_future_effective_date_is_kept(client: Any, api_key: Any, line: Account) -> None:
    day = (date.today() + timedelta(days=40)).isoformat()
    doc = post(client, {"account": line.msisdn, "channel": "app", "effective_date": day},
               bearer(api_key("precheck"))).get_json()
    assert doc["effective_date"] == day
    assert doc["eta"]["latest"] >= day


def test_the_demo_shows_every_rule_in_both_languages(client: Any, runner: Any, db: Any, tmp_path: Any) -> None:
    from cancelsvc.texts import render  # noqa: F401 - texts exist for every code (see test_texts)

    output = runner.invoke(args=["demo", "seed", "--key-file", str(tmp_path / "demo-api-key")]).output
    key = bearer(re.search(r"(csk_\S+)", output).group(1))
    seen: set[str] = set()
    for account in db.session.query(Account).order_by(Account.id):
        for lang in ("zh-CN", "en"):
            response = post(client, {"account": account.msisdn, "channel": "app"}, key, lang=lang)
            assert response.status_code == 201
            seen |= {f["code"] for f in response.get_json()["findings"]}
    expected = {
        "account.cancelled", "request.open", "account.legal_hold", "account.suspended", "account.porting",
        "contract.early_termination", "contract.waived", "balance.settle", "balance.refund", "balance.disputed",
        "device.return", "device.installment", "service.cancel", "service.cancel_third_party",
        "service.renews_before_effective", "family.reassign", "family.leave", "loyalty.points",
    }
    assert expected <= seen, expected - seen


def test_served_document_is_exactly_its_schema(client: Any, api_key: Any, line: Account) -> None:
    """The served document has every field of ``PrecheckSchema``, in its order, and loads back through it."""
    from cancelsvc.precheck.schemas import PrecheckSchema

    for lang in ("zh-CN", "en"):
        doc = post(client, {"account": line.msisdn, "channel": "app"}, bearer(api_key("precheck")), lang).get_json()
        assert list(doc) == list(PrecheckSchema().fields)
        assert PrecheckSchema().validate(doc) == {}
