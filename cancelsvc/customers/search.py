"""One search box for staff: a number, a tracking code, a name or an identity-document number.

The document number is never stored or compared in clear: it is hashed with the PII key
for every document type and matched against the stored keyed hashes, as a swiped ID card
would give it. Clerks find only their store's accounts; admins and admin keys every store's.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from cancelsvc.auth.principal import Principal
from cancelsvc.common.masking import hash_identity
from cancelsvc.common.phones import normalise_msisdn
from cancelsvc.imports.schemas import ID_DOC_TYPES
from cancelsvc.requests import codes
from cancelsvc.services import settings
from models import Account, CancellationRequest, Customer, db

LIMIT = 50


def search(principal: Principal, q: str) -> list[dict[str, Any]]:
    """Accounts (with their open request) and requests matching ``q``, best matches first."""
    text = " ".join(q.split())
    if not text:
        return []
    results: list[dict[str, Any]] = []
    code = codes.normalise(text.replace(" ", "").replace("-", ""))
    if code is not None:
        results += _requests(principal, code)
    msisdn = normalise_msisdn(text) if any(ch.isdigit() for ch in text) else None
    conditions: list[sa.ColumnElement[bool]] = []
    if msisdn is not None:
        conditions.append(Account.msisdn == msisdn)
    compact = text.replace(" ", "")
    if len(compact) >= 6 and compact.isalnum():
        key = settings().pii_key
        conditions.append(Customer.id_doc_hash.in_([hash_identity(key, kind, compact) for kind in ID_DOC_TYPES]))
    if not text.replace("+", "").replace("-", "").replace(" ", "").isdigit():
        conditions.append(Customer.name.contains(text, autoescape=True))
    if conditions:
        results += _accounts(principal, sa.or_(*conditions), msisdn)
    return results[:LIMIT]


def _visible(query: Any, principal: Principal, store: Any) -> Any:
    if principal.sees_everything:
        return query
    return query.where(store == principal.store_code) if principal.is_staff else query.where(sa.false())


def _requests(principal: Principal, code: str) -> list[dict[str, Any]]:
    r = CancellationRequest
    query = (sa.select(r.id, r.tracking_code, r.state, r.account_id, Account.msisdn, Account.status,
                       Account.store_code, Customer.name)
             .join(Account, Account.id == r.account_id).join(Customer, Customer.id == r.customer_id)
             .where(r.tracking_code == code))
    return [
        {"kind": "request", "matched": "tracking_code", "account_id": row.account_id, "msisdn": row.msisdn,
         "customer_name": row.name, "store_code": row.store_code, "account_status": row.status,
         "request_id": row.id, "tracking_code": row.tracking_code, "state": row.state}
        for row in db.session.execute(_visible(query, principal, r.store_code))
    ]


def _accounts(principal: Principal, condition: sa.ColumnElement[bool], msisdn: str | None) -> list[dict[str, Any]]:
    r = CancellationRequest
    query = (sa.select(Account.id, Account.msisdn, Account.status, Account.store_code, Customer.name,
                       Customer.id_doc_hash, r.id.label("request_id"), r.tracking_code, r.state)
             .join(Customer, Customer.id == Account.customer_id)
             .outerjoin(r, r.open_account_id == Account.id)
             .where(condition)
             .order_by(Customer.name, Account.msisdn)
             .limit(LIMIT))
    rows = list(db.session.execute(_visible(query, principal, Account.store_code)).all())
    if msisdn:
        rows.sort(key=lambda row: row.msisdn != msisdn)  # the exact number first (stable sort)
    return [
        {"kind": "account", "matched": _matched(row, msisdn), "account_id": row.id, "msisdn": row.msisdn,
         "customer_name": row.name, "store_code": row.store_code, "account_status": row.status,
         "request_id": row.request_id, "tracking_code": row.tracking_code, "state": row.state}
        for row in rows
    ]


def _matched(row: Any, msisdn: str | None) -> str:
    if msisdn and row.msisdn == msisdn:
        return "msisdn"
    return "name_or_id_document"
