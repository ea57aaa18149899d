"""api_tokens.expires_at: a token may stop working by itself (`waymark token rotate --expires-in-days N`)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 18:00:00.000000

A nullable column: every token issued before keeps working until it is revoked, as it did; no row of the
deals, their milestones or their history is touched.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
