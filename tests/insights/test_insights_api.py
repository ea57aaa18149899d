from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy import event, update

from api.db import Database
from api.db.models import Deal
from api.seed.seeding import seed_database
from tests.api.factories import People, create_deal, deal_gid, fixture_definitions, gql

PRIORITIZED = """
query Prioritized($quota: Decimal) {
  prioritizedDeals(periodEnd: "2035-12-31", quota: $quota) {
    deals { rank deal { id name } estimatedDaysToClose fits slackDays expectedValue reason
            nextMilestone { milestone { key } days durationSource } }
    plan { gap deals { deal { id } } }
  }
}
"""
PIPELINE = """
query { pipeline { stages { stage { key } count amount weightedAmount }
  blockedCount blocked { deal { id } nextStage { key } missingMilestones { key } }
  staleCount strength { low high count } } }
"""
INSIGHTS = """
query { processInsights(processKey: "new-business") {
  stages { stage { key } entered conversionRate medianDaysInStage winRate }
  milestones { milestone { key } typicalDays observedMedianDays observations winRateWith winRateWithout lift
               closedWith closedWithout }
  overrides { skippedMilestoneKeys skippedMilestones { key } outcome }
} }
"""


async def test_a_rep_gets_only_their_own_deals_ranked(
    client: httpx.AsyncClient, database: Database, people: People
) -> None:
    # given a deal each for rep A and rep B
    mine = await create_deal(database, owner=people.rep_a, stage="sal", name="Mine", amount="50000.00")
    await create_deal(database, owner=people.rep_b, stage="commit", name="Theirs", amount="90000.00")
    # when
    body = await gql(client, PRIORITIZED, {"quota": "10000"}, token=people.rep_a.token)
    # then
    assert "errors" not in body, body
    ranked = body["data"]["prioritizedDeals"]["deals"]
    assert [d["deal"]["id"] for d in ranked] == [deal_gid(mine)]
    assert ranked[0]["rank"] == 1
    assert ranked[0]["fits"] is True
    assert ranked[0]["reason"].startswith("needs ")
    assert body["data"]["prioritizedDeals"]["plan"]["deals"] == [{"deal": {"id": deal_gid(mine)}}]


async def test_a_managers_pipeline_shows_the_blocked_deal_and_its_missing_milestone(
    client: httpx.AsyncClient, database: Database, people: People
) -> None:
    # given rep A's deal in sal without finance sign-off, and a deal of another team
    completed = ("icp-fit", "pain-confirmed", "decision-maker-agrees")
    blocked = await create_deal(database, owner=people.rep_a, stage="sal", completed=completed, amount="20000.00")
    await create_deal(database, owner=people.other_rep, stage="sal", completed=completed)
    # when
    body = await gql(client, PIPELINE, token=people.manager.token)
    # then
    assert "errors" not in body, body
    pipeline = body["data"]["pipeline"]
    assert pipeline["blockedCount"] == 1
    (only,) = pipeline["blocked"]
    assert only["deal"]["id"] == deal_gid(blocked)
    assert [m["key"] for m in only["missingMilestones"]] == ["finance-sign-off"]
    sal = next(s for s in pipeline["stages"] if s["stage"]["key"] == "sal")
    assert (sal["count"], sal["amount"]) == (1, "20000.00")


