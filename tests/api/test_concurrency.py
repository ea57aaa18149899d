"""Two requests changing one deal at once: one wins, the other is told (or, if idempotent, agrees), nothing is lost."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.db import Database
from api.db.models import Deal, DealEvent, MilestoneCompletion
from api.services.deals import access, editing
from api.services.deals.failures import VersionConflict
from tests.api.factories import People, create_deal, deal_gid, fixture_definitions, gql

UPDATE_DEAL = """
mutation Update($dealId: ID!, $version: Int!, $name: String!) {
  updateDeal(input: {dealId: $dealId, expectedVersion: $version, name: $name}) {
    __typename
    ... on UpdateDealSuccess { deal { name version } }
    ... on VersionConflict { currentVersion message }
  }
}
"""

COMPLETE_MILESTONE = """
mutation Complete($dealId: ID!, $key: String!, $note: String) {
  completeMilestone(dealId: $dealId, milestoneKey: $key, note: $note) {
    __typename
    ... on CompleteMilestoneSuccess { deal { version } milestone { key } }
  }
}
"""

MOVE_DEAL = """
mutation Move($dealId: ID!, $toStage: String!, $version: Int) {
  moveDeal(dealId: $dealId, toStage: $toStage, reason: "re-qualify", expectedVersion: $version) {
    __typename
    ... on MoveDealSuccess { deal { stage { key } version } }
    ... on VersionConflict { currentVersion }
  }
}
"""


async def _events(database: Database, deal_id: int) -> list[DealEvent]:
    async with database.sessions() as session:
        return list(await session.scalars(select(DealEvent).where(DealEvent.deal_id == deal_id).order_by(DealEvent.id)))


async def _deal(database: Database, deal_id: int) -> Deal:
    async with database.sessions() as session:
        deal = await session.get(Deal, deal_id)
        assert deal is not None
        return deal


async def _both(client: httpx.AsyncClient, token: str, *requests: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Send the requests at once, each in its own request scope (and so its own database session)."""
    bodies = await asyncio.gather(*(gql(client, query, variables, token=token) for query, variables in requests))
    return [next(iter(body["data"].values())) for body in bodies]


async def test_second_session_waits_for_the_first_and_then_sees_its_version(database: Database, people: People):
    # given: a deal at version 1, and two sessions that both want to rename it from version 1
    deal = await create_deal(database, owner=people.rep_a, completed=())
    definitions = fixture_definitions()

    async def rename(session, name):  # noqa: ANN001, ANN202
        return await editing.update_deal(
            session,
            viewer=people.rep_a.viewer,
            definitions=definitions,
            deal_id=deal.id,
            expected_version=deal.version,
            changes=editing.DealChanges(name=name),
        )

    # when: the first has written but not committed while the second starts
    async with database.sessions() as first, database.sessions() as second:
        won = await rename(first, "First")
        racing = asyncio.create_task(rename(second, "Second"))
        await asyncio.sleep(0.3)
        waited = not racing.done()
        await first.commit()
        lost = await racing
        await second.commit()

    # then: the second waited, then saw the first's version and changed nothing
    assert isinstance(won, Deal)
    assert waited
    assert lost == VersionConflict(current_version=deal.version + 1)
    stored = await _deal(database, deal.id)
    assert (stored.name, stored.version) == ("First", deal.version + 1)
    updates = [e for e in await _events(database, deal.id) if e.kind == "updated"]
    assert [e.changes for e in updates] == [{"name": ["Spend platform", "First"]}]


async def test_two_updates_at_once_one_wins_the_other_gets_version_conflict(client, database, people):
    # given
    deal = await create_deal(database, owner=people.rep_a, completed=())
    variables = {"dealId": deal_gid(deal), "version": deal.version}

    # when
    results = await _both(
        client,
        people.rep_a.token,
        (UPDATE_DEAL, {**variables, "name": "Alpha"}),
        (UPDATE_DEAL, {**variables, "name": "Beta"}),
    )

    # then
    assert sorted(r["__typename"] for r in results) == ["UpdateDealSuccess", "VersionConflict"]
    winner = next(r for r in results if r["__typename"] == "UpdateDealSuccess")["deal"]
    conflict = next(r for r in results if r["__typename"] == "VersionConflict")
    assert conflict["currentVersion"] == winner["version"] == deal.version + 1
    stored = await _deal(database, deal.id)
    assert (stored.name, stored.version) == (winner["name"], winner["version"])
    updates = [e for e in await _events(database, deal.id) if e.kind == "updated"]
    assert [e.changes for e in updates] == [{"name": ["Spend platform", winner["name"]]}]


async def test_completing_one_milestone_twice_at_once_records_it_once(client, database, people):
    # given
    deal = await create_deal(database, owner=people.rep_a, completed=())
    variables = {"dealId": deal_gid(deal), "key": "icp-fit"}

    # when
    results = await _both(
        client,
        people.rep_a.token,
        (COMPLETE_MILESTONE, {**variables, "note": "one"}),
        (COMPLETE_MILESTONE, {**variables, "note": "two"}),
    )

    # then: both succeed (idempotent), one completion, one event, one version bump
    assert [r["__typename"] for r in results] == ["CompleteMilestoneSuccess"] * 2
    async with database.sessions() as session:
        completions = list(
            await session.scalars(select(MilestoneCompletion).where(MilestoneCompletion.deal_id == deal.id))
        )
    assert [c.milestone_key for c in completions] == ["icp-fit"]
    completed_events = [e for e in await _events(database, deal.id) if e.kind == "milestone-completed"]
    assert [(e.milestone_key, e.reason) for e in completed_events] == [("icp-fit", completions[0].note)]
    assert (await _deal(database, deal.id)).version == deal.version + 1


