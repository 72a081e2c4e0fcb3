"""Tracking links: issued as a URL with a short token, stored hashed, verified per code."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from cancelsvc.requests.codes import ALPHABET
from cancelsvc.tracking.links import hash_token, issue_link, verify_link
from models import CancellationRequest, TrackingLink, db
from models.base import utcnow
from tests.requests.conftest import Api, make_line


def _request(api: Api, msisdn: str | None = None) -> CancellationRequest:
    doc = api.open_request(make_line(msisdn=msisdn))
    return db.session.get(CancellationRequest, doc["id"])


def _token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["k"][0]


@pytest.mark.app_config(CANCELSVC_PUBLIC_URL="https://cancel.example/app")
def test_a_link_is_the_public_url_of_the_code_with_a_short_token(app: Any, api: Api) -> None:
    req = _request(api)
    url = issue_link(req)
    db.session.commit()
    assert re.fullmatch(rf"https://cancel\.example/app/t/{req.tracking_code}\?k=[{ALPHABET}]{{10}}", url), url
    assert verify_link(req.tracking_code, _token(url)) == req


def test_the_token_is_stored_only_as_a_keyed_hash_with_its_expiry(app: Any, api: Api) -> None:
    req = _request(api)
    now = utcnow()
    token = _token(issue_link(req, now=now))
    db.session.commit()
    row = db.session.execute(sa.select(TrackingLink)).scalar_one()
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    assert row.expires_at - now == timedelta(days=30)
    assert row.request_id == req.id


@pytest.mark.app_config(CANCELSVC_LINK_DAYS=2)
def test_a_link_expires_after_the_configured_days(app: Any, api: Api) -> None:
    req = _request(api)
    now = utcnow()
    token = _token(issue_link(req, now=now))
    db.session.commit()
    assert verify_link(req.tracking_code, token, now=now + timedelta(days=2, seconds=-1)) == req
    assert verify_link(req.tracking_code, token, now=now + timedelta(days=2)) is None


def test_tokens_are_read_like_people_type_them(app: Any, api: Api) -> None:
    req = _request(api)
    token = _token(issue_link(req))
    db.session.commit()
    messy = f" {token.lower().replace('0', 'o').replace('1', 'l')} "
    assert verify_link(req.tracking_code.lower(), messy) == req


def test_a_token_opens_its_own_request_only(app: Any, api: Api) -> None:
    mine, other = _request(api), _request(api)
    token = _token(issue_link(mine))
    db.session.commit()
    assert verify_link(other.tracking_code, token) is None


def test_unknown_tampered_and_malformed_tokens_verify_nothing(app: Any, api: Api) -> None:
    req = _request(api)
    token = _token(issue_link(req))
    db.session.commit()
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    for bad in (tampered, token[:-1], token + "0", "U" * 10, "", None, "!" * 10):
        assert verify_link(req.tracking_code, bad) is None, bad
    assert verify_link("NOTACODE", token) is None


def test_every_link_is_a_new_token(app: Any, api: Api) -> None:
    req = _request(api)
    first, second = issue_link(req), issue_link(req)
    db.session.commit()
    assert first != second
    assert verify_link(req.tracking_code, _token(first)) == req == verify_link(req.tracking_code, _token(second))
