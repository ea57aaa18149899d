"""Every mutation's bad inputs return a typed error and leave the database unchanged."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import update

from api.db.models import Deal
from tests.api.factories import create_deal, deal_gid, gql, snapshot

CREATE_DEAL = """
mutation($input: CreateDealInput!) {
  createDeal(input: $input) {
    __typename
    ... on CreateDealSuccess { deal { id name amount currency stage { key } owner { name } version } }
    ... on InvalidInput { field message }
    ... on PermissionDenied { message }
  }
}
"""
UPDATE_DEAL = """
mutation($input: UpdateDealInput!) {
  updateDeal(input: $input) {
    __typename
    ... on UpdateDealSuccess { deal { version amount } }
    ... on InvalidInput { field message }
    ... on VersionConflict { currentVersion message }
    ... on DealNotFound { dealId }
  }
}
"""
COMPLETE = """
mutation($dealId: ID!, $key: String!) {
  completeMilestone(dealId: $dealId, milestoneKey: $key) {
    __typename ... on InvalidInput { field } ... on DealNotFound { dealId }
  }
}
"""
REOPEN = """
mutation($dealId: ID!, $key: String!) {
  reopenMilestone(dealId: $dealId, milestoneKey: $key) { __typename ... on InvalidInput { field } }
}
"""
MOVE = """
mutation($dealId: ID!, $toStage: String!) {
  moveDeal(dealId: $dealId, toStage: $toStage) { __typename ... on InvalidInput { field message } }
}
"""
CLOSE = """
mutation($dealId: ID!) { closeDeal(dealId: $dealId, outcome: LOST, reason: "x") { __typename } }
"""

TODAY = datetime.now(UTC).date()
TWO_DECADES_AGO = TODAY.replace(year=TODAY.year - 20, day=1).isoformat()
ELEVEN_YEARS_ON = TODAY.replace(year=TODAY.year + 11, day=1).isoformat()

GOOD_DEAL = {
    "name": "Spend platform",
    "accountName": "Northwind",
    "processKey": "new-business",
    "amount": "48000.50",
    "currency": "EUR",
    "closeDate": "2026-12-31",
    "competitorKeys": ["acme"],
}


async def test_rep_creates_a_deal_in_the_entry_stage(client, people):
    body = await gql(client, CREATE_DEAL, {"input": GOOD_DEAL}, token=people.rep_a.token)

    deal = body["data"]["createDeal"]["deal"]
    assert (deal["name"], deal["amount"], deal["stage"]["key"], deal["owner"]["name"], deal["version"]) == (
        "Spend platform",
        "48000.50",
        "mql",
        "Alice Rep",
        1,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "  "}, "input.name"),
        ({"accountName": ""}, "input.accountName"),
        ({"amount": "-5"}, "input.amount"),
        ({"amount": "lots"}, "input.amount"),
        ({"amount": "1.005"}, "input.amount"),
        ({"currency": "euro"}, "input.currency"),
        ({"currency": "XXX"}, "input.currency"),
        ({"processKey": "no-such-process"}, "input.processKey"),
        ({"competitorKeys": ["acme", "globex"]}, "input.competitorKeys[1]"),
        ({"ownerId": "not-an-id"}, "input.ownerId"),
        ({"closeDate": "1900-01-01"}, "input.closeDate"),
        ({"closeDate": TWO_DECADES_AGO}, "input.closeDate"),
        ({"closeDate": ELEVEN_YEARS_ON}, "input.closeDate"),
    ],
)
async def test_create_deal_with_bad_input_is_refused_and_changes_nothing(client, database, people, change, field):
    before = await snapshot(database)

    body = await gql(client, CREATE_DEAL, {"input": {**GOOD_DEAL, **change}}, token=people.rep_a.token)

    assert body["data"]["createDeal"]["__typename"] == "InvalidInput"
    assert body["data"]["createDeal"]["field"] == field
    assert await snapshot(database) == before


async def test_rep_cannot_give_a_new_deal_to_someone_else(client, database, people):
    before = await snapshot(database)

    body = await gql(
        client, CREATE_DEAL, {"input": {**GOOD_DEAL, "ownerId": people.rep_b.global_id}}, token=people.rep_a.token
    )

    assert body["data"]["createDeal"]["__typename"] == "PermissionDenied"
    assert await snapshot(database) == before


@pytest.mark.parametrize(
    ("change", "typename"),
    [
        ({"amount": "-1"}, "InvalidInput"),
        ({"amount": "NaN"}, "InvalidInput"),
        ({"currency": "usd"}, "InvalidInput"),
        ({"name": ""}, "InvalidInput"),
        ({"competitorKeys": ["nobody"]}, "InvalidInput"),
        ({"closeDate": "1900-01-01"}, "InvalidInput"),
        ({"closeDate": ELEVEN_YEARS_ON}, "InvalidInput"),
        ({"expectedVersion": 99}, "VersionConflict"),
        ({"dealId": "RGVhbDo5OTk5OTk="}, "DealNotFound"),
        ({"dealId": "garbage"}, "DealNotFound"),
    ],
)
async def test_update_deal_with_bad_input_is_refused_and_changes_nothing(client, database, people, change, typename):
    deal = await create_deal(database, owner=people.rep_a)
    before = await snapshot(database)
    given: dict[str, Any] = {"dealId": deal_gid(deal), "expectedVersion": deal.version, "amount": "5.00", **change}

    body = await gql(client, UPDATE_DEAL, {"input": given}, token=people.rep_a.token)

    assert body["data"]["updateDeal"]["__typename"] == typename
    assert await snapshot(database) == before


async def test_stale_version_returns_the_current_version(client, database, people):
    # given: two people read version N; one saves
    deal = await create_deal(database, owner=people.rep_a)
    seen = deal.version
    saved = await gql(
        client,
        UPDATE_DEAL,
        {"input": {"dealId": deal_gid(deal), "expectedVersion": seen, "amount": "20000.00"}},
        token=people.rep_a.token,
    )

    # when: the other saves with the version they saw
    stale = await gql(
        client,
        UPDATE_DEAL,
        {"input": {"dealId": deal_gid(deal), "expectedVersion": seen, "amount": "1.00"}},
        token=people.manager.token,
    )

    # then
    assert saved["data"]["updateDeal"]["deal"] == {"version": seen + 1, "amount": "20000.00"}
    assert stale["data"]["updateDeal"]["__typename"] == "VersionConflict"
    assert stale["data"]["updateDeal"]["currentVersion"] == seen + 1


@pytest.mark.parametrize(
    ("document", "variables", "typename"),
    [
        (COMPLETE, {"key": "no-such-milestone"}, "InvalidInput"),
        (COMPLETE, {"dealId": "RGVhbDo5OTk5OTk=", "key": "icp-fit"}, "DealNotFound"),
        (REOPEN, {"key": "no-such-milestone"}, "InvalidInput"),
        (MOVE, {"toStage": "no-such-stage"}, "InvalidInput"),
        (MOVE, {"toStage": "closed-won"}, "InvalidInput"),
        (MOVE, {"toStage": "sql"}, "InvalidInput"),
        (MOVE, {"dealId": "garbage", "toStage": "sal"}, "DealNotFound"),
        (CLOSE, {"dealId": "RGVhbDo5OTk5OTk="}, "DealNotFound"),
    ],
)
async def test_deal_progress_mutations_refuse_bad_input_and_change_nothing(
    client, database, people, document, variables, typename
):
    deal = await create_deal(database, owner=people.rep_a, stage="sql")
    before = await snapshot(database)

    body = await gql(client, document, {"dealId": deal_gid(deal), **variables}, token=people.rep_a.token)

    assert next(iter(body["data"].values()))["__typename"] == typename
    assert await snapshot(database) == before


async def test_close_date_far_from_today_is_refused_with_the_range(client, people):
    body = await gql(client, CREATE_DEAL, {"input": {**GOOD_DEAL, "closeDate": "1900-01-01"}}, token=people.rep_a.token)

    refused = body["data"]["createDeal"]
    assert refused["field"] == "input.closeDate"
    assert refused["message"].startswith("1900-01-01 is more than 10 years from today; give a day from ")


async def test_close_date_within_ten_years_either_way_is_taken(client, database, people):
    # given: a deal lost long ago still gets its close date corrected, and one planned years ahead
    nine_years_ago = TODAY.replace(year=TODAY.year - 9, day=1).isoformat()
    nine_years_on = TODAY.replace(year=TODAY.year + 9, day=1).isoformat()
    created = await gql(
        client, CREATE_DEAL, {"input": {**GOOD_DEAL, "closeDate": nine_years_on}}, token=people.rep_a.token
    )
    deal = await create_deal(database, owner=people.rep_a)

    # when
    updated = await gql(
        client,
        UPDATE_DEAL,
        {"input": {"dealId": deal_gid(deal), "expectedVersion": deal.version, "closeDate": nine_years_ago}},
        token=people.rep_a.token,
    )

    # then
    assert created["data"]["createDeal"]["__typename"] == "CreateDealSuccess"
    assert updated["data"]["updateDeal"]["__typename"] == "UpdateDealSuccess"


async def test_an_unchanged_close_date_out_of_range_does_not_block_other_changes(client, database, people):
    # given: a deal whose close date was set before the range check (a form sends every field back)
    deal = await create_deal(database, owner=people.rep_a)
    async with database.engine.begin() as connection:
        await connection.execute(update(Deal).where(Deal.id == deal.id).values(close_date=date(1999, 12, 31)))

    # when
    body = await gql(
        client,
        UPDATE_DEAL,
        {
            "input": {
                "dealId": deal_gid(deal),
                "expectedVersion": deal.version,
                "closeDate": "1999-12-31",
                "amount": "20000.00",
            }
        },
        token=people.rep_a.token,
    )

    # then
    assert body["data"]["updateDeal"]["deal"]["amount"] == "20000.00", body
