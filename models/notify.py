"""PostgreSQL announces changed rows on a channel, so caches elsewhere can drop them.

A row trigger on ``cancellation_requests``, ``api_keys``, ``customers`` and ``staff_users``
sends ``NOTIFY cancelsvc_changes, '<prefix><key>'`` for every UPDATE or DELETE
(``r:<request id>``, ``k:<key hash>``, ``c:<customer external id>``, ``s:<staff user id>``). PostgreSQL delivers notifications only
when the transaction commits, in commit order, and whatever path changed the row — the
service, a job, a command or an operator's SQL. SQLite has no such channel: nothing here
applies to it.
"""

from __future__ import annotations

import sqlalchemy as sa

CHANNEL = "cancelsvc_changes"

#: table → (payload prefix, the column that names the row)
WATCHED: dict[str, tuple[str, str]] = {
    "cancellation_requests": ("r:", "id"),
    "api_keys": ("k:", "key_hash"),
    "customers": ("c:", "external_id"),
    "staff_users": ("s:", "id"),
}

FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION cancelsvc_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', TG_ARGV[0] || (to_jsonb(OLD) ->> TG_ARGV[1]));
    RETURN NULL;
END
$$
"""


def trigger_sql(table: str) -> str:
    prefix, column = WATCHED[table]
    return (
        f"CREATE TRIGGER {table}_notify_change AFTER UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION cancelsvc_notify_change('{prefix}', '{column}')"
    )


def attach(metadata: sa.MetaData) -> None:
    """Create the function and triggers with the tables (``create_all``) on PostgreSQL."""
    for name in WATCHED:
        table = metadata.tables[name]
        sa.event.listen(table, "after_create", sa.DDL(FUNCTION_SQL).execute_if(dialect="postgresql"))
        sa.event.listen(table, "after_create", sa.DDL(trigger_sql(name)).execute_if(dialect="postgresql"))
