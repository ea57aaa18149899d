"""Query arguments a client gets wrong are refused as BAD_USER_INPUT with a plain-English message, never masked
as "Unexpected error."; a datetime without a UTC offset is read as UTC."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.api.factories import create_deal, gql

INSIGHTS_SINCE = """
query($since: DateTime!) {
  processInsights(processKey: "new-business", since: $since) { stages { stage { key } entered } }
}
"""
PRIORITIZED = """
query($periodEnd: Date, $quota: Decimal) {
  prioritizedDeals(periodEnd: $periodEnd, quota: $quota) { periodEnd plan { quota } }
}
"""
DEALS = """
query($filter: DealFilterInput) { deals(first: 5, filter: $filter) { totalCount edges { node { name } } } }
"""


def _entered_mql(body: dict) -> int:
    return next(s["entered"] for s in body["data"]["processInsights"]["stages"] if s["stage"]["key"] == "mql")


def _the_error(body: dict) -> dict:
    assert "Unexpected error." not in json.dumps(body), body
    assert body["data"] is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    return error


async def test_insights_since_without_an_offset_is_read_as_utc(client, database, people):
    # given: a deal created now
    await create_deal(database, owner=people.rep_a)
    now = datetime.now(UTC).replace(tzinfo=None)

    # when: `since` without an offset, an hour before and an hour after
    before = await gql(
        client, INSIGHTS_SINCE, {"since": (now - timedelta(hours=1)).isoformat()}, token=people.rep_a.token
    )
    after = await gql(
        client, INSIGHTS_SINCE, {"since": (now + timedelta(hours=1)).isoformat()}, token=people.rep_a.token
    )

    # then
    assert "errors" not in before, before
    assert "errors" not in after, after
    assert (_entered_mql(before), _entered_mql(after)) == (1, 0)


async def test_insights_since_with_an_offset_still_works(client, people):
    body = await gql(client, INSIGHTS_SINCE, {"since": "2020-01-01T00:00:00+02:00"}, token=people.rep_a.token)

    assert "errors" not in body, body


@pytest.mark.parametrize(
    ("quota", "message"),
    [
        ("NaN", "quota: NaN is not a finite amount"),
        ("sNaN", "quota: sNaN is not a finite amount"),
        ("Infinity", "quota: Infinity is not a finite amount"),
        ("-Infinity", "quota: -Infinity is not a finite amount"),
        ("-5", "quota: must not be negative (got -5)"),
        ("1E+999999999", "quota: must be at most"),
    ],
)
async def test_prioritized_deals_refuses_a_quota_that_is_no_amount(client, people, quota, message):
    body = await gql(client, PRIORITIZED, {"quota": quota}, token=people.rep_a.token)

    assert _the_error(body)["message"].startswith(message)


async def test_prioritized_deals_takes_a_zero_quota(client, database, people):
    await create_deal(database, owner=people.rep_a)
    body = await gql(client, PRIORITIZED, {"quota": "0"}, token=people.rep_a.token)

    assert body["data"]["prioritizedDeals"]["plan"]["quota"] == "0", body


@pytest.mark.parametrize("period_end", ["9999-12-31", "0001-01-01", "1900-01-01", "2200-01-01"])
async def test_prioritized_deals_refuses_a_period_end_far_from_today(client, people, period_end):
    body = await gql(client, PRIORITIZED, {"periodEnd": period_end, "quota": "5"}, token=people.rep_a.token)

    message = _the_error(body)["message"]
    assert message.startswith(f"periodEnd: {period_end} is more than 100 years from today; give a day from ")


async def test_prioritized_deals_takes_a_period_end_within_a_hundred_years(client, database, people):
    await create_deal(database, owner=people.rep_a)
    period_end = date.today() + timedelta(days=99 * 365)

    body = await gql(client, PRIORITIZED, {"periodEnd": period_end.isoformat(), "quota": "5"}, token=people.rep_a.token)

    assert body["data"]["prioritizedDeals"]["periodEnd"] == period_end.isoformat(), body


@pytest.mark.parametrize(
    ("deal_filter", "message"),
    [
        (
            {"stages": ["sal", "nope"]},
            "filter.stages[1]: unknown stage 'nope' (known: mql, sql, sal, commit, closed-won, closed-lost)",
        ),
        ({"processKey": "renewals"}, "filter.processKey: unknown process 'renewals' (known: new-business)"),
        ({"processKey": "renewals", "stages": ["sal"]}, "filter.processKey: unknown process 'renewals'"),
    ],
)
async def test_deals_filter_with_an_unknown_key_is_refused_naming_the_known_ones(
    client, database, people, deal_filter, message
):
    await create_deal(database, owner=people.rep_a, stage="sal")

    body = await gql(client, DEALS, {"filter": deal_filter}, token=people.rep_a.token)

    assert _the_error(body)["message"].startswith(message)


async def test_deals_filter_with_known_keys_still_matches(client, database, people):
    await create_deal(database, owner=people.rep_a, stage="sal", name="In SAL")
    await create_deal(database, owner=people.rep_a, stage="mql", name="In MQL")

    body = await gql(
        client, DEALS, {"filter": {"processKey": "new-business", "stages": ["sal"]}}, token=people.rep_a.token
    )

    assert [e["node"]["name"] for e in body["data"]["deals"]["edges"]] == ["In SAL"]


EMPTY_AFTER = '{ deals(first: 2, after: "") { edges { node { name } } pageInfo { hasPreviousPage } } }'
PIPELINE_PAGE = {
    "blocked": "query($first: Int!) { pipeline { blocked(first: $first) { daysInStage } } }",
    "stale": "query($first: Int!) { pipeline { stale(first: $first) { daysInStage } } }",
}


async def test_deals_with_an_empty_after_cursor_is_refused_like_any_malformed_cursor(client, database, people):
    # given
    await create_deal(database, owner=people.rep_a)

    # when
    body = await gql(client, EMPTY_AFTER, token=people.rep_a.token)

    # then
    assert "'' is not a cursor" in _the_error(body)["message"]


@pytest.mark.parametrize("field", ["blocked", "stale"])
async def test_pipeline_refuses_a_negative_first_as_deals_does(client, database, people, field):
    # given
    await create_deal(database, owner=people.rep_a, stage="sal", completed=("icp-fit", "pain-confirmed"))

    # when
    body = await gql(client, PIPELINE_PAGE[field], {"first": -1}, token=people.rep_a.token)

    # then
    assert _the_error(body)["message"] == "first: must not be negative (got -1)"
