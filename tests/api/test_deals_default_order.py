"""`deals` without arguments lists open deals first (a board's first page is today's work, not two-year-old
losses), then closed ones; each group by close date; and pages through it both ways without gaps."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from api.db import Database
from api.db.models import Deal
from tests.api.factories import People, create_deal, gql

FIRST = """query($after: String) {
  deals(first: 2, after: $after) { edges { node { name status } } pageInfo { endCursor hasNextPage } }
}"""
LAST = """query($before: String) {
  deals(last: 2, before: $before) { edges { node { name } } pageInfo { startCursor hasPreviousPage } }
}"""


async def test_open_deals_come_first_then_closed_ones_each_by_close_date(client, database: Database, people: People):
    # given: two old lost deals that close earliest, and three open ones
    for name, close, status in [
        ("Lost long ago", date(2024, 1, 31), "lost"),
        ("Won last year", date(2025, 3, 31), "won"),
        ("Open, closes late", date(2027, 6, 30), "open"),
        ("Open, closes soon", date(2026, 12, 31), "open"),
        ("Open, closes next", date(2027, 1, 31), "open"),
    ]:
        deal = await create_deal(database, owner=people.rep_a, name=name, close_date=close)
        async with database.transaction() as session:
            await session.execute(update(Deal).where(Deal.id == deal.id).values(status=status))

    # when: the rep pages forward, then backward, without arguments but the page size
    forward, after = [], None
    while True:
        page = (await gql(client, FIRST, {"after": after}, token=people.rep_a.token))["data"]["deals"]
        forward += [edge["node"]["name"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    backward, before = [], None
    while True:
        page = (await gql(client, LAST, {"before": before}, token=people.rep_a.token))["data"]["deals"]
        backward = [edge["node"]["name"] for edge in page["edges"]] + backward
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]

    # then
    assert forward == [
        "Open, closes soon",
        "Open, closes next",
        "Open, closes late",
        "Lost long ago",
        "Won last year",
    ]
    assert backward == forward
