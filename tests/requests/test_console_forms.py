"""Console forms as a browser sends them: every field the page renders, nothing added by hand."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from tests.requests.conftest import fresh, make_line
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