async def test_insights_on_a_seeded_history_recover_the_ground_truth(
    client: httpx.AsyncClient, database: Database, people: People
) -> None:
    # given 3,000 simulated deals; the newest are still open
    process = fixture_definitions().processes[0]
    seeded = await seed_database(database.engine, process=process, deals=3000, seed=21, today=date(2026, 6, 30))
    assert "errors" not in await gql(client, "{ me { id } }", token=people.admin.token)  # the token is known
    statements: list[str] = []
    event.listen(database.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    # when
    body = await gql(client, INSIGHTS, token=people.admin.token)
    # then
    assert "errors" not in body, body
    insights = body["data"]["processInsights"]
    durations = {m["milestone"]["key"]: m for m in insights["milestones"]}
    for key, m in durations.items():
        # median durations within 15%: about four standard errors at 300 observations
        assert abs(m["observedMedianDays"] / seeded.truth.median_days[key] - 1) < 0.15, (key, m)
        with_truth, without_truth = seeded.truth.win_rates_by_milestone(key)
        # win rates within 0.08: open deals (a few percent, the newest) are left out, which tilts them a little
        assert abs(m["winRateWith"] - with_truth) < 0.08, (key, m)
        assert abs(m["winRateWithout"] - without_truth) < 0.08, (key, m)
    assert insights["overrides"]
    for override in insights["overrides"]:
        assert [m["key"] for m in override["skippedMilestones"]] == override["skippedMilestoneKeys"], override
    # the newest event, five aggregates; asked again with the history unchanged, the cached answer
    assert len(statements) == 6, statements
    statements.clear()
    assert (await gql(client, INSIGHTS, token=people.admin.token)) == body
    assert len(statements) == 1, statements


async def test_pipeline_amounts_have_two_decimals_for_empty_stages_too(
    client: httpx.AsyncClient, database: Database, people: People
) -> None:
    # given a deal in sal only
    await create_deal(database, owner=people.rep_a, stage="sal", amount="12345.60")
    # when
    body = await gql(client, PIPELINE, token=people.rep_a.token)
    # then
    assert "errors" not in body, body
    amounts = {s["stage"]["key"]: (s["amount"], s["weightedAmount"]) for s in body["data"]["pipeline"]["stages"]}
    assert amounts["mql"] == ("0.00", "0.00")
    assert amounts["sal"][0] == "12345.60"
    assert all(len(value.rpartition(".")[2]) == 2 for pair in amounts.values() for value in pair), amounts


FIGURES = """{ pipeline {
  stages { stage { key } count amounts { amount currency } weightedAmounts { amount currency } amount currency }
  blockedCount staleCount strength { count }
  processes { blockedCount staleCount stages { count } }
} }"""
FIGURES_AND_DEALS = """{ pipeline {
  stages { stage { key } count amounts { amount currency } weightedAmounts { amount currency } amount currency }
  blockedCount staleCount strength { count }
  processes { blockedCount staleCount stages { count } }
  blockedDeals(first: 100) { totalCount }
  ...Stale
} }
fragment Stale on Pipeline { stale(first: 100) { deal { id } } }"""


async def test_the_pipelines_figures_counted_by_deal_state_agree_with_its_lists_of_deals(
    client: httpx.AsyncClient, database: Database, people: People
) -> None:
    # given deals in every open stage, done to different points, in two currencies, some long in their stage,
    # for two teams
    process = fixture_definitions().processes[0]
    in_order = [m.key for s in process.open_stages for m in s.milestones]
    for index in range(24):
        deal = await create_deal(
            database,
            owner=(people.rep_a, people.rep_b, people.other_rep)[index % 3],
            stage=("mql", "sql", "sal", "commit")[index % 4],
            completed=tuple(in_order[: index % 7]),
            amount=f"{1000 + index * 37}.{index:02d}",
        )
        async with database.transaction() as session:
            await session.execute(
                update(Deal)
                .where(Deal.id == deal.id)
                .values(
                    currency="USD" if index % 5 == 0 else "EUR",
                    stage_entered_at=datetime.now(UTC) - timedelta(days=index * 3),
                )
            )
    for viewer in (people.admin, people.manager, people.rep_a):
        # when
        figures = await gql(client, FIGURES, token=viewer.token)
        with_deals = await gql(client, FIGURES_AND_DEALS, token=viewer.token)

        # then: counted in the database or from the deals one by one, the same figures
        assert "errors" not in figures, figures
        assert "errors" not in with_deals, with_deals
        pipeline = with_deals["data"]["pipeline"]
        assert figures["data"]["pipeline"] == {key: pipeline[key] for key in figures["data"]["pipeline"]}
        assert pipeline["blockedCount"] == pipeline["blockedDeals"]["totalCount"]
        assert pipeline["staleCount"] == len(pipeline["stale"])
    admin = (await gql(client, FIGURES, token=people.admin.token))["data"]["pipeline"]
    assert admin["blockedCount"] > 0
    assert 0 < admin["staleCount"] < 24
    assert sum(s["count"] for s in admin["stages"]) == 24
    assert {m["currency"] for s in admin["stages"] for m in s["amounts"]} == {"EUR", "USD"}
