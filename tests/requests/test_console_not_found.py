"""Unknown addresses: a browser gets the area's own page (console or tracking), an API
client problem+json."""

from __future__ import annotations

from typing import Any

import pytest

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
           "Accept-Language": "zh-CN"}


@pytest.mark.parametrize("path", ["/console/no-such-page", "/console/requests/x/nothing"])
def test_an_unknown_console_address_shows_the_console_page_with_its_search_box(
        client: Any, app: Any, clerk: dict[str, str], path: str) -> None:
    response = client.get(path, headers=BROWSER)
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert 'class="top"' in html and 'id="q"' in html  # the layout, and the search box the text mentions


def test_a_request_of_another_store_shows_the_search_box_too(client: Any, app: Any, clerk: dict[str, str]) -> None:
    html = client.get("/console/requests/x", headers=BROWSER).get_data(as_text=True)
    assert 'id="q"' in html and "查找" in html


@pytest.mark.parametrize("path", ["/t/", "/t", "/t/ABC/whatever"])
def test_an_unknown_tracking_address_shows_the_tracking_page(client: Any, app: Any, path: str) -> None:
    response = client.get(path, headers=BROWSER)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "tracking.css" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/console/no-such-page", "/t/", "/api/v1/no-such-thing", "/nowhere"])
def test_api_clients_keep_problem_json(client: Any, app: Any, path: str) -> None:
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_api_paths_stay_problem_json_for_browsers(client: Any, app: Any) -> None:
    response = client.get("/api/v1/no-such-thing", headers=BROWSER)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_the_console_page_works_before_signing_in(client: Any, app: Any) -> None:
    response = client.get("/console/no-such-page", headers=BROWSER)
    assert response.status_code == 404 and "console.css" in response.get_data(as_text=True)
