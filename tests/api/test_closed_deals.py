"""A closed deal is frozen: its milestones and details stay as it was won or lost with, until someone reopens it
by moving it back to an open stage (with a reason, as before)."""

from __future__ import annotations

import pytest

from tests.api.factories import create_deal, deal_gid, gql, snapshot

CLOSE = """
mutation($dealId: ID!, $outcome: CloseOutcome!) {
  closeDeal(dealId: $dealId, outcome: $outcome, reason: "Budget decided") {
    __typename ... on CloseDealSuccess { deal { version } }
  }
}
"""
COMPLETE = """
mutation($dealId: ID!, $key: String!) {
  completeMilestone(dealId: $dealId, milestoneKey: $key) {
    __typename ... on InvalidInput { field message } ... on CompleteMilestoneSuccess { deal { version } }
  }
}
"""
REOPEN = """
mutation($dealId: ID!, $key: String!) {
  reopenMilestone(dealId: $dealId, milestoneKey: $key) { __typename ... on InvalidInput { field message } }
}
"""
UPDATE = """
mutation($dealId: ID!, $version: Int!) {
  updateDeal(input: {dealId: $dealId, expectedVersion: $version, amount: "1.00"}) {
    __typename ... on InvalidInput { field message }
  }
}
"""
MOVE_BACK = """
mutation($dealId: ID!) {
  moveDeal(dealId: $dealId, toStage: "commit", reason: "The buyer came back") {
    __typename ... on MoveDealSuccess { deal { status stage { key } version } }
  }
}
"""

CHANGES = {
    "completeMilestone": (COMPLETE, "dealId", {"key": "budget-range"}),
    "reopenMilestone": (REOPEN, "dealId", {"key": "icp-fit"}),
    "updateDeal": (UPDATE, "input.dealId", {}),
}


async def _closed_deal(client, database, people, outcome: str):
    deal = await create_deal(
        database,
        owner=people.rep_a,
        stage="commit",
        completed=("icp-fit", "pain-confirmed", "decision-maker-agrees", "finance-sign-off", "order-form-sent"),
    )
    closed = await gql(client, CLOSE, {"dealId": deal_gid(deal), "outcome": outcome}, token=people.rep_a.token)
    assert closed["data"]["closeDeal"]["__typename"] == "CloseDealSuccess", closed
    return deal, closed["data"]["closeDeal"]["deal"]["version"]


@pytest.mark.parametrize("outcome", ["WON", "LOST"])
@pytest.mark.parametrize("mutation", CHANGES)
async def test_closed_deal_refuses_changes_and_says_how_to_reopen_it(client, database, people, outcome, mutation):
    # given
    deal, version = await _closed_deal(client, database, people, outcome)
    before = await snapshot(database)
    document, field, variables = CHANGES[mutation]

    # when
    body = await gql(
        client, document, {"dealId": deal_gid(deal), "version": version, **variables}, token=people.rep_a.token
    )

    # then
    refused = body["data"][mutation]
    assert refused == {
        "__typename": "InvalidInput",
        "field": field,
        "message": f"the deal is closed {outcome.lower()}; reopen it by moving it to an open stage first",
    }
    assert await snapshot(database) == before


async def test_reopened_deal_can_be_worked_again(client, database, people):
    # given: a won deal, reopened by moving it back to an open stage
    deal, _ = await _closed_deal(client, database, people, "WON")
    moved = await gql(client, MOVE_BACK, {"dealId": deal_gid(deal)}, token=people.rep_a.token)

    # when
    done = await gql(client, COMPLETE, {"dealId": deal_gid(deal), "key": "budget-range"}, token=people.rep_a.token)

    # then
    assert moved["data"]["moveDeal"]["deal"]["status"] == "OPEN"
    assert done["data"]["completeMilestone"]["__typename"] == "CompleteMilestoneSuccess"
