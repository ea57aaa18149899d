"""Every filter and order of the `deals` connection has an index, so a page statement reads the rows it returns
and no others: checked with `EXPLAIN ANALYZE` on PostgreSQL, on 30,000 deals laid out as a real database is
(closed deals hold the early close dates, the small amounts and the old updates), where PostgreSQL would
otherwise walk the order's index and throw away thousands of rows of another status, owner or stage."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import create_async_engine

from api.db import Database, upgrade
from api.db.models import Role
from api.services.accounts.viewer import Viewer
from api.services.deals import queries
from tests.prerequisites import POSTGRES_URL, require_postgres

ADMIN = Viewer(id=1, name="Ada Admin", role=Role.ADMIN, team_id=None)
REP = Viewer(id=7, name="Rey Rep", role=Role.REP, team_id=None)
PAGE = 100
DEALS = 30_000
OPEN_FROM = 22_000
"""Deals numbered above this are open: they close last, are the largest and were updated last."""

FILTERS = {
    "none": queries.DealFilter(),
    "status": queries.DealFilter(statuses=("open",)),
    "owner": queries.DealFilter(owner_id=7),
    "process": queries.DealFilter(process_key="expansion"),
    "stage": queries.DealFilter(stage_keys=("commit",)),
}
SEED = f"""
INSERT INTO users (id, name, role, created_at)
SELECT g, 'Rep ' || g, 'rep', now() FROM generate_series(1, 50) g;
INSERT INTO deals (name, account_name, process_key, stage_key, status, owner_id, amount, currency, close_date,
                   version, created_at, updated_at, stage_entered_at)
SELECT 'Deal ' || g, 'Account ' || g,
       CASE WHEN g % 4 = 0 THEN 'expansion' ELSE 'new-business' END,
       CASE WHEN g > {OPEN_FROM} THEN (ARRAY['mql', 'sql', 'sal', 'commit'])[1 + g % 4]
            WHEN g % 3 = 0 THEN 'closed-lost' ELSE 'closed-won' END,
       CASE WHEN g > {OPEN_FROM} THEN 'open' WHEN g % 3 = 0 THEN 'lost' ELSE 'won' END,
       1 + g % 50, g, 'EUR', date '2024-01-01' + g / 20, 1,
       timestamptz '2024-01-01' + g * interval '1 hour', timestamptz '2024-01-01' + g * interval '1 hour',
       timestamptz '2024-01-01'
FROM generate_series(1, {DEALS}) g;
ANALYZE;
"""


@pytest.fixture(scope="module")
async def many_deals() -> AsyncIterator[Database]:
    await require_postgres()
    schema = f"waymark_indexes_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = Database(url=POSTGRES_URL, engine_options={"connect_args": {"server_settings": {"search_path": schema}}})
    try:
        await upgrade(database.engine)
        async with database.engine.begin() as connection:
            for statement in SEED.split(";"):
                if statement.strip():
                    await connection.execute(text(statement))
        yield database
    finally:
        await database.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def rows_read_for_a_page(
    database: Database, *, viewer: Viewer, deal_filter: queries.DealFilter, order: queries.DealOrder, after: str | None
) -> tuple[int, list[Any]]:
    """Run the page statement the API runs, then `EXPLAIN ANALYZE` it with the same parameters: how many rows of
    `deals` the plan read (returned by its scans plus thrown away by their filters), and the deals."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append((statement, parameters))

    async with database.sessions() as session:
        event.listen(database.engine.sync_engine, "before_cursor_execute", capture)
        try:
            page = await queries.page_of_deals(
                session,
                viewer=viewer,
                deal_filter=deal_filter,
                order=order,
                page=queries.PageAsked(first=PAGE, after=after),
            )
        finally:
            event.remove(database.engine.sync_engine, "before_cursor_execute", capture)
        statement, parameters = captured[-1]
        connection = await session.connection()
        plan = (await connection.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters)).scalar()
    return _rows_read(plan[0]["Plan"]), page.deals


def _rows_read(node: dict[str, Any]) -> int:
    read = 0
    if node.get("Relation Name") == "deals":
        kept = node.get("Actual Rows", 0)
        thrown = node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Index Recheck", 0)
        read += (kept + thrown) * node.get("Actual Loops", 1)
    return read + sum(_rows_read(child) for child in node.get("Plans", []))


ORDERS = [
    queries.DealOrder(field=field, descending=descending)
    for field in queries.DealOrderField
    for descending in (False, True)
]


@pytest.mark.postgres
@pytest.mark.parametrize("order", ORDERS, ids=lambda o: f"{o.field.value}-{'desc' if o.descending else 'asc'}")
@pytest.mark.parametrize("filtered", FILTERS)
async def test_a_page_of_filtered_deals_reads_only_the_rows_it_returns(many_deals, filtered, order):
    # given
    deal_filter = FILTERS[filtered]
    first, first_page = await rows_read_for_a_page(
        many_deals, viewer=ADMIN, deal_filter=deal_filter, order=order, after=None
    )
    cursor = queries.encode_cursor(first_page[-1], order=order)

    # when
    second, second_page = await rows_read_for_a_page(
        many_deals, viewer=ADMIN, deal_filter=deal_filter, order=order, after=cursor
    )

    # then: the page, and the one row that says whether another page follows
    assert len(first_page) == len(second_page) == PAGE
    assert first <= PAGE + 1, f"the first page read {first} rows"
    assert second <= PAGE + 1, f"the second page read {second} rows"


@pytest.mark.postgres
@pytest.mark.parametrize("order", ORDERS[::2], ids=lambda o: o.field.value)
async def test_a_reps_own_board_reads_only_the_rows_it_returns(many_deals, order):
    rows, page = await rows_read_for_a_page(
        many_deals, viewer=REP, deal_filter=queries.DealFilter(), order=order, after=None
    )

    assert len(page) == PAGE
    assert rows <= PAGE + 1, f"the page read {rows} rows"


@pytest.mark.postgres
async def test_without_the_status_index_the_open_board_reads_the_closed_deals_first(many_deals):
    # given: the database as the previous release left it (the indexes dropped in a transaction rolled back after)
    async with many_deals.engine.connect() as connection:
        transaction = await connection.begin()
        for ordered in ("close_date", "amount", "updated_at"):
            await connection.execute(text(f"DROP INDEX ix_deals_status_{ordered}_id"))
        statement = (
            "EXPLAIN (ANALYZE, FORMAT JSON) SELECT id FROM deals WHERE status IN ('open') ORDER BY close_date, id "
            f"LIMIT {PAGE + 1}"
        )

        # when
        plan = (await connection.execute(text(statement))).scalar()
        await transaction.rollback()

    # then: the test's data is large enough to tell an index that serves the filter from one that does not
    assert _rows_read(plan[0]["Plan"]) > 10 * PAGE
