"""What the board learns from history, by aggregate SQL: it agrees with the reference walk over events in
`tests/insights/reference_walk.py`, it is cached until the history changes, and it costs the same few statements
whatever the number of deals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import update

from api.db import Database
from api.db.models import Deal, DealEvent
from api.deal_events import DealEventKind
from api.seed.seeding import seed_database
from api.services.deals import working
from api.services.forecast.ranking import end_of_quarter, start_of_quarter
from api.services.history.cache import history_cache
from api.services.history.learned import learned_history, observed_milestone_durations, stage_win_rates
from tests.api.factories import People, create_deal, create_spread_of_deals, fixture_definitions, gql
from tests.api.test_statement_count import counting_statements
from tests.insights.reference_walk import load_events, load_snapshots, process_insights

PROCESS = fixture_definitions().processes[0]
BOARD = """
query { prioritizedDeals(periodEnd: "2035-12-31") {
          deals { deal { id estimatedDaysToClose closeEstimate { daysToClose } } estimatedDaysToClose } }
        pipeline { blocked(first: 500) { estimatedDaysToClose deal { id estimatedDaysToClose } }
                   stale(first: 500) { estimatedDaysToClose expectedDays
                                       deal { id estimatedDaysToClose expectedDaysInStage stale } } } }
"""
WON = 'query { prioritizedDeals(periodEnd: "%s", quota: 100000, currency: "EUR") { plan { wonThisPeriod gap } } }'


async def test_sql_learning_agrees_with_the_reference_walk_over_events(database: Database) -> None:
    # given a simulated history with stalls, back-and-forth moves and overrides
    await seed_database(database.engine, process=PROCESS, deals=400, seed=5, today=date(2026, 6, 30))
    async with database.transaction() as session:
        deals = await load_snapshots(session, process_key=PROCESS.key)
        events = await load_events(session, process_key=PROCESS.key)
        reference = process_insights(process=PROCESS, deals=deals, events=events)
        # when
        observed = await observed_milestone_durations(session, process=PROCESS, since=None)
        rates = await stage_win_rates(session, process=PROCESS, since=None)
    # then
    expected = reference.observed_durations()
    assert set(observed) == set(expected)
    for key, seen in expected.items():
        assert observed[key].observations == seen.observations, key
        assert observed[key].median_days == pytest.approx(seen.median_days, abs=1e-4), key
    assert rates == reference.learned_win_rates()


async def test_learning_is_read_again_only_when_the_history_changes(database: Database, people: People) -> None:
    # given
    history_cache.forget()
    deal = await create_deal(database, owner=people.rep_a, stage="mql", completed=())
    today = datetime.now(UTC).date()
    async with database.transaction() as session:
        first = await learned_history(session, process=PROCESS, today=today)
    # when nothing changed
    with counting_statements(database) as unchanged:
        async with database.transaction() as session:
            again = await learned_history(session, process=PROCESS, today=today)
    # and when a milestone was completed
    async with database.transaction() as session:
        await working.complete_milestone(
            session,
            viewer=people.rep_a.viewer,
            definitions=fixture_definitions(),
            deal_id=deal.id,
            milestone_key="icp-fit",
        )
    with counting_statements(database) as changed:
        async with database.transaction() as session:
            right_after = await learned_history(session, process=PROCESS, today=today)
            on_the_request_path = list(changed)
    await history_cache.settle()  # the figures measured again in the background
    with counting_statements(database) as refreshed:
        async with database.transaction() as session:
            later = await learned_history(session, process=PROCESS, today=today)
    # then: the request right after the change read only the stamp and got the figures from before it
    assert again is first
    assert len(unchanged) == 1, unchanged
    assert right_after is first
    assert len(on_the_request_path) == 1, on_the_request_path
    # and the next one the figures measured with the change, again reading only the stamp
    assert later is not first
    assert len(refreshed) == 1, refreshed
    history_cache.forget()
    async with database.transaction() as session:
        assert await learned_history(session, process=PROCESS, today=today) == later


async def test_a_deal_page_and_the_board_give_the_same_estimate(
    client: httpx.AsyncClient, database: Database, people: People
) -> None:
    # given a history long enough that observed durations replace typical days
    await seed_database(database.engine, process=PROCESS, deals=1500, seed=8, today=datetime.now(UTC).date())
    # when
    body = await gql(client, BOARD, token=people.admin.token)
    # then
    assert "errors" not in body, body
    ranked = body["data"]["prioritizedDeals"]["deals"]
    pipeline = body["data"]["pipeline"]
    assert ranked
    assert pipeline["blocked"]
    assert pipeline["stale"]
    for entry in ranked:
        assert entry["estimatedDaysToClose"] == entry["deal"]["estimatedDaysToClose"], entry
        assert entry["deal"]["closeEstimate"]["daysToClose"] == entry["estimatedDaysToClose"], entry
    for entry in pipeline["blocked"] + pipeline["stale"]:
        assert entry["estimatedDaysToClose"] == entry["deal"]["estimatedDaysToClose"], entry
    for entry in pipeline["stale"]:
        assert entry["deal"]["stale"] is True
        assert entry["expectedDays"] == entry["deal"]["expectedDaysInStage"]
    sources = await gql(
        client, "{ prioritizedDeals { deals { remainingMilestones { durationSource } } } }", token=people.admin.token
    )
    used = {m["durationSource"] for d in sources["data"]["prioritizedDeals"]["deals"] for m in d["remainingMilestones"]}
    assert "OBSERVED" in used


async def test_board_queries_cost_the_same_statements_for_few_and_many_deals(
    client: httpx.AsyncClient, database: Database, people: People
) -> None:
    counts = []
    assert "errors" not in await gql(client, "{ me { id } }", token=people.manager.token)  # the token is known
    for deals in (5, 40):
        # given `deals` more deals (the history changed, so learning is read again)
        await create_spread_of_deals(database, owners=(people.rep_a, people.rep_b), count=deals, competitors=False)
        history_cache.forget()  # each round learns on the request path, as the first request after a start does
        # when
        with counting_statements(database) as statements:
            body = await gql(client, BOARD, token=people.manager.token)
        assert "errors" not in body, body
        counts.append(len(statements))
    # then: the newest event, two learning aggregates, the open deals with their completed keys (one statement)
    # for each of the two queries, the entries' deals and their completions (the token was read by an earlier
    # request)
    assert counts[0] == counts[1], counts
    assert counts[0] == 7, counts


async def test_a_deal_won_this_quarter_counts_whenever_it_was_created(
    client: httpx.AsyncClient, database: Database, people: People
) -> None:
    # given a deal created two years ago and won in this quarter, and one won last quarter
    today = datetime.now(UTC).date()
    quarter_start = start_of_quarter(today)
    old = await create_deal(database, owner=people.rep_a, stage="commit", amount="30000.00")
    earlier = await create_deal(database, owner=people.rep_a, stage="commit", amount="5000.00")
    async with database.transaction() as session:
        closed_at = datetime.combine(quarter_start, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
        for deal, at in ((old, closed_at), (earlier, closed_at - timedelta(days=1))):
            await session.execute(
                update(Deal)
                .where(Deal.id == deal.id)
                .values(status="won", stage_key="won", created_at=closed_at - timedelta(days=730))
            )
            session.add(
                DealEvent(
                    deal_id=deal.id,
                    kind=DealEventKind.CLOSED_WON.value,
                    actor_id=people.rep_a.id,
                    occurred_at=at,
                    from_stage="commit",
                    to_stage="won",
                )
            )
    period_end = end_of_quarter(today)
    # when
    body = await gql(client, WON % period_end.isoformat(), token=people.rep_a.token)
    # then
    assert "errors" not in body, body
    plan = body["data"]["prioritizedDeals"]["plan"]
    assert Decimal(plan["wonThisPeriod"]) == Decimal("30000.00")
    assert Decimal(plan["gap"]) == Decimal("70000.00")
