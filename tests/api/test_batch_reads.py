"""A deal, its completions, history and competitors, and the users and teams they show, read the same whichever
way the read runs: on asyncpg itself (PostgreSQL, outside a transaction, as a query's reads run) or through
SQLAlchemy (in a transaction, and on SQLite), with the same values and types, and counted as statements
either way."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import Database
from api.db.batches import NestedRows
from api.db.batches import read_outside_transactions as begin_reads_outside_transactions
from api.db.models import Deal, DealCompetitor, DealEvent, MilestoneCompletion
from api.graphql.core.loaders import read_together
from api.graphql.core.unit_of_work import UnitOfWork
from api.graphql.deals.loaders import CompetitorKeysByDealIdLoader, CompletionsByDealIdLoader
from api.services.accounts import directory
from api.services.deals import queries
from tests.api.factories import counting_statements, create_deal, create_spread_of_deals

Read = Callable[[AsyncSession], Awaitable[Any]]


async def read_outside_transactions(database: Database, read: Read) -> Any:
    async with database.sessions() as session:
        await begin_reads_outside_transactions(session)  # as a query's unit of work begins its reads
        return await read(session)


async def read_in_a_transaction(database: Database, read: Read) -> Any:
    async with database.sessions() as session:
        return await read(session)


async def _deals_of_every_kind(database: Database, people: Any) -> Any:
    """Deals with completions (some with notes), competitors, and history with JSON columns and nulls; the last
    one with a gate override by the manager, who acts on no other deal."""
    await create_spread_of_deals(database, owners=(people.rep_a, people.rep_b), count=8)
    deal = await create_deal(database, owner=people.rep_a, stage="sal", competitors=("acme", "status-quo"))
    async with database.transaction() as session:
        await session.execute(
            insert(DealEvent).values(
                deal_id=deal.id,
                kind="gate-overridden",
                actor_id=people.manager.id,
                occurred_at=datetime(2026, 11, 30, 9, 30, tzinfo=UTC),
                from_stage="sal",
                to_stage="commit",
                reason="signed early — «ok»",
                skipped_milestones=["budget", "champion"],
                changes={"amount": ["1000.00", "2000.00"], "note": [None, 'a "quoted" note']},
            )
        )
    return deal


async def test_the_reads_give_the_same_rows_outside_transactions_and_in_one(database, people):
    # given
    deal = await _deals_of_every_kind(database, people)
    ids = [*range(1, deal.id + 1), deal.id + 1000]  # one id of no deal (and of no user, no team below)
    user_ids = [people.rep_a.id, people.manager.id, people.admin.id]
    team_ids = [t for t in {people.rep_a.team_id, people.manager.team_id} if t is not None]
    reads: dict[str, Read] = {
        "deals": lambda session: queries.deals_by_ids(session, viewer=people.admin.viewer, ids=ids),
        "a rep's deals": lambda session: queries.deals_by_ids(session, viewer=people.rep_b.viewer, ids=ids),
        "completions": lambda session: queries.completions_by_deal_ids(session, ids=ids),
        "history": lambda session: queries.events_by_deal_ids(session, ids=ids),
        "competitors": lambda session: queries.competitor_keys_by_deal_ids(session, ids=ids),
        "users": lambda session: directory.users_by_ids(session, ids=[*user_ids, max(user_ids) + 1000]),
        "teams": lambda session: directory.teams_by_ids(session, ids=[*team_ids, max(team_ids) + 1000]),
    }

    for name, read in reads.items():
        # when
        with counting_statements(database) as outside_seen:
            outside = await read_outside_transactions(database, read)
        with counting_statements(database) as inside_seen:
            inside = await read_in_a_transaction(database, read)

        # then: equal values of equal types, one statement seen each way
        assert outside == inside, name
        assert [[type(v) for v in _values(x)] for x in outside] == [[type(v) for v in _values(x)] for x in inside]
        assert any(outside), name
        assert outside[-1] in (None, []), "a key of nothing reads as nothing"
        assert len(outside_seen) == 1, outside_seen
        assert len(inside_seen) == 1, inside_seen
        if database.url.startswith("postgresql"):
            assert "ANY" in outside_seen[0], "outside a transaction, asyncpg runs the read with the keys as one array"
            assert "ANY" not in inside_seen[0]

    history = (await read_outside_transactions(database, reads["history"]))[ids.index(deal.id)]
    [override] = [e for e in history if e.kind == "gate-overridden"]
    assert override.changes == {"amount": ["1000.00", "2000.00"], "note": [None, 'a "quoted" note']}
    assert override.skipped_milestones == ["budget", "champion"]
    assert override.occurred_at == datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    assert override.occurred_at.tzinfo is UTC


EVERY_PART = queries.DealPageParts(
    competitors=True, completions=True, completers=True, events=True, actors=True, owner=True
)


@pytest.mark.parametrize("parts", [EVERY_PART, queries.DealPageParts(completions=True, events=True)], ids=str)
async def test_a_deal_page_read_in_one_statement_gives_what_the_reads_of_each_part_give(database, people, parts):
    if not database.reads_outside_transactions:
        pytest.skip("SQLite: a deal page's parts are read one statement each (nesting them is PostgreSQL's)")
    # given
    deal = await _deals_of_every_kind(database, people)
    ids = [*range(1, deal.id + 1), deal.id + 1000]

    for viewer in (people.admin.viewer, people.manager.viewer, people.rep_b.viewer):

        async def nested(session: AsyncSession, viewer: Any = viewer) -> Any:
            return await queries.deal_pages_by_ids(session, viewer=viewer, ids=ids, parts=parts)

        async def one_by_one(session: AsyncSession, viewer: Any = viewer) -> Any:
            return (
                await queries.deals_by_ids(session, viewer=viewer, ids=ids),
                await queries.competitor_keys_by_deal_ids(session, ids=ids),
                await queries.completions_and_completers_by_deal_ids(session, ids=ids),
                await queries.events_and_actors_by_deal_ids(session, ids=ids),
                await directory.users_by_ids(session, ids=[people.rep_a.id, people.rep_b.id]),
            )

        # when
        with counting_statements(database) as seen:
            pages = await read_outside_transactions(database, nested)
        deals, competitors, (completions, completers), (events, actors), owners = await read_outside_transactions(
            database, one_by_one
        )

        # then: one statement; the same values, of the same types, as the reads of each part (for a viewer who
        # sees every deal, a team's, a rep's own)
        assert len(seen) == 1, seen
        assert [page.deal if page else None for page in pages] == deals
        assert any(pages)
        assert pages[-1] is None, "a key of nothing reads as nothing"
        for index, page in enumerate(pages):
            if page is None:
                continue
            assert page.competitor_keys == (competitors[index] if parts.competitors else None)
            assert page.completions == completions[index]
            assert page.events == events[index]
            assert [[type(v) for v in e] for e in page.events or []] == [[type(v) for v in e] for e in events[index]]
            named = {c.completed_by_id for c in page.completions or []} if parts.completers else set()
            named |= {e.actor_id for e in page.events or []} if parts.actors else set()
            named |= {page.deal.owner_id} if parts.owner else set()
            shown = {user.id: user for user in [*completers, *actors, *owners]}
            assert sorted(page.users) == sorted(shown[user_id] for user_id in named)

    async def admins(session: AsyncSession) -> Any:
        return await queries.deal_pages_by_ids(session, viewer=people.admin.viewer, ids=[deal.id], parts=parts)

    [page] = await read_outside_transactions(database, admins)
    override = page.events[-1]
    assert override.changes == {"amount": ["1000.00", "2000.00"], "note": [None, 'a "quoted" note']}
    assert override.reason == "signed early — «ok»"
    assert override.occurred_at.tzinfo is UTC


async def test_reads_outside_transactions_go_to_the_driver_without_asking_for_the_connection_again(
    database, people, monkeypatch
):
    # given: a session reading outside transactions, as a query's unit of work begins it
    deal = await create_deal(database, owner=people.rep_a, stage="sal", competitors=("acme",))
    async with database.sessions() as session:
        await begin_reads_outside_transactions(session)
        asked: list[object] = []
        connection = session.connection

        async def counted_connection(*args: Any, **kwargs: Any) -> Any:
            asked.append(args)
            return await connection(*args, **kwargs)

        monkeypatch.setattr(session, "connection", counted_connection)

        # when: three batch reads
        with counting_statements(database) as seen:
            completions = await queries.completions_by_deal_ids(session, ids=[deal.id])
            competitors = await queries.competitor_keys_by_deal_ids(session, ids=[deal.id])
            users = await directory.users_by_ids(session, ids=[people.rep_a.id])

    # then: each is one statement; on PostgreSQL the driver runs it, and the session is not asked for its
    # connection again (SQLite's go through the session)
    assert {c.milestone_key for c in completions[0]} == {"icp-fit", "pain-confirmed"}  # the stages before SAL
    assert competitors == [["acme"]]
    assert [u.name for u in users] == [people.rep_a.name]
    assert len(seen) == 3
    if database.url.startswith("postgresql"):
        assert asked == []
        assert all("ANY" in statement for statement in seen)
    else:
        assert len(asked) == 3


def _values(found: Any) -> list[Any]:
    """The values a read found for one key: a record's fields, or those of each record of a list."""
    records = found if isinstance(found, list) else [found]
    return [getattr(r, name) for r in records for name in getattr(r, "__slots__", ())] or list(records)


