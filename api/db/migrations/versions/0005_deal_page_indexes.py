"""deals (filter, order, id): one index per filter and order of the deals connection

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-30 18:30:00.000000
"""

from collections.abc import Sequence

from alembic import op


revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILTERS = ("status", "owner_id", "process_key", "stage_key")
ORDERS = ("close_date", "amount", "updated_at")


def upgrade() -> None:
    # Indexes only: no row is read or rewritten.
    with op.batch_alter_table("deals", schema=None) as batch_op:
        for filtered in FILTERS:
            for ordered in ORDERS:
                batch_op.create_index(f"ix_deals_{filtered}_{ordered}_id", [filtered, ordered, "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deals", schema=None) as batch_op:
        for filtered in FILTERS:
            for ordered in ORDERS:
                batch_op.drop_index(f"ix_deals_{filtered}_{ordered}_id")
