"""The demo: a team (a manager, two reps) and an enablement user, on two years of simulated history.

The history comes from the seed generator (`api.seed`): deals created over two years by eight reps,
worked, stalled, won and lost. Two of those reps are the demo team's (so the demo team owns a quarter of
the history, open and closed, as two reps in eight would): its board shows work in flight (spread over
every open stage, with partial progress, some overdue) and its manager's insights have closed deals to
learn conversion, time in stage, observed durations and milestone lift from. The other six reps are a
field team of simulated colleagues, whose deals the demo team cannot see but whose history the process-wide
learned figures include. One more deal is worked through the API's own services: the article's enthusiastic
champion without finance sign-off.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealCompetitor, DealStatus, Role
from api.process import Process, ProcessDefinitions, Stage
from api.seed.simulation import simulate
from api.seed.writer import SeedOwner, create_seed_teams, write_history
from api.services import deal_progress, deals
from api.services.auth import Viewer, add_user
from api.services.failures import Failure

DEMO_TEAM = "Demo team"
DEMO_HISTORY_DEALS = 1600
DEMO_SEED = 12
"""Chosen so that the demo team's open deals cover every open stage of the shipped new-business process."""
HISTORY_DAYS = 730
SIMULATED_REPS = 8
"""Reps in the simulated history; the first two are the demo team's, the others the field team's."""
FINANCE_SIGN_OFF = "finance-sign-off"


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
        competitor_names=[c.name for c in definitions.competitors if not c.status_quo],
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
    session: AsyncSession, *, process: Process, demo_team: list[SeedOwner], competitor_keys: list[str],
    competitor_names: list[str],
) -> None:
    # The history ends yesterday, so no event lies in the future of the demo.
    start = datetime.now(UTC).date() - timedelta(days=HISTORY_DAYS + 1)
    history = simulate(
        process=process, deals=DEMO_HISTORY_DEALS, seed=DEMO_SEED, start=start, days=HISTORY_DAYS,
        reps=SIMULATED_REPS, competitor_names=competitor_names,
    )
    connection = await session.connection()
    field_team = await create_seed_teams(connection, reps=SIMULATED_REPS - len(demo_team), label="Field")
    ours = [d for d in history.deals if d.owner_index < len(demo_team)]
    theirs = [d for d in history.deals if d.owner_index >= len(demo_team)]
    await write_history(connection, process_key=process.key, deals=ours, owners=demo_team, currency="EUR")
    await write_history(connection, process_key=process.key, deals=theirs, owners=field_team, currency="EUR")
    if competitor_keys:
        in_flight = (
            select(Deal.id)
            .where(Deal.owner_id.in_([o.rep_id for o in demo_team]), Deal.status == DealStatus.OPEN.value)
            .order_by(Deal.id)
        )
        open_ids = (await session.scalars(in_flight)).all()
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
    """The article's deal: the champion loves it, finance has not signed off, so it cannot enter the next stage.

    It sits in the stage of the finance milestone with everything before it done: the earlier stages' work,
    and in its own stage what comes before finance in the definition (for new-business: in SAL, the demo,
    the mutual action plan, the decision maker's agreement). Finance and what follows it are open; nothing
    of a later stage (no proposal, no contract) is done.
    """
    found = _finance_milestone(process)
    if found is None:
        return
    stage, finance_key = found
    draft = deals.DealDraft(
        name="Enthusiastic champion", account_name="Blue Yonder Airlines", process_key=process.key,
        amount="64000.00", currency="EUR", close_date=date.today() + timedelta(days=30), competitor_keys=[],
    )
    deal = await deals.create_deal(session, viewer=owner, definitions=definitions, draft=draft)
    if not isinstance(deal, Deal):
        raise RuntimeError(f"the demo deal was refused: {deal}")
    target = process.open_stages.index(stage)
    for position, worked in enumerate(process.open_stages[: target + 1]):
        keys = [m.key for m in worked.milestones]
        done = keys[: keys.index(finance_key)] if worked is stage else keys
        for key in done:
            await _succeed(
                deal_progress.complete_milestone(
                    session, viewer=owner, definitions=definitions, deal_id=deal.id, milestone_key=key
                )
            )
        if position < target:
            await _succeed(
                deal_progress.move_deal(
                    session, viewer=owner, definitions=definitions, deal_id=deal.id,
                    to_stage=process.open_stages[position + 1].key,
                )
            )


def _finance_milestone(process: Process) -> tuple[Stage, str] | None:
    """The open stage holding the finance sign-off and its key; in a process without one, the last mandatory
    milestone of the open stage before the last (the last gate but one), or None if there is no such gate."""
    for stage in process.open_stages:
        if any(m.key == FINANCE_SIGN_OFF for m in stage.milestones):
            return stage, FINANCE_SIGN_OFF
    gated = [s for s in process.open_stages[:-1] if s.mandatory_milestones]
    return (gated[-1], gated[-1].mandatory_milestones[-1].key) if gated else None


async def _succeed(step: Awaitable[Deal | Failure]) -> None:
    outcome = await step
    if not isinstance(outcome, Deal):
        raise RuntimeError(f"the demo's article deal was refused a step: {outcome}")
