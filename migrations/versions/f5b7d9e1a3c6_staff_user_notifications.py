"""change notifications for staff users (PostgreSQL only): signed-in users kept in memory

Revision ID: f5b7d9e1a3c6
Revises: e4a6c8f0b2d4
Create Date: 2026-12-04 16:00:00

"""
from alembic import op

revision = 'f5b7d9e1a3c6'
down_revision = 'e4a6c8f0b2d4'
branch_labels = None
depends_on = None

# A frozen copy of models/notify.py's trigger for this table (the function exists since 7c2f9e1a4b3d).
TRIGGER = (
    "CREATE TRIGGER staff_users_notify_change AFTER UPDATE OR DELETE ON staff_users "
    "FOR EACH ROW EXECUTE FUNCTION cancelsvc_notify_change('s:', 'id')"
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(TRIGGER)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS staff_users_notify_change ON staff_users")
