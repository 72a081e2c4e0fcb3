"""messages to customers, SMS parts, inbound SMS, SMS preferences

Revision ID: c7e9a1b3d5f7
Revises: d2f4a6c8e0b1
Create Date: 2026-12-02 20:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c7e9a1b3d5f7'
down_revision = 'd2f4a6c8e0b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'messages',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('request_id', sa.String(length=36), nullable=True),
        sa.Column('customer_id', sa.Integer(), nullable=True),
        sa.Column('cause', sa.String(length=80), nullable=False),
        sa.Column('moment', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('audience', sa.String(length=16), nullable=False),
        sa.Column('language', sa.String(length=10), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('channel', sa.String(length=8), nullable=True),
        sa.Column('recipient_masked', sa.String(length=80), nullable=True),
        sa.Column('recipient_hash', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('not_before', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('smsc_id', sa.String(length=64), nullable=True),
        sa.Column('parts', sa.Integer(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('failure_reason', sa.String(length=200), nullable=True),
        sa.Column('merged_into', sa.String(length=36), nullable=True),
        sa.Column('counted', sa.Boolean(), nullable=False),
        sa.Column('claimed_by', sa.String(length=100), nullable=True),
        sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['request_id'], ['cancellation_requests.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('cause', 'moment', 'audience'),
    )
    op.create_index('ix_messages_due', 'messages', ['status', 'not_before'])
    op.create_index('ix_messages_request', 'messages', ['request_id', 'created_at'])
    op.create_index('ix_messages_customer_sent', 'messages', ['customer_id', 'sent_at'])
    op.create_index('ix_messages_recipient_hash', 'messages', ['recipient_hash'])
    op.create_table(
        'sms_parts',
        sa.Column('smsc_id', sa.String(length=64), nullable=False),
        sa.Column('message_id', sa.String(length=36), nullable=False),
        sa.Column('part', sa.Integer(), nullable=False),
        sa.Column('receipt', sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('smsc_id'),
    )
    op.create_table(
        'inbound_sms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sender', sa.String(length=24), nullable=True),
        sa.Column('sender_masked', sa.String(length=24), nullable=True),
        sa.Column('sender_hash', sa.String(length=64), nullable=True),
        sa.Column('text', sa.String(length=320), nullable=True),
        sa.Column('smsc_id', sa.String(length=64), nullable=True),
        sa.Column('receipt', sa.String(length=8), nullable=True),
        sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('request_id', sa.String(length=36), nullable=True),
        sa.Column('message_id', sa.String(length=36), nullable=True),
        sa.Column('command', sa.String(length=16), nullable=True),
        sa.Column('outcome', sa.String(length=64), nullable=True),
        sa.Column('claimed_by', sa.String(length=100), nullable=True),
        sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_inbound_sms_pending', 'inbound_sms', ['handled_at', 'received_at'])
    op.create_index('ix_inbound_sms_sender_hash', 'inbound_sms', ['sender_hash'])
    op.create_index('ix_inbound_sms_request_id', 'inbound_sms', ['request_id'])
    op.create_index('ix_inbound_sms_message_id', 'inbound_sms', ['message_id'])
    op.create_table(
        'sms_preferences',
        sa.Column('recipient_hash', sa.String(length=64), nullable=False),
        sa.Column('opted_out', sa.Boolean(), nullable=False),
        sa.Column('language', sa.String(length=10), nullable=True),
        sa.Column('help_sent_on', sa.String(length=10), nullable=True),
        sa.Column('pending_request_id', sa.String(length=36), nullable=True),
        sa.Column('pending_code_hash', sa.String(length=64), nullable=True),
        sa.Column('pending_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('recipient_hash'),
    )


def downgrade():
    op.drop_table('sms_preferences')
    op.drop_index('ix_inbound_sms_message_id', table_name='inbound_sms')
    op.drop_index('ix_inbound_sms_request_id', table_name='inbound_sms')
    op.drop_index('ix_inbound_sms_sender_hash', table_name='inbound_sms')
    op.drop_index('ix_inbound_sms_pending', table_name='inbound_sms')
    op.drop_table('inbound_sms')
    op.drop_table('sms_parts')
    op.drop_index('ix_messages_recipient_hash', table_name='messages')
    op.drop_index('ix_messages_customer_sent', table_name='messages')
    op.drop_index('ix_messages_request', table_name='messages')
    op.drop_index('ix_messages_due', table_name='messages')
    op.drop_table('messages')
