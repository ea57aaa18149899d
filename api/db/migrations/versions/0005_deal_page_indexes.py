"""deals (filter, order, id): one index per filter and order of the deals connection, the default order
(open deals first) included

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILTERS = ("status", "owner_id", "process_key", "stage_key")
ORDERS = ("close_date", "amount", "updated_at")
OPEN_FIRST = ("(CASE WHEN status = 'open' THEN 0 ELSE 1 END)", "close_date", "id")
"""The default order: open deals first, each group by close date (`api.db.models.OPEN_FIRST_RANK`)."""


def upgrade() -> None:
    # Indexes only: no row is read or rewritten.
    with op.batch_alter_table("deals", schema=None) as batch_op:
        for filtered in FILTERS:
            for ordered in ORDERS:
                batch_op.create_index(f"ix_deals_{filtered}_{ordered}_id", [filtered, ordered, "id"], unique=False)
    op.create_index("ix_deals_open_first_id", "deals", [sa.text(c) for c in OPEN_FIRST])
    for filtered in FILTERS:
        op.create_index(f"ix_deals_{filtered}_open_first_id", "deals", [sa.text(c) for c in (filtered, *OPEN_FIRST)])


def downgrade() -> None:
    op.drop_index("ix_deals_open_first_id", table_name="deals")
    for filtered in FILTERS:
        op.drop_index(f"ix_deals_{filtered}_open_first_id", table_name="deals")
    with op.batch_alter_table("deals", schema=None) as batch_op:
        for filtered in FILTERS:
            for ordered in ORDERS:
                batch_op.drop_index(f"ix_deals_{filtered}_{ordered}_id")
