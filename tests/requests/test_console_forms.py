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
