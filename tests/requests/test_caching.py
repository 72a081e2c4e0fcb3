"""ETag, Cache-Control and Vary on requests and their progress; cheap 304s that write nothing."""

from __future__ import annotations

from typing import Any

import pytest

from cancelsvc.requests.presenter import _PUBLIC, ProgressView, RequestView, progress_document
from cancelsvc.requests.schemas import ProgressSchema, PublicProgressSchema, RequestSchema
from models import CancellationRequest, db
from models.base import utcnow
from tests.requests.conftest import Api, customer_headers, item, make_line, statements

WRITES = ("INSERT", "UPDATE", "DELETE")


def _vary(response: Any) -> set[str]:
    return {v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()}


@pytest.fixture
def rid(app: Any, api: Api) -> str:
    return api.open_request(make_line(device=True))["id"]


@pytest.mark.parametrize("path", ["", "/progress"], ids=["request", "progress"])
def test_cache_headers(app: Any, api: Api, rid: str, path: str) -> None:
    response = api.client.get(f"/api/v1/cancellations/{rid}{path}", headers=api.headers)
    assert response.status_code == 200
    assert response.headers["ETag"] == '"v1.zh-CN"'
    assert response.headers["Cache-Control"] == "private, max-age=300"
    # Exactly the documented value: a bearer-authenticated response never depends on cookies.
    assert _vary(response) == {"Accept-Language", "Authorization"}
    assert "Set-Cookie" not in response.headers
    body = response.get_json()
    progress = body.get("progress", body)
    assert progress["poll_after_seconds"] == 300


def test_etag_differs_by_language(app: Any, api: Api, rid: str) -> None:
    zh, en = api.progress(rid), api.progress(rid, lang="en-US,en;q=0.9")
    assert zh.headers["ETag"] == '"v1.zh-CN"' and en.headers["ETag"] == '"v1.en"'
    assert zh.get_json()["nodes"][0]["title"] != en.get_json()["nodes"][0]["title"]


def test_etag_changes_exactly_when_the_version_does(app: Any, api: Api, rid: str) -> None:
    serial = item(api.doc(rid), "device.return")["refs"][0]
    tags = [api.progress(rid).headers["ETag"], api.progress(rid).headers["ETag"]]
    assert tags[0] == tags[1]
    api.applied(rid, "identity.verified", {"method": "video"})
    tags.append(api.progress(rid).headers["ETag"])
    assert api.applied(rid, "identity.verified", {"method": "video"})["outcome"] == "ignored"  # no change
    tags.append(api.progress(rid).headers["ETag"])
    api.applied(rid, "device.returned", {"serial": serial})
    tags.append(api.progress(rid).headers["ETag"])
    assert tags == ['"v1.zh-CN"', '"v1.zh-CN"', '"v2.zh-CN"', '"v2.zh-CN"', '"v3.zh-CN"']
    assert api.progress(rid).get_json()["version"] == 3


@pytest.mark.parametrize("path", ["", "/progress"], ids=["request", "progress"])
def test_if_none_match_answers_304_without_writing(app: Any, api: Api, rid: str, path: str) -> None:
    url = f"/api/v1/cancellations/{rid}{path}"
    tag = api.client.get(url, headers=api.headers).headers["ETag"]
    with statements() as seen:
        response = api.client.get(url, headers={**api.headers, "If-None-Match": tag})
    assert response.status_code == 304
    assert response.get_data() == b""
    assert response.headers["ETag"] == tag and response.headers["Cache-Control"] == "private, max-age=300"
    assert {"Accept-Language", "Authorization"} <= _vary(response)
    if path == "":
        assert seen, "the 304 still checks the current version"
    # (A progress poll may be answered from memory on PostgreSQL: see test_polling.py.)
    assert not [s for s in seen if s.lstrip().upper().startswith(WRITES)], seen


def test_if_none_match_forms(app: Any, api: Api, rid: str) -> None:
    assert api.progress(rid, **{"If-None-Match": 'W/"v1.zh-CN"'}).status_code == 304
    assert api.progress(rid, **{"If-None-Match": '"v0.zh-CN", "v1.zh-CN"'}).status_code == 304
    assert api.progress(rid, **{"If-None-Match": '"v1.en"'}).status_code == 200  # another language
    assert api.progress(rid, lang="en", **{"If-None-Match": '"v1.en"'}).status_code == 304
    api.applied(rid, "identity.verified", {"method": "video"})
    stale = api.progress(rid, **{"If-None-Match": '"v1.zh-CN"'})
    assert stale.status_code == 200 and stale.headers["ETag"] == '"v2.zh-CN"'


def test_304_is_only_for_callers_who_may_see(app: Any, api: Api, rid: str) -> None:
    stranger = customer_headers(make_line())
    response = api.progress(rid, headers=stranger, **{"If-None-Match": '"v1.zh-CN"'})
    assert response.status_code == 404


def test_served_documents_are_exactly_their_schemas(app: Any, api: Api, rid: str) -> None:
    """The schemas are the documents' one definition: what is served has their fields in their
    order, loads back through them, and the compiled dump equals marshmallow's."""
    api.applied(rid, "payment.received", {"amount": {"amount": "10.00", "currency": "CNY"}})
    for lang in ("zh-CN", "en"):
        progress = api.progress(rid, lang=lang).get_json()
        assert list(progress) == list(ProgressSchema().fields)
        assert ProgressSchema().validate(progress) == {}
        full = api.doc(rid, lang=lang)
        assert list(full) == list(RequestSchema().fields)
        assert RequestSchema().validate(full) == {}
        assert full["progress"] == progress
        with app.app_context():
            req = db.session.get_one(CancellationRequest, rid)
            now = utcnow()
            assert ProgressSchema().dump(ProgressView(req, lang, now=now)) == progress_document(req, lang, now=now)
            public = ProgressView(req, lang, public=True, now=now, msisdn=full["msisdn"])
            assert PublicProgressSchema().dump(public) == _PUBLIC.dump(public)
            assert RequestSchema().dump(RequestView(req, lang, full["msisdn"]))["checklist"] == full["checklist"]


def test_the_submission_document_is_exactly_its_schema(app: Any, api: Api) -> None:
    created = api.open_request(make_line(contract=True, device=True))
    assert list(created) == list(RequestSchema().fields)
    assert RequestSchema().validate(created) == {}
    assert created["quoted"]["total"]["currency"] == "CNY"
