"""A request's unit of work ends cleanly even when graphql-core answers early: an error that nulls the whole
result returns while loaders of other fields are still reading. Closing the session under a statement broke it
and sent SQLAlchemy's message to the client."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from api.graphql.core.unit_of_work import RequestFinished, ServiceUnavailable, UnitOfWork
from tests.api.factories import create_deal, deal_gid, gql

ERROR_BESIDE_LOADING_FIELDS = """
query Page($id: ID!) {
  deal(id: $id) { milestones { completedBy { name } } history { actor { name } } competitors { key } }
  pipeline { blockedDeals(after: "not-a-cursor") { totalCount } }
}
"""


async def test_finishing_waits_for_the_statement_in_progress_and_refuses_work_after(database):
    # given: a read holding the session
    unit = UnitOfWork(database.sessions())
    reading, release = asyncio.Event(), asyncio.Event()

    async def slow_read(session: AsyncSession) -> int:
        reading.set()
        await release.wait()
        return int((await session.execute(text("SELECT 1"))).scalar_one())

    read = asyncio.create_task(unit.read(slow_read))
    await reading.wait()

    # when: the request finishes meanwhile
    finish = asyncio.create_task(unit.finish(failed=False))
    for _ in range(5):
        await asyncio.sleep(0)
    waited = not finish.done()
    release.set()

    # then: the read ends normally, then the session closes, and later work is refused
    assert await read == 1
    await finish
    assert waited
    with pytest.raises(RequestFinished):
        await unit.read(slow_read)


async def test_an_error_beside_fields_still_loading_is_answered_without_the_drivers_words(client, database, people):
    deal = await create_deal(database, owner=people.rep_a, stage="sal", competitors=("acme",))

    for _ in range(5):
        body = await gql(client, ERROR_BESIDE_LOADING_FIELDS, {"id": deal_gid(deal)}, token=people.rep_a.token)

        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], body
        assert "sqlalche" not in json.dumps(body).lower()


async def test_work_over_its_time_is_unavailable_and_logged_as_too_slow_not_as_a_driver_error(database, caplog):
    # given: a piece of work that takes longer than the unit allows (a database that does not answer, or a
    # server too busy to take the answer)
    unit = UnitOfWork(database.sessions(), wait_seconds=0.05)

    async def too_slow(session: AsyncSession) -> None:
        await asyncio.sleep(1)

    # when
    with caplog.at_level("WARNING", logger="waymark.db"), pytest.raises(ServiceUnavailable):
        await unit.read(too_slow)
    await unit.finish(failed=True)

    # then
    assert [r.getMessage() for r in caplog.records] == [
        "a request's database work took over 0.05 s: the database did not answer in time, or this server was too "
        "busy to take its answer (a connection of the pool, its event loop)"
    ]


@pytest.mark.parametrize("failed", [False, True], ids=["answered", "failed"])
async def test_a_request_that_never_reached_the_database_ends_without_a_round_trip(database, monkeypatch, failed):
    # given: a request whose token was known, so it ran no statement
    unit = UnitOfWork(database.sessions())
    ended: list[str] = []
    for name in ("commit", "rollback", "close"):
        monkeypatch.setattr(unit.session, name, lambda name=name: ended.append(name))

    # when
    await unit.finish(failed=failed)

    # then: no commit, rollback or close was sent, and later work is refused
    assert ended == []
    with pytest.raises(RequestFinished):
        await unit.read(lambda session: session.scalar(text("SELECT 1")))


async def test_a_query_that_read_outside_transactions_ends_by_closing_its_session_without_a_commit(
    database, monkeypatch
):
    # given: a query's unit of work that has read outside transactions (PostgreSQL), or in one (SQLite)
    unit = UnitOfWork(database.sessions(), reads_outside_transactions=database.reads_outside_transactions)
    unit.reads_only()
    assert await unit.read(lambda session: session.scalar(text("SELECT 1"))) == 1
    ended: list[str] = []
    for name in ("commit", "rollback", "close"):
        method = getattr(unit.session, name)

        async def spied(method=method, name=name) -> None:
            ended.append(name)
            await method()

        monkeypatch.setattr(unit.session, name, spied)

    # when
    await unit.finish(failed=False)

    # then: outside transactions there is nothing to commit, only the session to close; in one, it commits
    assert ended == (["close"] if database.reads_outside_transactions else ["commit", "close"])
    assert "waymark.outside_transactions" not in unit.session.info
