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
- requests with one key run one at a time: before the view runs, its (caller, key) row is
  inserted in the request's own transaction, so a concurrent request with the same key
  waits on the database's unique index until the first one ends — then it answers the
  winner's response, or runs itself if the first one failed (and stored nothing). The
  wait is bounded (``WAIT_SECONDS``); past it → 409 ``idempotency.in_progress`` with
  ``Retry-After``. No request ever sees the half-done effect of another with its key.

The decorator is the transaction boundary of the view: the view must not commit.
Put it above flask-smorest's decorators, so it sees the final response (the caller
has been checked by then: ``ApiBlueprint`` runs ``require`` before any decorator)::

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
from typing import Any, ParamSpec

import sqlalchemy as sa
from flask import Response, current_app, request
from flask.typing import ResponseReturnValue
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from cancelsvc.auth.principal import current_principal
from cancelsvc.common.canonical import canonical_json
from cancelsvc.database import is_postgres, transaction
from cancelsvc.errors import Conflict, Unprocessable
from cancelsvc.jobs import configured_batch, in_batches, sweeper
from cancelsvc.texts.marks import N_
from models import IdempotencyRecord, db
from models.base import utcnow

P = ParamSpec("P")
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout ends a wait

HEADER = "Idempotency-Key"
WINDOW = timedelta(hours=24)
REPLAYED_HEADERS = ("Content-Language", "Location", "ETag", "Cache-Control", "Vary")
KEY_PATTERN = r"[\x21-\x7e]{1,255}"  # 1–255 visible ASCII characters
_KEY = re.compile(KEY_PATTERN)
_EXPIRE_BATCH = 1000
#: How long a request waits for another one with its key to finish (below the database
#: timeouts of web requests, so the wait ends as 409 ``idempotency.in_progress``).
WAIT_SECONDS = 4
#: What a request that waited in vain tells its caller to wait before retrying.
RETRY_AFTER_SECONDS = 1


KEY_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": True,
    "description": "1–255 visible ASCII characters; repeating a request with the same key "
    "within 24 h returns the first response without doing anything again.",
    "schema": {"type": "string", "pattern": f"^{KEY_PATTERN}$", "example": "c0ffee-2026-11-23-0001"},
}


