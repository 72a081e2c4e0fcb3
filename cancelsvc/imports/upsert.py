"""From the staging tables to the real ones: a few set-based statements in one transaction.

Every kind is written by one ``INSERT … SELECT … ON CONFLICT (key) DO UPDATE … WHERE
(columns) IS DISTINCT FROM (excluded columns)``, whose ``SELECT`` takes only the staged rows
that are new or differ from the stored ones: a new row is inserted, a row that differs is
updated (with a new ``updated_at``), a row that is the same is not touched at all (not even
locked), so importing the same file again changes nothing. Keys: stores by ``code``, customers by
``external_id``, accounts by ``msisdn``, contracts by ``external_id``, bills by (account,
``period``), devices by ``serial``, services by (account, ``code``).

What the file cannot change is checked first, set-based too: a number that belongs to
another customer, a contract or device recorded on another number.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB

from cancelsvc.imports import tables as st
from models import Account, Bill, CancellationRequest, Contract, Customer, Device, Store, ValueAddedService, db
from models.customer import FamilyGroup
from models.vocabulary import RequestState

#: (path, message) of each conflict with what the database holds, at most ``limit`` of them.
Conflict = tuple[str, str]


@dataclass(frozen=True)
class Written:
    created: int
    updated: int
    unchanged: int


def _insert(table: Any) -> Any:
    return (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(table)


def _comparable(column: Any) -> Any:
    """JSON columns compare by value (PostgreSQL's json type has no equality)."""
    if isinstance(column.type, sa.JSON):
        return sa.cast(column, JSONB) if db.engine.dialect.name == "postgresql" else sa.func.json(column)
    return column


def _rowcount(statement: Any) -> int:
    """Rows an INSERT inserted or updated (kept: the driver forgets it once the cursor closes)."""
    result = db.session.execute(statement.execution_options(preserve_rowcount=True))
    assert isinstance(result, sa.CursorResult)
    return int(result.rowcount)


def _count(query: Any) -> int:
    return int(db.session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one())


def conflicts(limit: int) -> tuple[list[Conflict], int]:
    """Ownership the file would change: a number of another customer, a contract or device of
    another number. The first ``limit`` as (path, message), and how many there are."""
    a, s = Account.__table__, st.ACCOUNTS
    c = Customer.__table__
    queries: list[tuple[Any, Callable[[Any], Conflict]]] = [
        (sa.select(s.c.loc, s.c.msisdn, c.c.external_id)
         .join(a, a.c.msisdn == s.c.msisdn).join(c, c.c.id == a.c.customer_id)
         .where(c.c.external_id != s.c.customer_external_id),
         lambda r: (f"{r.loc}.msisdn", f"{r.msisdn} belongs to customer {r.external_id}; "
                                       "a number changes owner only through the operator's transfer process.")),
    ]
    for staged, model, key in ((st.CONTRACTS, Contract, "external_id"), (st.DEVICES, Device, "serial")):
        t = model.__table__
        queries.append((
            sa.select(staged.c.loc, staged.c[key].label("key"), a.c.msisdn.label("other"))
            .join(t, t.c[key] == staged.c[key]).join(a, a.c.id == t.c.account_id)
            .where(a.c.msisdn != staged.c.msisdn),
            functools.partial(_elsewhere, key)))
    found: list[Conflict] = []
    total = 0
    for query, describe in queries:
        total += _count(query)
        if len(found) < limit:
            found.extend(describe(r) for r in db.session.execute(query.limit(limit - len(found))))
    return found, total


def _elsewhere(key: str, row: Any) -> Conflict:
    return f"{row.loc}.{key}", f"{row.key} is recorded on another number ({row.other})."


def keep_deactivated(limit: int) -> tuple[list[str], int]:
    """Accounts this service deactivated stay cancelled whatever the file says: their staged
    status becomes ``cancelled``. The first ``limit`` numbers, and how many there are."""
    s, a, r = st.ACCOUNTS, Account.__table__, CancellationRequest.__table__
    deactivated = (sa.select(r.c.id).join(a, a.c.id == r.c.account_id)
                   .where(a.c.msisdn == s.c.msisdn, r.c.state == RequestState.COMPLETED).exists())
    which = sa.select(s.c.msisdn).where(s.c.status != "cancelled", deactivated).order_by(s.c.msisdn)
    total = _count(which)
    numbers = list(db.session.execute(which.limit(limit)).scalars()) if total else []
    if total:
        db.session.execute(sa.update(s).where(s.c.status != "cancelled", deactivated).values(status="cancelled"))
    return numbers, total


def new_holds_on_open_requests() -> Iterator[tuple[str, list[str], list[str]]]:
    """(open request id, holds now, holds in the file) for every staged account with an open request."""
    s, a, r = st.ACCOUNTS, Account.__table__, CancellationRequest.__table__
    query = (sa.select(r.c.id, a.c.holds, s.c.holds.label("staged"))
             .join(a, a.c.msisdn == s.c.msisdn).join(r, r.c.open_account_id == a.c.id))
    for row in db.session.execute(query):
        yield row.id, list(row.holds or ()), list(row.staged or ())


def write(now: dt.datetime, staged: dict[sa.Table, int], done: Callable[[int], None]) -> dict[str, Written]:
    """Stores, customers, family groups, accounts and what they hold, in that order; ``done(n)``
    after each kind with the number of its staged rows."""
    out: dict[str, Written] = {}
    s = st.STORES
    stores = Store.__table__
    store_columns = ["name", "city", "address", "opening_hours", "phone"]
    described = _upsert_from(stores, ["code"], [], store_columns,
                        sa.select(s.c.code, *(s.c[c] for c in store_columns)), None,
                        sa.select(s.c.code).where(~sa.select(stores.c.id).where(stores.c.code == s.c.code).exists()),
                        staged[st.STORES])
    acc = st.ACCOUNTS
    named = (sa.select(acc.c.store_code, acc.c.store_code).where(acc.c.store_code.is_not(None)).distinct())
    inserted = _rowcount(
        _insert(stores).from_select(["code", "name"], named).on_conflict_do_nothing(index_elements=["code"]))
    out["stores"] = Written(described.created + inserted, described.updated, described.unchanged)
    done(staged[st.STORES])

    c, customers = st.CUSTOMERS, Customer.__table__
    customer_columns = ["name", "id_doc_type", "id_doc_hash", "id_doc_last4", "phone", "email", "locale",
                        "timezone", "segment"]
    out["customers"] = _upsert_from(
        customers, ["external_id"], [], customer_columns,
        sa.select(c.c.external_id, *(c.c[k] for k in customer_columns)), now,
        sa.select(c.c.external_id).where(~sa.select(customers.c.id)
                                         .where(customers.c.external_id == c.c.external_id).exists()),
        staged[st.CUSTOMERS])
    done(staged[st.CUSTOMERS])

    groups = FamilyGroup.__table__
    db.session.execute(
        _insert(groups).from_select(
            ["group_code"], sa.select(acc.c.family_group_code).where(acc.c.family_group_code.is_not(None)).distinct())
        .on_conflict_do_nothing(index_elements=["group_code"]))

    accounts = Account.__table__
    account_columns = [*st.ACCOUNT_COLUMNS, "family_group_id", "family_role"]
    source = (sa.select(acc.c.msisdn, customers.c.id, *(acc.c[k] for k in st.ACCOUNT_COLUMNS), groups.c.id,
                        acc.c.family_role)
              .select_from(acc.join(customers, customers.c.external_id == acc.c.customer_external_id)
                           .outerjoin(groups, groups.c.group_code == acc.c.family_group_code)))
    out["accounts"] = _upsert_from(
        accounts, ["msisdn"], ["customer_id"], account_columns, source, now,
        sa.select(acc.c.msisdn).where(~sa.select(accounts.c.id).where(accounts.c.msisdn == acc.c.msisdn).exists()),
        staged[st.ACCOUNTS])
    done(staged[st.ACCOUNTS])

    owned: tuple[tuple[str, sa.Table, Any, str, tuple[str, ...]], ...] = (
        ("contracts", st.CONTRACTS, Contract, "external_id", st.CONTRACT_COLUMNS),
        ("devices", st.DEVICES, Device, "serial", st.DEVICE_COLUMNS),
    )
    for kind, staged_table, model, key, columns in owned:
        t = model.__table__
        source = (sa.select(staged_table.c[key], accounts.c.id, *(staged_table.c[k] for k in columns))
                  .select_from(staged_table.join(accounts, accounts.c.msisdn == staged_table.c.msisdn))
                  .order_by(staged_table.c.seq, staged_table.c.ord))  # new rows get their ids in file order
        out[kind] = _upsert_from(
            t, [key], ["account_id"], list(columns), source, now,
            sa.select(staged_table.c[key]).where(~sa.select(t.c.id).where(t.c[key] == staged_table.c[key]).exists()),
            staged[staged_table])
        done(staged[staged_table])

    local: tuple[tuple[str, sa.Table, Any, str, tuple[str, ...]], ...] = (
        ("bills", st.BILLS, Bill, "period", st.BILL_COLUMNS),
        ("services", st.SERVICES, ValueAddedService, "code", st.SERVICE_COLUMNS),
    )
    for kind, staged_table, model, key, columns in local:
        t = model.__table__
        joined = staged_table.join(accounts, accounts.c.msisdn == staged_table.c.msisdn)
        source = (sa.select(accounts.c.id, staged_table.c[key], *(staged_table.c[k] for k in columns))
                  .select_from(joined).order_by(staged_table.c.seq, staged_table.c.ord))  # new rows get their ids in file order
        out[kind] = _upsert_from(
            t, ["account_id", key], [], list(columns), source, now,
            sa.select(staged_table.c[key]).select_from(joined).where(
                ~sa.select(t.c.id).where(t.c.account_id == accounts.c.id, t.c[key] == staged_table.c[key]).exists()),
            staged[staged_table])
        done(staged[staged_table])
    return out


def _upsert_from(target: Any, key: Sequence[str], fixed: Sequence[str], columns: Sequence[str], source: Any,
                 now: dt.datetime | None, created_query: Any, staged: int) -> Written:
    """Insert ``key`` + ``fixed`` + ``columns`` selected by ``source``; on conflict update ``columns``
    when they differ (``fixed`` ones, such as the owner, are written only with a new row).

    Only rows that are new or differ are selected (joined with what is stored): a row that
    is the same is neither updated nor locked, so a re-import writes nothing at all.
    """
    created = _count(created_query)
    names = [*key, *fixed, *columns]
    selected = list(source.selected_columns)
    given = dict(zip(names, selected, strict=True))
    stored = target.alias("stored")
    query = source.outerjoin(stored, sa.and_(*(stored.c[k] == given[k] for k in key))).where(
        stored.c.id.is_(None) | sa.tuple_(*(_comparable(stored.c[c]) for c in columns)).is_distinct_from(
            sa.tuple_(*(_comparable(given[c]) for c in columns))))
    if now is not None:
        names += ["created_at", "updated_at"]
        selected += [sa.literal(now, Customer.created_at.type), sa.literal(now, Customer.updated_at.type)]
    query = query.with_only_columns(*selected, maintain_column_froms=False)
    statement = _insert(target).from_select(names, query)
    update = {c: statement.excluded[c] for c in columns}
    if now is not None:
        update["updated_at"] = statement.excluded.updated_at
    statement = statement.on_conflict_do_update(
        index_elements=list(key), set_=update,
        where=sa.tuple_(*(_comparable(target.c[c]) for c in columns)).is_distinct_from(
            sa.tuple_(*(_comparable(statement.excluded[c]) for c in columns))))
    written = _rowcount(statement)
    return Written(created, written - created, staged - written)
