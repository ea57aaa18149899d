"""deal_events (deal_id, occurred_at, id): each deal's history in time order, for the history walks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 03:51:56.167217
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('deal_events', schema=None) as batch_op:
        batch_op.create_index('ix_deal_events_deal_id_occurred_at_id', ['deal_id', 'occurred_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('deal_events', schema=None) as batch_op:
        batch_op.drop_index('ix_deal_events_deal_id_occurred_at_id')
