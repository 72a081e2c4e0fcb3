"""event ids unique per sender, with a hash of the event to tell a repeat from a reuse

Revision ID: 5d8e2b7c9a41
Revises: 7c2f9e1a4b3d
Create Date: 2026-12-02 14:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '5d8e2b7c9a41'
down_revision = '7c2f9e1a4b3d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inbound_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_hash', sa.String(length=64), nullable=True))
        batch_op.drop_constraint('uq_inbound_events_event_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_inbound_events_sender_event_id'), ['sender', 'event_id'])


def downgrade():
    # Fails if two senders have used one event id since the upgrade.
    with op.batch_alter_table('inbound_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_inbound_events_sender_event_id'), type_='unique')
        batch_op.create_unique_constraint('uq_inbound_events_event_id', ['event_id'])
        batch_op.drop_column('body_hash')