def idempotent(view: Callable[P, ResponseReturnValue]) -> Callable[P, Response]:
    """Make a POST view idempotent per caller and ``Idempotency-Key`` (see module doc)."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
        key = _key()
        caller = current_principal().caller_key
        fingerprint = request_fingerprint(request.method, request.path, request.get_data())
        now = utcnow()
        stored = _find(caller, key, now)
        if stored is not None:
            return _replay(stored, fingerprint)
        reserved = _reserve(caller, key, fingerprint, now)
        if reserved is None:
            # Another request with this key committed while this one waited: answer as it did.
            winner = _find(caller, key, now)
            if winner is None:
                raise _in_progress()
            return _replay(winner, fingerprint)
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            db.session.rollback()  # the reservation goes with the effect: a retry runs again
            raise
        if not 200 <= response.status_code < 300:
            db.session.rollback()  # the reservation goes too: a retry runs again
            return response
        db.session.execute(
            sa.update(IdempotencyRecord).where(IdempotencyRecord.id == reserved).values(**_outcome(response))
        )
        db.session.commit()
        return response

    # flask-smorest documents a view from its ``_apidoc`` attribute (mypy does not model
    # attributes set on functions).
    wrapper._apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))  # type: ignore[attr-defined]
    wrapper._apidoc.setdefault("arguments", {}).setdefault("parameters", []).append(KEY_PARAMETER)  # type: ignore[attr-defined]
    return wrapper


def once(key: str, fingerprint: str, effect: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    """Run ``effect`` once per caller and ``key``: ``idempotent`` for a form (the key is rendered into it).

    The same contract and the same reservation: the JSON result is stored with the effect in
    one transaction (this function commits); the same key again returns the first result
    (``True`` as second value) without running ``effect``; a different ``fingerprint`` is
    ``idempotency.mismatch``; a concurrent request with the key still running is
    ``idempotency.in_progress``.
    """
    if not _KEY.fullmatch(key):
        raise Unprocessable(code="idempotency.key_invalid", errors={"key": [N_("Use 1 to 255 visible ASCII characters.")]})
    caller = current_principal().caller_key
    now = utcnow()
    stored = _find(caller, key, now)
    reserved = None if stored is not None else _reserve(caller, key, fingerprint, now)
    if reserved is None:
        winner = stored or _find(caller, key, now)
        if winner is None or winner.status_code == 0:
            raise _in_progress()
        _replay(winner, fingerprint)  # checks the fingerprint, ends the read
        return dict(winner.response_body or {}), True
    try:
        result = effect()
    except BaseException:
        db.session.rollback()  # the reservation goes with the effect: a retry runs again
        raise
    db.session.execute(sa.update(IdempotencyRecord).where(IdempotencyRecord.id == reserved).values(
        status_code=201, response_body=result, response_headers=None))
    db.session.commit()
    return result, False


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
        raise Unprocessable(code="idempotency.key_required", errors={HEADER: [N_("Missing header.")]})
    if not _KEY.fullmatch(key):
        raise Unprocessable(
            code="idempotency.key_invalid", errors={HEADER: [N_("Use 1 to 255 visible ASCII characters.")]}
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


def _reserve(caller: str, key: str, fingerprint: str, now: datetime) -> int | None:
    """Insert the (caller, key) row, waiting while another transaction holds it.

    Returns the new row's id, or None when a row exists (committed by a concurrent
    request since ``_find`` looked). The row is completed with the response before the
    commit; if the request fails, it is rolled back with everything else.
    """
    values = {"caller": caller, "key": key, "method": request.method, "path": request.path,
              "request_hash": fingerprint, "status_code": 0, "response_body": None, "created_at": now}
    if is_postgres():
        db.session.execute(sa.text(f"SET LOCAL lock_timeout = '{WAIT_SECONDS}s'"))
        insert: Any = postgresql.insert(IdempotencyRecord)
    else:
        # SQLite cannot turn a transaction that has read into a writer while another one
        # writes (it fails at once instead of waiting): end the reads (credentials, the
        # lookup above) so that this INSERT opens a new transaction that waits its turn.
        db.session.commit()
        insert = sqlite.insert(IdempotencyRecord)
    statement = insert.values(**values).on_conflict_do_nothing(index_elements=["caller", "key"])
    try:
        return db.session.execute(statement.returning(IdempotencyRecord.id)).scalar_one_or_none()
    except OperationalError as error:
        if _is_lock_timeout(error):
            db.session.rollback()
            raise _in_progress() from None
        raise


def _is_lock_timeout(error: OperationalError) -> bool:
    return getattr(error.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE


def _in_progress() -> Conflict:
    return Conflict(code="idempotency.in_progress", headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                    errors={HEADER: [N_("A request with this key is still being processed.")]})


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        raise Unprocessable(
            code="idempotency.mismatch",
            errors={HEADER: [N_("This key was used for a different request.")]},
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


def _outcome(response: Response) -> dict[str, Any]:
    """The columns that make a reservation the stored response."""
    body = response.get_json(silent=True) if response.is_json else None
    headers = {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}
    return {"status_code": response.status_code, "response_body": body, "response_headers": headers or None}


@sweeper("idempotency.expire", order=90)
def expire_records(now: datetime) -> int:
    """Delete idempotency records older than 24 hours, oldest first, in batches; returns how many."""

    def batch(size: int) -> tuple[int, int]:
        with transaction():
            old = (
                sa.select(IdempotencyRecord.id)
                .where(IdempotencyRecord.created_at <= now - WINDOW)
                .order_by(IdempotencyRecord.created_at)
                .limit(size)
            )
            ids = list(db.session.execute(old).scalars())
            if ids:
                db.session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.id.in_(ids)))
        return len(ids), len(ids)

    return in_batches(batch, configured_batch(_EXPIRE_BATCH))
