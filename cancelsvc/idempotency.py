"""Idempotent POSTs: the same ``Idempotency-Key`` twice has the effect of once (api.md).

Contract, per caller (``Principal.caller_key``):

- the ``Idempotency-Key`` header is required: missing → 422 ``idempotency.key_required``;
  not 1–255 visible ASCII characters → 422 ``idempotency.key_invalid``;
- the first successful (2xx) response is stored with a hash of method, path and the
  canonical JSON body, in the same transaction as the effect, and kept 24 hours;
- the same key with the same request within 24 h answers that status and body again
  (with ``Idempotent-Replayed: true``) without running the view;
- the same key with a different request → 422 ``idempotency.mismatch``;
- an error response stores nothing (its transaction rolled back, so there is no effect
  to protect): retrying with the same key runs the request again;
- when two requests with one key race, the database's unique (caller, key) lets one
  commit; the other rolls its effect back and answers the winner's response.

The decorator is the transaction boundary of the view: the view must not commit.
Put it under ``require`` and above flask-smorest's decorators, so it sees the final
response::

    @blp.route("")
    class Cancellations(MethodView):
        @require(["cancellations:write"], customer=True)
        @idempotent
        @blp.arguments(CancellationIn)
        @blp.response(201, CancellationOut)
        def post(self, body: dict[str, Any]) -> dict[str, Any]:
            return service.submit(current_principal(), body)

Expired records are deleted by the ``idempotency.expire`` sweeper, and lazily when
their key is used again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from copy import deepcopy
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Response, current_app, request
from sqlalchemy.exc import IntegrityError

from cancelsvc.auth.principal import current_principal
from cancelsvc.common.canonical import canonical_json
from cancelsvc.database import transaction
from cancelsvc.error_texts import register_titles
from cancelsvc.errors import Unprocessable
from cancelsvc.jobs import sweeper
from models import IdempotencyRecord, db
from models.base import utcnow

F = TypeVar("F", bound=Callable[..., Any])

HEADER = "Idempotency-Key"
WINDOW = timedelta(hours=24)
REPLAYED_HEADERS = ("Content-Language", "Location", "ETag", "Cache-Control", "Vary")
_KEY = re.compile(r"[\x21-\x7e]{1,255}")
_EXPIRE_BATCH = 1000

register_titles(
    {
        "idempotency.key_required": (
            "请在 Idempotency-Key 请求头中附上本次操作的唯一编号，以便安全重试",
            "Please add an Idempotency-Key header with a unique key, so the request can be retried safely",
        ),
        "idempotency.key_invalid": (
            "Idempotency-Key 请使用 1 到 255 个可见 ASCII 字符",
            "Please use 1 to 255 visible ASCII characters for the Idempotency-Key",
        ),
        "idempotency.mismatch": (
            "该 Idempotency-Key 已用于另一份请求内容，新的请求请换一个编号",
            "This Idempotency-Key was used for a different request; please use a new key for a new request",
        ),
    }
)

KEY_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": True,
    "description": "1–255 visible ASCII characters; repeating a request with the same key "
    "within 24 h returns the first response without doing anything again.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


def idempotent(view: F) -> F:
    """Make a POST view idempotent per caller and ``Idempotency-Key`` (see module doc)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        key = _key()
        caller = current_principal().caller_key
        fingerprint = request_fingerprint(request.method, request.path, request.get_data())
        now = utcnow()
        stored = _find(caller, key, now)
        if stored is not None:
            return _replay(stored, fingerprint)
        response = current_app.make_response(view(*args, **kwargs))
        if not 200 <= response.status_code < 300:
            db.session.rollback()
            return response
        db.session.flush()  # the view's own constraint errors surface here, not as a key race
        db.session.add(_record(caller, key, fingerprint, response, now))
        try:
            db.session.flush()
        except IntegrityError:
            # Another request with this key committed first: its effect stands, ours goes.
            db.session.rollback()
            winner = _find(caller, key, now)
            if winner is None:
                raise
            return _replay(winner, fingerprint)
        db.session.commit()
        return response

    wrapper._apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))  # type: ignore[attr-defined]
    wrapper._apidoc.setdefault("arguments", {}).setdefault("parameters", []).append(KEY_PARAMETER)  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 of method, path and the body (canonical JSON when it is JSON)."""
    try:
        canonical = canonical_json(json.loads(body)).encode("utf-8") if body else b""
    except ValueError:
        canonical = body
    return hashlib.sha256(method.upper().encode() + b"\n" + path.encode() + b"\n" + canonical).hexdigest()


def _key() -> str:
    key = request.headers.get(HEADER)
    if key is None:
        raise Unprocessable(code="idempotency.key_required", errors={HEADER: ["Missing header."]})
    if not _KEY.fullmatch(key):
        raise Unprocessable(
            code="idempotency.key_invalid", errors={HEADER: ["Use 1 to 255 visible ASCII characters."]}
        )
    return key


def _find(caller: str, key: str, now: datetime) -> IdempotencyRecord | None:
    """The live record of (caller, key); an expired one is deleted on the way."""
    record = db.session.execute(
        sa.select(IdempotencyRecord).where(IdempotencyRecord.caller == caller, IdempotencyRecord.key == key)
    ).scalar_one_or_none()
    if record is not None and record.created_at <= now - WINDOW:
        # A plain DELETE: a concurrent request may be deleting the same row.
        db.session.expunge(record)
        db.session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.id == record.id))
        return None
    return record


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        raise Unprocessable(
            code="idempotency.mismatch",
            errors={HEADER: ["This key was used for a different request."]},
        )
    if record.response_body is None:
        response = current_app.response_class(status=record.status_code)
    else:
        response = current_app.make_response((record.response_body, record.status_code))
    for name, value in (record.response_headers or {}).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    db.session.rollback()  # nothing to write; end the read transaction
    return response


def _record(caller: str, key: str, fingerprint: str, response: Response, now: datetime) -> IdempotencyRecord:
    body = response.get_json(silent=True) if response.is_json else None
    headers = {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}
    return IdempotencyRecord(
        caller=caller,
        key=key,
        method=request.method,
        path=request.path,
        request_hash=fingerprint,
        status_code=response.status_code,
        response_body=body,
        response_headers=headers or None,
        created_at=now,
    )


@sweeper("idempotency.expire", order=90)
def expire_records(now: datetime) -> int:
    """Delete idempotency records older than 24 hours; returns how many."""
    with transaction():
        old = (
            sa.select(IdempotencyRecord.id)
            .where(IdempotencyRecord.created_at <= now - WINDOW)
            .order_by(IdempotencyRecord.id)
            .limit(_EXPIRE_BATCH)
        )
        ids = list(db.session.execute(old).scalars())
        if ids:
            db.session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.id.in_(ids)))
    return len(ids)
