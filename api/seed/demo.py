"""The demo: a team (a manager, two reps) and an enablement user, on two years of simulated history.

The history comes from the seed generator (`api.seed`): deals created over two years by eight reps,
worked, stalled, won and lost. Two of those reps are the demo team's (so the demo team owns a quarter of
the history, open and closed, as two reps in eight would): its board shows work in flight (spread over
every open stage, with partial progress, some overdue) and its manager's insights have closed deals to
learn conversion, time in stage, observed durations and milestone lift from. The other six reps are a
field team of simulated colleagues, whose deals the demo team cannot see but whose history the process-wide
learned figures include. A few more deals are worked through the API's own services and dated back over
the past weeks (`api.seed.demo_deals`): the article's enthusiastic champion without finance sign-off, a deal
the manager moved over a gate, and a handful of open expansion deals, so both processes show on the board.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealCompetitor, Role
from api.process import Outcome, Process, ProcessDefinitions, Stage
from api.seed.demo_deals import steps_through, work_deal
from api.seed.seeding import HISTORY_DAYS
from api.seed.simulation import simulate
from api.seed.writer import SeedOwner, create_seed_teams, write_history
from api.services.accounts.tokens import add_user
from api.services.accounts.viewer import Viewer
from api.services.deals import editing

DEMO_TEAM = "Demo team"
DEMO_HISTORY_DEALS = 1600
DEMO_SEED = 12
"""Chosen so that the demo team's open deals cover every open stage of the shipped new-business process."""
SIMULATED_REPS = 8
"""Reps in the simulated history; the first two are the demo team's, the others the field team's."""
FINANCE_SIGN_OFF = "finance-sign-off"
EXPANSION = "expansion"
EXPANSION_ACCOUNTS = ("Fabrikam", "Northwind Traders", "Tailspin Toys", "Wide World Importers", "Litware")
OVERRIDE_REASON = 'The CFO committed budget on the call; "{milestone}" is caught up with finance this month.'


async def seed_demo(
    session: AsyncSession, *, definitions: ProcessDefinitions, process_version: int | None = None
) -> dict[str, str]:
    """Seed the demo and return its tokens by who holds them. The hand-made deals are worked under
    `process_version`; the simulated history predates it and records none."""
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
    ravi = _viewer(rep_a.id, rep_a.name, Role.REP, rep_a.team_id)
    rosa = _viewer(rep_b.id, rep_b.name, Role.REP, rep_b.team_id)
    maya = _viewer(manager.id, manager.name, Role.MANAGER, manager.team_id)
    version = process_version
    await _article_deal(session, definitions=definitions, process=process, owner=ravi, version=version)
    await _overridden_deal(session, definitions=definitions, process=process, owner=rosa, manager=maya, version=version)
    await _expansion_deals(session, definitions=definitions, owners=[ravi, rosa], version=version)
    return {
        "manager (Maya Manager)": manager_token,
        "rep (Ravi Rep)": rep_a_token,
        "rep (Rosa Rep)": rep_b_token,
        "enablement (Elena Enablement)": enablement_token,
    }


async def _simulated_history(
    session: AsyncSession,
    *,
    process: Process,
    demo_team: list[SeedOwner],
    competitor_keys: list[str],
    competitor_names: list[str],
) -> None:
    # The history ends yesterday, so no event lies in the future of the demo.
    start = datetime.now(UTC).date() - timedelta(days=HISTORY_DAYS + 1)
    history = simulate(
        process=process,
        deals=DEMO_HISTORY_DEALS,
        seed=DEMO_SEED,
        start=start,
        days=HISTORY_DAYS,
        reps=SIMULATED_REPS,
        competitor_names=competitor_names,
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
            .where(Deal.owner_id.in_([o.rep_id for o in demo_team]), Deal.status == Outcome.OPEN.value)
            .order_by(Deal.id)
        )
        open_ids = (await session.scalars(in_flight)).all()
        await connection.execute(
            insert(DealCompetitor),
            [
                {"deal_id": deal_id, "competitor_key": competitor_keys[i % len(competitor_keys)]}
                for i, deal_id in enumerate(open_ids)
                if i % 3 != 2
            ],
        )


def _viewer(user_id: int, name: str, role: Role, team_id: int | None) -> Viewer:
    return Viewer(id=user_id, name=name, role=role, team_id=team_id)


