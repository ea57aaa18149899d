"""The demo: a team (a manager, two reps) and an enablement user, on two years of simulated history.

The history comes from the seed generator (`api.seed`) at a small size, so prioritisation, the pipeline
and the insights have something real to learn from: deals created over past months, worked, stalled, won
and lost. The deals still open are the demo team's (spread over every open stage, with partial progress,
some overdue); the closed ones belong to a field team of simulated colleagues, so the demo team's board
shows work in flight while observed durations and win rates are learned from everyone's history. One more
deal is worked through the API's own services: the article's enthusiastic champion without finance sign-off.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealCompetitor, Role
from api.process import Outcome, Process, ProcessDefinitions
from api.seed.simulation import simulate
from api.seed.writer import SeedOwner, create_seed_teams, write_history
from api.services import deal_progress, deals
from api.services.auth import Viewer, add_user

DEMO_TEAM = "Demo team"
DEMO_HISTORY_DEALS = 400
DEMO_SEED = 12
"""Chosen so that the demo team's open deals cover every open stage of the shipped new-business process."""
HISTORY_DAYS = 730
FIELD_REPS = 6


async def seed_demo(session: AsyncSession, *, definitions: ProcessDefinitions) -> dict[str, str]:
    """Seed the demo and return its tokens by who holds them."""
    process = definitions.process("new-business") or definitions.processes[0]
    manager, manager_token = await add_user(session, name="Maya Manager", role=Role.MANAGER, team_name=DEMO_TEAM)
    rep_a, rep_a_token = await add_user(session, name="Ravi Rep", role=Role.REP, team_name=DEMO_TEAM)
    rep_b, rep_b_token = await add_user(session, name="Rosa Rep", role=Role.REP, team_name=DEMO_TEAM)
    _, enablement_token = await add_user(session, name="Elena Enablement", role=Role.ENABLEMENT)
    await _simulated_history(
        session,
        process=process,
        demo_team=[SeedOwner(rep_id=rep.id, manager_id=manager.id) for rep in (rep_a, rep_b)],
        competitor_keys=[c.key for c in definitions.competitors if not c.status_quo][:2],
    )
    await _article_deal(
        session, definitions=definitions, process=process, owner=_viewer(rep_a.id, rep_a.name, rep_a.team_id)
    )
    return {
        "manager (Maya Manager)": manager_token,
        "rep (Ravi Rep)": rep_a_token,
        "rep (Rosa Rep)": rep_b_token,
        "enablement (Elena Enablement)": enablement_token,
    }


async def _simulated_history(
    session: AsyncSession, *, process: Process, demo_team: list[SeedOwner], competitor_keys: list[str]
) -> None:
    # The history ends yesterday, so no event lies in the future of the demo.
    start = datetime.now(UTC).date() - timedelta(days=HISTORY_DAYS + 1)
    history = simulate(process=process, deals=DEMO_HISTORY_DEALS, seed=DEMO_SEED, start=start, days=HISTORY_DAYS)
    connection = await session.connection()
    field_team = await create_seed_teams(connection, reps=FIELD_REPS, label="Field")
    still_open = [d for d in history.deals if d.snapshot.status is Outcome.OPEN]
    await write_history(connection, process_key=process.key, deals=still_open, owners=demo_team, currency="EUR")
    await write_history(
        connection,
        process_key=process.key,
        deals=[d for d in history.deals if d.snapshot.status is not Outcome.OPEN],
        owners=field_team,
        currency="EUR",
    )
    if competitor_keys:
        demo_deals = select(Deal.id).where(Deal.owner_id.in_([o.rep_id for o in demo_team])).order_by(Deal.id)
        open_ids = (await session.scalars(demo_deals)).all()
        await connection.execute(
            insert(DealCompetitor),
            [{"deal_id": deal_id, "competitor_key": competitor_keys[i % len(competitor_keys)]}
             for i, deal_id in enumerate(open_ids) if i % 3 != 2],
        )


def _viewer(user_id: int, name: str, team_id: int | None) -> Viewer:
    return Viewer(id=user_id, name=name, role=Role.REP, team_id=team_id)


async def _article_deal(
    session: AsyncSession, *, definitions: ProcessDefinitions, process: Process, owner: Viewer
) -> None:
    """The article's deal: the champion loves it, finance has not signed off, so it cannot enter the next stage."""
    draft = deals.DealDraft(
        name="Enthusiastic champion", account_name="Blue Yonder Airlines", process_key=process.key,
        amount="64000.00", currency="EUR", close_date=date.today() + timedelta(days=30), competitor_keys=[],
    )
    deal = await deals.create_deal(session, viewer=owner, definitions=definitions, draft=draft)
    if not isinstance(deal, Deal):
        raise RuntimeError(f"the demo deal was refused: {deal}")
    gated = [s for s in process.open_stages if s.mandatory_milestones]
    if not gated:
        return
    target = process.open_stages.index(gated[-1])
    for position, stage in enumerate(process.open_stages[: target + 1]):
        for milestone in stage.milestones:
            if milestone.key != "finance-sign-off":
                await deal_progress.complete_milestone(
                    session, viewer=owner, definitions=definitions, deal_id=deal.id, milestone_key=milestone.key
                )
        if position < target:
            await deal_progress.move_deal(
                session, viewer=owner, definitions=definitions, deal_id=deal.id,
                to_stage=process.open_stages[position + 1].key,
            )
