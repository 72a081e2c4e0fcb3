"""queue and call-list indexes end with id: pages read from the index alone, in order

Revision ID: d2f4a6c8e0b1
Revises: c8e1f3a5b7d9
Create Date: 2026-12-02 20:50:00

"""
from alembic import op


revision = 'd2f4a6c8e0b1'
down_revision = 'c8e1f3a5b7d9'
branch_labels = None
depends_on = None

REQUESTS = {
    'ix_cancellation_requests_queue': ['store_code', 'due_at'],
    'ix_cancellation_requests_queue_breached': ['store_code', 'breached', 'due_at'],
    'ix_cancellation_requests_queue_waiting': ['store_code', 'waiting_on', 'due_at'],
    'ix_cancellation_requests_queue_state': ['store_code', 'state', 'due_at'],
    'ix_cancellation_requests_due_at': ['due_at'],
    'ix_cancellation_requests_store_submitted': ['store_code', 'submitted_at'],
}
CALLS = ['store_code', 'closed_at', 'priority', 'due_at']


def _rebuild(with_id: bool) -> None:
    tail = ['id'] if with_id else []
    for name, columns in REQUESTS.items():
        op.drop_index(name, table_name='cancellation_requests')
        op.create_index(name, 'cancellation_requests', columns + tail)
    op.drop_index('ix_call_tasks_open', table_name='call_tasks')
    op.create_index('ix_call_tasks_open', 'call_tasks', CALLS + tail)


def upgrade():
    _rebuild(with_id=True)


def downgrade():
    _rebuild(with_id=False)
