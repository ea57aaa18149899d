"""A page of deals with nested owner, milestones, history and plays costs the same few SQL statements
whatever the page size: every DB-backed relation goes through a per-request DataLoader."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from api.db.models import Deal, MilestoneCompletion
from api.graphql.core import loaded
from api.graphql.core.unit_of_work import UnitOfWork
from tests.api.factories import counting_statements, create_deal, create_spread_of_deals, deal_gid, gql

BOARD = """
query($first: Int!) {
  deals(first: $first, orderBy: {field: AMOUNT, direction: DESC}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id name amount stage { key name } status strength canAdvance
      owner { name team { name } }
      milestones { milestone { key } completed completedAt completedBy { name } }
      remainingMilestones { key ask }
      blockers { key }
      competitors { key }
      plays { milestone { key } play { competitor { key } play } }
      history { kind actor { name } fromStage { key } toStage { key } milestone { key } }
    } }
  }
}
"""


async def test_deal_board_costs_the_same_statements_for_10_and_100_deals(client, database, people):
    # given: 120 deals over three owners, with milestones done, competitors and history
    await create_spread_of_deals(database, owners=(people.rep_a, people.rep_b, people.manager), count=120)

    assert "errors" not in await gql(client, "{ me { id } }", token=people.manager.token)  # the token is known

    # when
    with counting_statements(database) as small:
        ten = await gql(client, BOARD, {"first": 10}, token=people.manager.token)
    with counting_statements(database) as large:
        hundred = await gql(client, BOARD, {"first": 100}, token=people.manager.token)

    # then
    assert len(ten["data"]["deals"]["edges"]) == 10
    assert len(hundred["data"]["deals"]["edges"]) == 100
    assert len(small) == len(large), (small, large)
    # page, count, teams, completions with their completers, competitors, events with their actors (the owners
    # opened their deals, so they are actors too); the token was read by an earlier request
    assert len(large) == 6, large
    assert not any(statement.lstrip().startswith("SELECT users.") for statement in large), large


TWO_ROOT_FIELDS = "{ me { name } processes { key } deals(first: 5) { totalCount edges { node { name } } } }"


async def test_token_is_looked_up_once_when_a_request_has_several_root_fields(client, database, people):
    # given
    await create_deal(database, owner=people.rep_a)

    # when
    with counting_statements(database) as statements:
        body = await gql(client, TWO_ROOT_FIELDS, token=people.rep_a.token)

    # then
    assert "errors" not in body, body
    assert sum("api_tokens" in statement for statement in statements) == 1, statements


DEAL_PAGE = """
query($id: ID!) {
  deal(id: $id) {
    name owner { name }
    milestones { milestone { key } completed completedBy { name } }
    competitors { key }
    ...History
  }
}
fragment History on Deal { log: history { kind actor { name } toStage { key } } }
"""


@pytest.mark.parametrize("page", ["board", "deal"])
async def test_a_page_of_deals_answers_its_fields_from_what_it_loaded_first(
    client, database, people, monkeypatch, page
):
    # given: deals with completions, competitors and history, the owners and actors read by the same batches
    await create_spread_of_deals(database, owners=(people.rep_a, people.rep_b, people.manager), count=12)
    one = await create_deal(database, owner=people.rep_a, stage="sal", competitors=("acme",))
    waits: list[object] = []
    wait = loaded._after

    def counted(pending: Any, compute: Any) -> Any:
        waits.append((pending, compute))
        return wait(pending, compute)

    monkeypatch.setattr(loaded, "_after", counted)

    # when
    if page == "board":
        body = await gql(client, BOARD, {"first": 20}, token=people.manager.token)
    else:
        body = await gql(client, DEAL_PAGE, {"id": deal_gid(one)}, token=people.manager.token)

    # then: every field read what the page loaded up front (through fragments and aliases), none waited for a batch
    assert "errors" not in body, body
    assert body["data"]["deals" if page == "board" else "deal"]
    assert waits == []


async def test_a_deal_page_reads_the_deal_and_what_its_fields_need_in_one_turn(client, database, people, monkeypatch):
    # given: a deal with completions, competitors and history; the token is known
    one = await create_deal(database, owner=people.rep_a, stage="sal", competitors=("acme",))
    assert "errors" not in await gql(client, "{ me { id } }", token=people.manager.token)
    turns: list[object] = []
    read = UnitOfWork.read

    async def counted(self: UnitOfWork, work: Any) -> Any:
        turns.append(work)
        return await read(self, work)

    monkeypatch.setattr(UnitOfWork, "read", counted)

    # when
    with counting_statements(database) as statements:
        body = await gql(client, DEAL_PAGE, {"id": deal_gid(one)}, token=people.manager.token)

    # then: the deal, its completions with their completers, competitors, and events with their actors (the owner
    # among them), in one turn on the session; on PostgreSQL in one statement, nested in the deal's row
    assert "errors" not in body, body
    assert body["data"]["deal"]["log"]
    assert body["data"]["deal"]["competitors"] == [{"key": "acme"}]
    assert len(turns) == 1, turns
    assert len(statements) == (1 if database.reads_outside_transactions else 4), statements


async def test_users_a_deal_page_names_come_with_its_reads_or_after_them(client, database, people):
    # given: a deal whose owner is now someone who never acted on it, and a milestone another user completed
    deal = await create_deal(database, owner=people.rep_a, stage="sal")
    async with database.transaction() as session:
        await session.execute(update(Deal).where(Deal.id == deal.id).values(owner_id=people.rep_b.id))
        first = await session.scalar(
            select(MilestoneCompletion.id)
            .where(MilestoneCompletion.deal_id == deal.id)
            .order_by(MilestoneCompletion.id)
        )
        await session.execute(
            update(MilestoneCompletion).where(MilestoneCompletion.id == first).values(completed_by_id=people.manager.id)
        )
    assert "errors" not in await gql(client, "{ me { id } }", token=people.admin.token)

    # when
    with counting_statements(database) as statements:
        body = await gql(client, DEAL_PAGE, {"id": deal_gid(deal)}, token=people.admin.token)

    # then: completers and actors came with the completions and events; the owner, named by neither, after them
    # (on PostgreSQL all of it in one statement, nested in the deal's row)
    assert "errors" not in body, body
    page = body["data"]["deal"]
    assert page["owner"] == {"name": people.rep_b.name}
    completers = {m["completedBy"]["name"] for m in page["milestones"] if m["completed"]}
    assert completers == {people.manager.name, people.rep_a.name}
    assert {entry["actor"]["name"] for entry in page["log"]} == {people.rep_a.name}
    users_read = [s for s in statements if s.lstrip().startswith("SELECT users.")]
    if database.reads_outside_transactions:
        assert len(statements) == 1, statements
    else:
        assert len(users_read) == 1, statements
        assert len(statements) == 5, statements
