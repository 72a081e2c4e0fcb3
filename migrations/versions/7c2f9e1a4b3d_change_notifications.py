"""change notifications for cached reads (PostgreSQL only)

Revision ID: 7c2f9e1a4b3d
Revises: 466bb6a5e06f
Create Date: 2026-11-23 12:00:00

"""
from alembic import op

revision = '7c2f9e1a4b3d'
down_revision = '466bb6a5e06f'
branch_labels = None
depends_on = None

# Frozen copies of models/notify.py as of this revision.
FUNCTION = """
CREATE OR REPLACE FUNCTION cancelsvc_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('cancelsvc_changes', TG_ARGV[0] || (to_jsonb(OLD) ->> TG_ARGV[1]));
    RETURN NULL;
END
$$
"""
TRIGGERS = {"cancellation_requests": ("r:", "id"), "api_keys": ("k:", "key_hash"), "customers": ("c:", "external_id")}


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    for table, (prefix, column) in TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {table}_notify_change AFTER UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION cancelsvc_notify_change('{prefix}', '{column}')"
        )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify_change ON {table}")
    op.execute("DROP FUNCTION IF EXISTS cancelsvc_notify_change()")
