"""The history through the API (staff and read keys; 404 for others) and ``flask messages``."""

from __future__ import annotations

from typing import Any

from tests.conftest import bearer
from tests.notifications.conftest import sink_text
from tests.notifications.smsc import LocalSmsc
from tests.requests.conftest import Api, customer_headers, later, make_line, run_jobs


def test_the_api_lists_messages_receipts_replies_and_calls(app: Any, api: Api, api_key: Any) -> None:
    line = make_line(msisdn="+8613800138000")
    line.customer.segment = "senior"
    doc = api.open_request(line)
    run_jobs(later(seconds=1))
    response = api.client.get(f"/api/v1/cancellations/{doc['id']}/messages", headers=bearer(api_key("cancellations:read")))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["request_id"] == doc["id"]
    submitted = next(m for m in body["messages"] if m["moment"] == "submitted")
    assert submitted["status"] == "sent" and submitted["to"] == "+86 138****8000" and submitted["kind"] == "essential"
    assert submitted["sent_at"] and submitted["channel"] == "sms" and submitted["parts"] == 2
    assert "?k=" not in response.get_data(as_text=True)  # never a link token
    assert [c["kind"] for c in body["calls"]] == ["care_submitted"]
    assert body["receipts"] == [] and body["replies"] == []


def test_who_may_read_the_history(app: Any, api: Api, api_key: Any) -> None:
    line = make_line()
    doc = api.open_request(line)
    url = f"/api/v1/cancellations/{doc['id']}/messages"
    assert api.client.get(url).status_code == 401
    assert api.client.get(url, headers=bearer(api_key("precheck"))).status_code == 403
    assert api.client.get(url, headers=customer_headers(line)).status_code == 403
    assert api.client.get("/api/v1/cancellations/nope/messages", headers=bearer(api_key("cancellations:read"))
                          ).status_code == 404


def test_messages_list_and_send_test_to_the_sink(app: Any, api: Api) -> None:
    doc = api.open_request(make_line(msisdn="+8613800138000"))
    run_jobs(later(seconds=1))
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["messages", "list", "--request", doc["id"]])
    assert listed.exit_code == 0 and "sent" in listed.output and "submitted" in listed.output
    assert listed.output.splitlines()[0].split()[:4] == ["time", "(UTC)", "status", "moment"]
    assert "+86 138****8000" in listed.output and "8613800138000" not in listed.output.replace("138****8000", "")
    sent = runner.invoke(args=["messages", "send-test", "--to", "13800138000", "--lang", "en"])
    assert sent.exit_code == 0 and sent.output.startswith("sent to +86 138****8000 through sink")
    bad = runner.invoke(args=["messages", "send-test", "--to", "12"])
    assert bad.exit_code == 2 and "not a mobile number" in bad.output
    mailed = runner.invoke(args=["messages", "send-test", "--to", "you@example.net", "--lang", "en"])
    assert mailed.exit_code == 0 and "through sink" in mailed.output
    assert "Test message: e-mail from" in sink_text(app)  # an e-mail's own text, not the SMS one


def test_send_test_through_the_smsc_and_when_it_is_down(make_app: Any, smsc: LocalSmsc, tmp_path: Any) -> None:
    app = make_app(CANCELSVC_SMS_URL=smsc.url)
    with app.app_context():
        ok = app.test_cli_runner().invoke(args=["messages", "send-test", "--to", "+8613800138000"])
        assert ok.exit_code == 0 and "through smpp: M0000001" in ok.output
        assert "测试短信" in smsc.texts()[0]
        smsc.stop()
        down = app.test_cli_runner().invoke(args=["messages", "send-test", "--to", "+8613800138000"])
        assert down.exit_code == 1 and "NOT sent to +86 138****8000 through smpp: SMSC unavailable" in down.output
