"""The demo's pre-check and progress documents read exactly as recorded, in both languages.

The demo data is loaded for a fixed day and every clock reads one fixed instant, so the
texts are deterministic. Each demo line is pre-checked (read in zh-CN and en); every line
that may submit is submitted and its checklist worked through with back-office events; a
few requests are then withdrawn, put on hold, or carried through cooling-off,
deactivation, refund and follow-up. Every human text of the documents (titles, details,
labels, messages, required actions, revised ETAs) is compared with
``tests/golden/demo_texts.json``.

After a deliberate change of wording, rewrite the record with
``CANCELSVC_WRITE_GOLDEN=1 pytest tests/test_texts_golden.py`` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from cancelsvc.demo.service import seed
from cancelsvc.jobs import tick
from cancelsvc.services import services
from models import Account, db
from tests.conftest import bearer

GOLDEN = Path(__file__).parent / "golden" / "demo_texts.json"
TODAY = dt.date(2026, 12, 2)  # a Wednesday
NOW = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
LANGUAGES = ("zh-CN", "en")
TEXT_KEYS = frozenset({"title", "detail", "label", "message", "text", "revised_reason"})


@pytest.fixture
def frozen() -> Iterator[None]:
    """The clock reads ``NOW`` everywhere (column defaults and dataclass factories included)."""
    with time_machine.travel(NOW, tick=False):
        yield


def texts_of(doc: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, text) for every human text of a document, in document order."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            child = f"{path}.{key}" if path else key
            if key in TEXT_KEYS and isinstance(value, str):
                yield child, value
            else:
                yield from texts_of(value, child)
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from texts_of(value, f"{path}[{index}]")


class Driver:
    def __init__(self, client: FlaskClient, key: str) -> None:
        self.client = client
        self.key = key
        self.tracking_codes: list[str] = []

    def headers(self, lang: str = "zh-CN", **extra: str) -> dict[str, str]:
        return {**bearer(self.key), "Accept-Language": lang, **extra}

    def texts(self, url: str) -> dict[str, dict[str, str]]:
        out = {}
        for lang in LANGUAGES:
            response = self.client.get(url, headers=self.headers(lang))
            assert response.status_code == 200, response.get_json()
            out[lang] = {path: self.anonymous(text) for path, text in texts_of(response.get_json())}
        return out

    def anonymous(self, text: str) -> str:
        """Tracking codes are random: name them by the order they were issued."""
        for n, code in enumerate(self.tracking_codes):
            text = text.replace(code, f"<tracking code {n}>")
        return text

    def post(self, url: str, body: dict[str, Any] | None = None, *, key: bool = False, **headers: str) -> Any:
        extra = {"Idempotency-Key": uuid.uuid4().hex} if key else {}
        response = self.client.post(url, json=body, headers=self.headers(**extra, **headers))
        assert response.status_code in (200, 201, 202), response.get_json()
        return response.get_json()

    def event(self, request_id: str, type: str, **data: Any) -> None:
        self.post("/api/v1/events", {"event_id": uuid.uuid4().hex, "type": type, "occurred_at": NOW.isoformat(),
                                     "cancellation_id": request_id, "data": data})


def work_through(api: Driver, request_id: str) -> None:
    """Close every item of the request's checklist the way the back office would."""
    doc = api.client.get(f"/api/v1/cancellations/{request_id}", headers=api.headers()).get_json()
    identity = False
    for item in doc["checklist"]:
        code = item["code"]
        if code.startswith("identity.") and not identity:
            api.event(request_id, "identity.verified", method="video")
            identity = True
        elif code == "device.return":
            api.event(request_id, "device.returned", serial=item["refs"][0])
        elif code.startswith("service.cancel"):
            api.event(request_id, "service.cancelled", code=item["refs"][0])
        elif code == "family.reassign":
            api.event(request_id, "family.resolved")
    outstanding = doc["quoted"]["outstanding"]
    if outstanding["amount"] != "0.00":
        api.event(request_id, "payment.received", amount=outstanding)
    doc = api.client.get(f"/api/v1/cancellations/{request_id}", headers=api.headers()).get_json()
    for item in doc["checklist"]:
        if item["status"] == "pending" and item["owner"] == "customer":
            etag = api.client.get(f"/api/v1/cancellations/{request_id}", headers=api.headers()).headers["ETag"]
            body = {"status": "done"} if item["code"] != "number.bindings" else {"status": "waived",
                                                                               "note": "demo"}
            response = api.client.patch(f"/api/v1/cancellations/{request_id}/checklist/{item['key']}", json=body,
                                        headers=api.headers(**{"If-Match": etag}))
            assert response.status_code == 200, response.get_json()