async def _article_deal(
    session: AsyncSession, *, definitions: ProcessDefinitions, process: Process, owner: Viewer, version: int | None
) -> None:
    """The article's deal: the champion loves it, finance has not signed off, so it cannot enter the next stage.

    It sits in the stage of the finance milestone with everything before it done: the earlier stages' work,
    and in its own stage what comes before finance in the definition (for new-business: in SAL, the demo,
    the mutual action plan, the decision maker's agreement). Finance and what follows it are open; nothing
    of a later stage (no proposal, no contract) is done. Created six weeks ago, it entered its stage nine
    days ago.
    """
    found = _finance_milestone(process)
    if found is None:
        return
    stage, finance_key = found
    keys = [m.key for m in stage.milestones]
    draft = editing.DealDraft(
        name="Enthusiastic champion",
        account_name="Blue Yonder Airlines",
        process_key=process.key,
        amount="64000.00",
        currency="EUR",
        close_date=date.today() + timedelta(days=30),
        competitor_keys=[],
    )
    steps = steps_through(
        process,
        to_stage=stage,
        done_in_stage=keys[: keys.index(finance_key)],
        created_days_ago=42,
        entered_days_ago=9,
    )
    await work_deal(
        session,
        definitions=definitions,
        draft=draft,
        owner=owner,
        created_days_ago=42,
        steps=steps,
        process_version=version,
    )


async def _overridden_deal(
    session: AsyncSession,
    *,
    definitions: ProcessDefinitions,
    process: Process,
    owner: Viewer,
    manager: Viewer,
    version: int | None,
) -> None:
    """A deal the manager moved over a gate: into the second gated stage, one mandatory milestone short."""
    gated = [s for s in process.open_stages[1:] if s.mandatory_milestones]
    if len(gated) < 2:
        return
    into = gated[1]
    before = process.open_stages[process.open_stages.index(into) - 1]
    skipped = before.mandatory_milestones[-1]
    steps = [
        replace(step, override=True, reason=OVERRIDE_REASON.format(milestone=skipped.title))
        if step.move_to == into.key
        else step
        for step in steps_through(
            process,
            to_stage=into,
            done_in_stage=[into.milestones[0].key],
            created_days_ago=30,
            entered_days_ago=12,
            skip=frozenset({skipped.key}),
        )
    ]
    draft = editing.DealDraft(
        name="Fast-tracked by the CFO",
        account_name="Contoso Pharmaceuticals",
        process_key=process.key,
        amount="48000.00",
        currency="EUR",
        close_date=date.today() + timedelta(days=45),
        competitor_keys=[],
    )
    await work_deal(
        session,
        definitions=definitions,
        draft=draft,
        owner=owner,
        manager=manager,
        created_days_ago=30,
        steps=steps,
        process_version=version,
    )


async def _expansion_deals(
    session: AsyncSession, *, definitions: ProcessDefinitions, owners: list[Viewer], version: int | None
) -> None:
    """A handful of open expansion deals over its open stages, each with its earlier stages' work done."""
    process = definitions.process(EXPANSION)
    if process is None:
        return
    plans = [(0, 1, 6, 6), (0, 2, 15, 15), (1, 1, 35, 12), (1, 3, 50, 20), (2, 1, 70, 10)]
    for number, (position, done, created_days_ago, entered_days_ago) in enumerate(plans):
        stage = process.open_stages[min(position, len(process.open_stages) - 1)]
        account = EXPANSION_ACCOUNTS[number % len(EXPANSION_ACCOUNTS)]
        draft = editing.DealDraft(
            name=f"{account}: more seats",
            account_name=account,
            process_key=process.key,
            amount=f"{12000 + 6000 * number}.00",
            currency="EUR",
            close_date=date.today() + timedelta(days=20 + 15 * (len(plans) - position)),
            competitor_keys=[],
        )
        steps = steps_through(
            process,
            to_stage=stage,
            done_in_stage=[m.key for m in stage.milestones[:done]],
            created_days_ago=created_days_ago,
            entered_days_ago=entered_days_ago,
        )
        await work_deal(
            session,
            definitions=definitions,
            draft=draft,
            owner=owners[number % len(owners)],
            created_days_ago=created_days_ago,
            steps=steps,
            process_version=version,
        )


def _finance_milestone(process: Process) -> tuple[Stage, str] | None:
    """The open stage holding the finance sign-off and its key; in a process without one, the last mandatory
    milestone of the open stage before the last (the last gate but one), or None if there is no such gate."""
    for stage in process.open_stages:
        if any(m.key == FINANCE_SIGN_OFF for m in stage.milestones):
            return stage, FINANCE_SIGN_OFF
    gated = [s for s in process.open_stages[:-1] if s.mandatory_milestones]
    return (gated[-1], gated[-1].mandatory_milestones[-1].key) if gated else None
