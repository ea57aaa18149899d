"""EUR and USD deals over HTTP: totals per currency, a quota planned in its own currency, and the board's
days in stage equal to the deal page's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update

from api.db import Database
from api.db.models import Deal
from tests.api.factories import People, create_deal, deal_gid, gql

PIPELINE = """
query { pipeline { stages { stage { key } count currency amount weightedAmount
  amounts { amount currency } weightedAmounts { amount currency } } } }
"""
PRIORITIZED = """
query Prioritized($periodEnd: Date, $quota: Decimal, $currency: String) {
  prioritizedDeals(periodEnd: $periodEnd, quota: $quota, currency: $currency) {
    deals { deal { id } currency expectedValue expectedValueMoney { amount currency } }
    plan { currency gap deals { deal { id } } otherCurrencyDeals { deal { deal { id } currency } reason } }
  }
}
"""
BOARD_AND_DEAL = """
query Board($id: ID!) {
  pipeline { stale { deal { id } daysInStage } blocked { deal { id } daysInStage } }
  deal(id: $id) { daysInStage }
}
"""


async def _in_currency(database: Database, deal: Deal, currency: str) -> None:
    async with database.transaction() as session:
        await session.execute(update(Deal).where(Deal.id == deal.id).values(currency=currency))


def _period_end() -> str:
    return (datetime.now(UTC).date() + timedelta(days=60)).isoformat()


async def test_a_pipeline_stage_with_eur_and_usd_deals_totals_each_currency_apart(
    client: httpx.AsyncClient, database: Database, people: People
) -> None:
    # given a EUR and a USD deal in commit (80%), and a EUR deal alone in sal (35%)
    await create_deal(database, owner=people.rep_a, stage="commit", amount="10000.00")
    usd = await create_deal(database, owner=people.rep_b, stage="commit", amount="50000.00")
    await _in_currency(database, usd, "USD")
    await create_deal(database, owner=people.rep_a, stage="sal", amount="20000.00")
    # when
    body = await gql(client, PIPELINE, token=people.manager.token)
    # then
    assert "errors" not in body, body
    stages = {s["stage"]["key"]: s for s in body["data"]["pipeline"]["stages"]}
    commit = stages["commit"]
    assert commit["amounts"] == [
        {"amount": "10000.00", "currency": "EUR"},
        {"amount": "50000.00", "currency": "USD"},
    ]
    assert commit["weightedAmounts"] == [
        {"amount": "8000.00", "currency": "EUR"},
        {"amount": "40000.00", "currency": "USD"},
    ]
    assert (commit["amount"], commit["weightedAmount"], commit["currency"]) == (None, None, None)
    sal = stages["sal"]
    assert (sal["amount"], sal["weightedAmount"], sal["currency"]) == ("20000.00", "7000.00", "EUR")
    assert stages["mql"]["amounts"] == []


async def test_a_eur_quota_is_planned_with_eur_deals_and_lists_the_usd_deal_with_why(
    client: httpx.AsyncClient, database: Database, people: People
) -> None:
    # given rep A's EUR deal and a much bigger USD deal, both in commit
    eur = await create_deal(database, owner=people.rep_a, stage="commit", amount="10000.00")
    usd = await create_deal(database, owner=people.rep_a, stage="commit", amount="90000.00")
    await _in_currency(database, usd, "USD")
    # when
    body = await gql(
        client, PRIORITIZED, {"periodEnd": _period_end(), "quota": "5000", "currency": "EUR"}, token=people.rep_a.token
    )
    # then
    assert "errors" not in body, body
    result = body["data"]["prioritizedDeals"]
    by_id = {d["deal"]["id"]: d for d in result["deals"]}
    assert by_id[deal_gid(usd)]["expectedValueMoney"] == {"amount": "72000.00", "currency": "USD"}
    assert by_id[deal_gid(eur)]["currency"] == "EUR"
    plan = result["plan"]
    assert (plan["currency"], plan["gap"]) == ("EUR", "5000")
    assert plan["deals"] == [{"deal": {"id": deal_gid(eur)}}]
    (other,) = plan["otherCurrencyDeals"]
    assert other["deal"] == {"deal": {"id": deal_gid(usd)}, "currency": "USD"}
    assert other["reason"] == "in USD, not the quota's EUR: left out of the plan (no exchange rates)"


async def test_the_quota_currency_defaults_to_the_one_most_open_deals_are_in(
    client: httpx.AsyncClient, database: Database, people: People
) -> None:
    # given two USD deals and one EUR deal
    for amount in ("1000.00", "2000.00"):
        usd = await create_deal(database, owner=people.rep_a, stage="commit", amount=amount)
        await _in_currency(database, usd, "USD")
    eur = await create_deal(database, owner=people.rep_a, stage="commit", amount="500.00")
    # when no currency is given
    body = await gql(client, PRIORITIZED, {"periodEnd": _period_end(), "quota": "100"}, token=people.rep_a.token)
    # then
    assert "errors" not in body, body
    plan = body["data"]["prioritizedDeals"]["plan"]
    assert plan["currency"] == "USD"
    assert [o["deal"]["deal"]["id"] for o in plan["otherCurrencyDeals"]] == [deal_gid(eur)]


async def test_a_quota_without_a_currency_or_open_deals_to_take_it_from_is_refused(
    client: httpx.AsyncClient, people: People
) -> None:
    body = await gql(client, PRIORITIZED, {"periodEnd": _period_end(), "quota": "100"}, token=people.rep_a.token)
    assert body["data"] is None
    assert body["errors"][0]["message"].startswith("currency: give the quota's currency")


async def test_without_plan_selected_a_quota_plans_nothing_and_is_not_refused(
    client: httpx.AsyncClient, database: Database, people: People
) -> None:
    # given: a ranking asked for with a quota but without its plan, first with no currency to plan in, then with one
    ranking_only = "query($quota: Decimal) { prioritizedDeals(quota: $quota) { deals { deal { id } } } }"
    empty = await gql(client, ranking_only, {"quota": "100"}, token=people.rep_a.token)
    deal = await create_deal(database, owner=people.rep_a, stage="sal")

    # when
    with_plan = await gql(client, PRIORITIZED, {"periodEnd": _period_end(), "quota": "100"}, token=people.rep_a.token)
    without_plan = await gql(client, ranking_only, {"quota": "100"}, token=people.rep_a.token)

    # then: the plan's refusal belongs to the plan; the ranking is the same with or without it
    assert empty == {"data": {"prioritizedDeals": {"deals": []}}}
    assert "errors" not in with_plan, with_plan
    assert with_plan["data"]["prioritizedDeals"]["plan"]["currency"] == "EUR"
    assert without_plan == {"data": {"prioritizedDeals": {"deals": [{"deal": {"id": deal_gid(deal)}}]}}}


async def test_an_unknown_quota_currency_is_refused_by_name(client: httpx.AsyncClient, people: People) -> None:
    body = await gql(
        client, PRIORITIZED, {"periodEnd": _period_end(), "quota": "100", "currency": "XYZ"}, token=people.rep_a.token
    )
    assert body["errors"][0]["message"].startswith("currency: 'XYZ' is not a supported ISO 4217 currency code")


async def test_the_boards_days_in_stage_equal_the_deal_pages(
    client: httpx.AsyncClient, database: Database, people: People
) -> None:
    # given a deal in sal for 40.6 days (stale after 15), without finance sign-off (blocked)
    deal = await create_deal(
        database, owner=people.rep_a, stage="sal", completed=("icp-fit", "pain-confirmed", "decision-maker-agrees")
    )
    async with database.transaction() as session:
        entered = datetime.now(UTC) - timedelta(days=40.6)
        await session.execute(update(Deal).where(Deal.id == deal.id).values(stage_entered_at=entered))
    # when
    body = await gql(client, BOARD_AND_DEAL, {"id": deal_gid(deal)}, token=people.manager.token)
    # then whole days elapsed, floored, everywhere
    assert "errors" not in body, body
    assert body["data"]["deal"]["daysInStage"] == 40
    assert body["data"]["pipeline"]["stale"] == [{"deal": {"id": deal_gid(deal)}, "daysInStage": 40}]
    assert body["data"]["pipeline"]["blocked"] == [{"deal": {"id": deal_gid(deal)}, "daysInStage": 40}]
