"""process_versions (published, immutable process definitions) and deal_events.process_version

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "process_versions",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("published_by", sa.String(length=200), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("accepted_orphans", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["users.id"], name=op.f("fk_process_versions_published_by_id_users")
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_process_versions")),
    )
    # A new nullable column: events recorded before versions existed keep NULL (nothing is rewritten).
    with op.batch_alter_table("deal_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("process_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deal_events", schema=None) as batch_op:
        batch_op.drop_column("process_version")
    op.drop_table("process_versions")