async def test_two_moves_at_once_one_wins_the_other_gets_version_conflict(client, database, people):
    # given: a deal in SAL; one request moves it back to SQL, the other back to MQL, both from its version
    deal = await create_deal(database, owner=people.rep_a, stage="sal")
    variables = {"dealId": deal_gid(deal), "version": deal.version}

    # when
    results = await _both(
        client,
        people.rep_a.token,
        (MOVE_DEAL, {**variables, "toStage": "sql"}),
        (MOVE_DEAL, {**variables, "toStage": "mql"}),
    )

    # then
    assert sorted(r["__typename"] for r in results) == ["MoveDealSuccess", "VersionConflict"]
    winner = next(r for r in results if r["__typename"] == "MoveDealSuccess")["deal"]
    stored = await _deal(database, deal.id)
    assert stored.stage_key == winner["stage"]["key"]
    moves = [(e.from_stage, e.to_stage) for e in await _events(database, deal.id) if e.kind == "moved"]
    assert moves == [("sal", winner["stage"]["key"])]


async def test_moves_without_expected_version_apply_one_after_the_other(client, database, people):
    # given
    deal = await create_deal(database, owner=people.rep_a, stage="sal")
    variables = {"dealId": deal_gid(deal)}

    # when
    results = await _both(
        client,
        people.rep_a.token,
        (MOVE_DEAL, {**variables, "toStage": "sql"}),
        (MOVE_DEAL, {**variables, "toStage": "mql"}),
    )

    # then: both moved, and the history chains: the second move starts where the first ended
    assert [r["__typename"] for r in results] == ["MoveDealSuccess"] * 2
    moves = [(e.from_stage, e.to_stage) for e in await _events(database, deal.id) if e.kind == "moved"]
    assert moves[0][0] == "sal"
    assert moves[1][0] == moves[0][1]
    assert (await _deal(database, deal.id)).stage_key == moves[1][1]


@pytest.fixture
def without_deal_lock(monkeypatch: pytest.MonkeyPatch, database: Database) -> None:
    """Let both requests pass the version check before either writes, as if the lock (and, on SQLite, the
    server's turn for writers) were not there."""
    monkeypatch.setattr(database, "writers", None)
    arrived: list[None] = []
    both_read = asyncio.Event()
    read_deal = editing.deal_to_change

    async def no_lock(session, *, deal_id, viewer):  # noqa: ANN001, ANN202
        return None

    async def read_then_wait(session, **kwargs):  # noqa: ANN001, ANN003, ANN202
        found = await read_deal(session, **kwargs)
        if len(arrived) < 2:
            arrived.append(None)
            if len(arrived) == 2:
                both_read.set()
            await asyncio.wait_for(both_read.wait(), timeout=5)
        return found

    monkeypatch.setattr(access, "lock_deal", no_lock)
    monkeypatch.setattr(editing, "deal_to_change", read_then_wait)


@pytest.mark.usefixtures("without_deal_lock")
async def test_a_race_past_the_version_check_still_ends_in_version_conflict(client, database, people):
    # given: both requests have read version 1 before either writes
    deal = await create_deal(database, owner=people.rep_a, completed=())
    variables = {"dealId": deal_gid(deal), "version": deal.version}

    # when: the second one's write finds the row changed (StaleDataError inside)
    results = await _both(
        client,
        people.rep_a.token,
        (UPDATE_DEAL, {**variables, "name": "Alpha"}),
        (UPDATE_DEAL, {**variables, "name": "Beta"}),
    )

    # then: a typed conflict with the current version, not "Unexpected error."
    assert sorted(r["__typename"] for r in results) == ["UpdateDealSuccess", "VersionConflict"]
    winner = next(r for r in results if r["__typename"] == "UpdateDealSuccess")["deal"]
    conflict = next(r for r in results if r["__typename"] == "VersionConflict")
    assert conflict["currentVersion"] == winner["version"]
    assert (await _deal(database, deal.id)).name == winner["name"]
    assert len([e for e in await _events(database, deal.id) if e.kind == "updated"]) == 1


@pytest.mark.usefixtures("without_deal_lock")
async def test_a_completion_racing_past_the_lock_is_still_idempotent(client, database, people):
    # given: both requests have seen the milestone open before either writes
    deal = await create_deal(database, owner=people.rep_a, completed=())
    variables = {"dealId": deal_gid(deal), "key": "icp-fit"}

    # when
    results = await _both(client, people.rep_a.token, (COMPLETE_MILESTONE, variables), (COMPLETE_MILESTONE, variables))

    # then
    assert [r["__typename"] for r in results] == ["CompleteMilestoneSuccess"] * 2
    assert len([e for e in await _events(database, deal.id) if e.kind == "milestone-completed"]) == 1