@pytest.mark.parametrize("read", ["completions", "competitors"])
async def test_a_read_after_a_write_in_the_same_transaction_sees_the_write(database, people, read):
    # given: a deal, then, in one transaction, a completion and a competitor written and not yet committed
    deal = await create_deal(database, owner=people.rep_a, stage="mql", completed=())
    async with database.sessions() as session:
        await write_a_completion_and_a_competitor(session, deal.id, people.rep_a.id)

        # when: read in that transaction
        if read == "completions":
            [found] = await queries.completions_by_deal_ids(session, ids=[deal.id])
            keys = [c.milestone_key for c in found]
        else:
            [keys] = await queries.competitor_keys_by_deal_ids(session, ids=[deal.id])
        await session.rollback()

    # then
    assert keys == (["budget"] if read == "completions" else ["acme"])


async def write_a_completion_and_a_competitor(session: AsyncSession, deal_id: int, user_id: int) -> None:
    session.add(MilestoneCompletion(deal_id=deal_id, milestone_key="budget", completed_by_id=user_id))
    session.add(DealCompetitor(deal_id=deal_id, competitor_key="acme"))
    await session.flush()


async def test_reads_together_read_only_the_keys_their_loaders_lack(database, people):
    # given: a request's loaders, one of which holds a deal's competitors already
    first = await create_deal(database, owner=people.rep_a, stage="sal", competitors=("acme",))
    second = await create_deal(database, owner=people.rep_a, stage="mql", competitors=("status-quo",))
    unit = UnitOfWork(database.sessions(), reads_outside_transactions=database.reads_outside_transactions)
    unit.reads_only()
    context = SimpleNamespace(unit_of_work=unit, loaders={})
    competitors = CompetitorKeysByDealIdLoader.of(context)  # type: ignore[arg-type]
    competitors.prime(first.id, ["held"])
    wanted = [
        (CompletionsByDealIdLoader, [first.id, second.id, first.id]),
        (CompetitorKeysByDealIdLoader, [first.id, second.id]),
    ]

    async def read(session: AsyncSession) -> None:
        await read_together(context, session, wanted)  # type: ignore[arg-type]

    # when
    with counting_statements(database) as seen:
        await unit.read(read)
        await unit.read(read)
    await unit.finish(failed=False)

    # then: one statement per loader the first time, for the keys it lacked; none the second; the loaders hold all
    assert len(seen) == 2
    completions = CompletionsByDealIdLoader.of(context)  # type: ignore[arg-type]
    assert {c.milestone_key for c in await completions.load(first.id)} == {"icp-fit", "pain-confirmed"}
    assert await completions.load(second.id) == []
    assert await competitors.load_many([first.id, second.id]) == [["held"], ["status-quo"]]


def test_rows_nested_in_a_read_refuse_a_type_whose_values_they_cannot_process_when_the_read_is_built():
    # given: a record's fields come without the database's type, which asyncpg's processor of a decimal needs
    # when: nested rows of such a column are built (at import, for the reads of the app)
    # then: they are refused there, not when a request reads them
    with pytest.raises(TypeError):
        NestedRows((Deal.amount,))
    assert NestedRows((DealEvent.occurred_at, DealEvent.changes)).decode([]) == []
