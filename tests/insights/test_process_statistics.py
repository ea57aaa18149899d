"""`processInsights` by aggregate SQL gives what the reference walk over events in `tests/insights/reference_walk.py`
gives, for every deal and for one rep's deals since a date, and costs the same statements for any history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import and_, delete, func, select, update

from api.db import Database
from api.db.models import Deal, DealEvent, MilestoneCompletion, Role
from api.deal_events import DealEventKind
from api.seed.seeding import seed_database
from api.services.accounts.viewer import Viewer, visible_deals
from api.services.history.insights import ProcessInsights
from api.services.history.sql import of_process
from api.services.history.statistics import process_statistics
from tests.api.factories import fixture_definitions
from tests.api.test_statement_count import counting_statements
from tests.insights.reference_walk import load_events, load_snapshots, process_insights

PROCESS = fixture_definitions().processes[0]
ADMIN = Viewer(id=0, name="Ada Admin", role=Role.ADMIN, team_id=None)


async def _seed_history_with_a_renamed_milestone(database: Database, *, deals: int) -> None:
    """A simulated history (stalls, moves back, wins and losses) where every third deal recorded
    `pain-confirmed` under its former key `pain-found`, a manager overrode a gate of a won, a lost and
    an open deal (twice for the open one), and milestones were completed more than once: every fourth deal
    reopened each and completed it again 90 days later (often in a later stage), every fourth but one recorded
    each completion twice at the same instant. Only the first completion of each counts."""
    await seed_database(database.engine, process=PROCESS, deals=deals, seed=5, today=date(2026, 6, 30))
    async with database.transaction() as session:
        for status, times in (("won", 1), ("lost", 1), ("open", 2)):
            deal = (await session.execute(select(Deal).where(Deal.status == status).limit(1))).scalar_one()
            for n in range(times):
                session.add(
                    DealEvent(
                        deal_id=deal.id,
                        kind=DealEventKind.GATE_OVERRIDDEN.value,
                        actor_id=deal.owner_id,
                        occurred_at=deal.created_at + timedelta(days=1 + n),
                        from_stage="mql",
                        to_stage="sql",
                        reason="CEO intro",
                        skipped_milestones=["icp-fit"],
                    )
                )
        for table in (DealEvent, MilestoneCompletion):
            await session.execute(
                update(table)
                .where(table.milestone_key == "pain-confirmed", table.deal_id % 3 == 0)
                .values(milestone_key="pain-found")
            )
        completions = await session.scalars(
            select(DealEvent).where(
                DealEvent.kind == DealEventKind.MILESTONE_COMPLETED.value, DealEvent.deal_id % 4 < 2
            )
        )
        for done in completions.all():
            again = [(DealEventKind.MILESTONE_REOPENED, 1 / 24), (DealEventKind.MILESTONE_COMPLETED, 90)]
            for kind, days in again if done.deal_id % 4 == 0 else [(DealEventKind.MILESTONE_COMPLETED, 0)]:
                session.add(
                    DealEvent(
                        deal_id=done.deal_id,
                        kind=kind.value,
                        actor_id=done.actor_id,
                        occurred_at=done.occurred_at + timedelta(days=days),
                        milestone_key=done.milestone_key,
                    )
                )


def assert_same_insights(sql: ProcessInsights, reference: ProcessInsights) -> None:
    """Counts, rates and overrides exactly; medians to a millionth of a day (floating-point day arithmetic)."""
    assert sql.conversions == reference.conversions
    assert sql.stage_win_rates == reference.stage_win_rates
    assert sql.lifts == reference.lifts
    assert sql.overrides == reference.overrides
    assert [(t.stage, t.visits) for t in sql.time_in_stage] == [(t.stage, t.visits) for t in reference.time_in_stage]
    for seen, expected in zip(sql.time_in_stage, reference.time_in_stage, strict=True):
        assert seen.median_days == pytest.approx(expected.median_days, abs=1e-6), seen.stage.key
    assert sql.observed_durations().keys() == reference.observed_durations().keys()
    for key, expected_duration in reference.observed_durations().items():
        seen_duration = sql.observed_durations()[key]
        assert seen_duration.observations == expected_duration.observations, key
        assert seen_duration.median_days == pytest.approx(expected_duration.median_days, abs=1e-6), key


async def test_sql_insights_equal_the_reference_walk_over_every_deal(database: Database) -> None:
    # given
    await _seed_history_with_a_renamed_milestone(database, deals=1500)
    async with database.transaction() as session:
        reference = process_insights(
            process=PROCESS,
            deals=await load_snapshots(session, process_key=PROCESS.key),
            events=await load_events(session, process_key=PROCESS.key),
        )
        # when
        sql = await process_statistics(session, process=PROCESS, deals=of_process(PROCESS, None))
    # then: the history exercises every figure
    assert reference.overrides
    assert all(c.advanced and c.lost and c.still_open for c in reference.conversions)
    assert all(lift.closed_with and lift.closed_without for lift in reference.lifts)
    assert_same_insights(sql, reference)


async def test_sql_insights_equal_the_reference_walk_for_one_reps_deals_since_a_date(database: Database) -> None:
    # given a rep of the seeded team and a date a year into the history
    await _seed_history_with_a_renamed_milestone(database, deals=1500)
    since = datetime(2025, 6, 30, tzinfo=UTC)
    async with database.transaction() as session:
        owner_id = await session.scalar(select(Deal.owner_id).group_by(Deal.owner_id).order_by(func.count().desc()))
        assert owner_id is not None
        rep = Viewer(id=owner_id, name="Seeded rep", role=Role.REP, team_id=None)
        reference = process_insights(
            process=PROCESS,
            deals=await load_snapshots(session, process_key=PROCESS.key, since=since, owner_ids=(owner_id,)),
            events=await load_events(session, process_key=PROCESS.key, since=since, owner_ids=(owner_id,)),
        )
        # when
        sql = await process_statistics(
            session, process=PROCESS, deals=and_(of_process(PROCESS, since), visible_deals(rep))
        )
    # then
    assert reference.conversions[0].entered > 10
    assert_same_insights(sql, reference)


async def test_sql_insights_cost_five_statements_for_any_history(database: Database) -> None:
    counts = []
    for deals in (20, 300):
        # given
        await seed_database(database.engine, process=PROCESS, deals=deals, seed=deals, today=date(2026, 6, 30))
        # when
        with counting_statements(database) as statements:
            async with database.transaction() as session:
                await process_statistics(session, process=PROCESS, deals=of_process(PROCESS, None))
        counts.append(len(statements))
    # then
    assert counts == [5, 5], counts


async def test_an_unclosed_history_has_no_rates_and_no_lift(database: Database) -> None:
    # given nothing closed: the newest deals only
    await seed_database(database.engine, process=PROCESS, deals=30, seed=3, today=date(2026, 6, 30))
    async with database.transaction() as session:
        await session.execute(update(Deal).values(status="open"))
        await session.execute(
            delete(DealEvent).where(
                DealEvent.kind.in_((DealEventKind.CLOSED_WON.value, DealEventKind.CLOSED_LOST.value))
            )
        )
        reference = process_insights(
            process=PROCESS,
            deals=await load_snapshots(session, process_key=PROCESS.key),
            events=await load_events(session, process_key=PROCESS.key),
        )
        # when
        sql = await process_statistics(session, process=PROCESS, deals=of_process(PROCESS, None))
    # then
    assert all(lift.lift is None and lift.closed_with == lift.closed_without == 0 for lift in sql.lifts)
    assert all(r.rate is None for r in sql.stage_win_rates)
    assert_same_insights(sql, reference)