def record(app: Flask, client: FlaskClient, key: str) -> dict[str, Any]:
    api = Driver(client, key)
    out: dict[str, Any] = {"prechecks": {}, "requests": {}}
    lines = db.session.execute(sa.select(Account.msisdn).order_by(Account.msisdn)).scalars().all()
    open_code = db.session.execute(sa.text("SELECT tracking_code FROM cancellation_requests")).scalar_one()
    api.tracking_codes.append(open_code)
    submittable = []
    for msisdn in lines:
        doc = api.post("/api/v1/prechecks", {"account": msisdn, "channel": "app", "effective_date": "asap"})
        out["prechecks"][msisdn] = api.texts(f"/api/v1/prechecks/{doc['id']}")
        if doc["can_submit"]:
            submittable.append((msisdn, doc["id"]))
    requests = []
    for msisdn, precheck_id in submittable:
        doc = api.post("/api/v1/cancellations", {"precheck_id": precheck_id, "reason": "switching_operator"},
                       key=True)
        api.tracking_codes.append(doc["tracking_code"])
        requests.append((msisdn, doc["id"]))
        work_through(api, doc["id"])
    # Fates: the first withdrawn, the second put on hold, the others carried to the end.
    api.post(f"/api/v1/cancellations/{requests[0][1]}/withdraw", key=True)
    api.event(requests[1][1], "hold.placed", kind="legal_hold")
    db.session.rollback()
    for days in (2, 10, 40):
        report = tick(NOW + dt.timedelta(days=days))
        assert report.ok, report.errors
        db.session.expire_all()
    for _, request_id in requests[2:]:
        api.event(request_id, "refund.issued", amount={"amount": "1.00", "currency": "CNY"})
        api.event(request_id, "followup.recorded", satisfied=True)
    for msisdn, request_id in requests:
        out["requests"][msisdn] = api.texts(f"/api/v1/cancellations/{request_id}")
    return out


def test_demo_documents_read_as_recorded(app: Flask, client: FlaskClient, api_key: Any, frozen: None) -> None:
    seed(TODAY, services(app).settings.pii_key)
    db.session.commit()
    key = api_key("admin")
    recorded = record(app, client, key)
    assert len(recorded["prechecks"]) >= 30 and len(recorded["requests"]) >= 3
    if os.environ.get("CANCELSVC_WRITE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(recorded, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for kind in ("prechecks", "requests"):
        assert recorded[kind].keys() == expected[kind].keys(), kind
        for line, docs in expected[kind].items():
            for lang in LANGUAGES:
                assert recorded[kind][line][lang] == docs[lang], (kind, line, lang)


OTHER = Path(__file__).parent / "golden" / "other_texts.json"


def other_texts() -> dict[str, Any]:
    """Problem titles and risk factor labels in both languages."""
    from cancelsvc.error_texts import _TITLES, problem_title
    from cancelsvc.texts import render
    from ml import FEATURES

    return {
        "titles": {code: {lang: problem_title(code, 500, lang) for lang in LANGUAGES} for code in sorted(_TITLES)},
        "risk": {name: {lang: render(f"risk.{name}", lang) for lang in LANGUAGES} for name in FEATURES},
    }


def console_pages(client: FlaskClient, lang: str) -> str:
    """The login page, a failed sign-in and the home page, as one text."""
    from tests.factories import StaffUserFactory

    StaffUserFactory(username=f"golden.{lang}", password="correct horse battery")
    headers = {"Accept-Language": lang}
    pages = [client.get("/console/login", headers=headers).get_data(as_text=True)]
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', pages[0]).group(1)
    form = {"username": f"golden.{lang}", "password": "wrong", "csrf_token": csrf}
    pages.append(client.post("/console/login", data=form, headers=headers).get_data(as_text=True))
    form["password"] = "correct horse battery"
    assert client.post("/console/login", data=form, headers=headers).status_code == 302
    pages.append(client.get("/console/", headers=headers).get_data(as_text=True))
    client.post("/console/logout", data={"csrf_token": csrf}, headers=headers)
    return html.unescape("\n".join(pages))


def test_titles_risk_labels_and_console_texts_read_as_recorded(app: Flask, client: FlaskClient) -> None:
    recorded = other_texts()
    expected = json.loads(OTHER.read_text(encoding="utf-8"))
    assert recorded == {k: v for k, v in expected.items() if k != "console"}
    for lang in LANGUAGES:
        page = console_pages(client, lang)
        assert f'<html lang="{lang}">' in page
        for key, texts in expected["console"].items():
            assert texts[lang] in page, (lang, key)
