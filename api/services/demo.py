"""A small fixed demo: a team (a manager, two reps), an enablement user, and a dozen deals in flight.

Deals are worked through the same services as the API, so their history is real; the data adapts to
whatever process is loaded (the `new-business` process when there is one).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, Role
from api.process import Process, ProcessDefinitions
from api.services import deal_progress, deals
from api.services.auth import Viewer, add_user

DEMO_TEAM = "Demo team"

# name, account, amount, rep (0 or 1), open-stage index reached, share of the current stage done
DEMO_DEALS: tuple[tuple[str, str, str, int, int, float], ...] = (
    ("Spend platform rollout", "Northwind Traders", "48000.00", 0, 0, 0.5),
    ("Procurement pilot", "Contoso Pharma", "12500.00", 1, 0, 0.0),
    ("AP automation", "Fabrikam Logistics", "36000.00", 0, 1, 0.5),
    ("Three-entity consolidation", "Tailspin Toys", "72000.00", 1, 1, 1.0),
    ("Finance suite", "Litware Health", "95000.00", 0, 2, 0.5),
    ("Controller's toolkit", "Adatum Energy", "27000.00", 1, 2, 0.0),
    ("Spend controls", "Wingtip Outfitters", "54000.00", 0, 3, 0.5),
    ("Group procurement", "Proseware Foods", "130000.00", 1, 3, 1.0),
    ("Supplier onboarding", "Woodgrove Retail", "18000.00", 0, 1, 0.0),
    ("Invoice matching", "Coho Vineyards", "22000.00", 1, 2, 1.0),
)


async def seed_demo(session: AsyncSession, *, definitions: ProcessDefinitions) -> dict[str, str]:
    """Seed the demo and return its tokens by who holds them."""
    process = definitions.process("new-business") or definitions.processes[0]
    manager, manager_token = await add_user(session, name="Maya Manager", role=Role.MANAGER, team_name=DEMO_TEAM)
    rep_a, rep_a_token = await add_user(session, name="Ravi Rep", role=Role.REP, team_name=DEMO_TEAM)
    rep_b, rep_b_token = await add_user(session, name="Rosa Rep", role=Role.REP, team_name=DEMO_TEAM)
    _, enablement_token = await add_user(session, name="Elena Enablement", role=Role.ENABLEMENT)
    reps = [
        _viewer(rep_a.id, rep_a.name, Role.REP, rep_a.team_id),
        _viewer(rep_b.id, rep_b.name, Role.REP, rep_b.team_id),
    ]
    boss = _viewer(manager.id, manager.name, Role.MANAGER, manager.team_id)
    competitors = [c.key for c in definitions.competitors if not c.status_quo][:2]
    today = date.today()

    for index, (name, account, amount, rep, stage_index, share) in enumerate(DEMO_DEALS):
        owner = reps[rep]
        deal = await _open(
            session, definitions=definitions, process=process, owner=owner, name=name, account=account,
            amount=amount, close_date=today + timedelta(days=14 + 9 * index),
            competitor_keys=competitors[index % 2 : index % 2 + 1] if competitors else [],
        )
        await _work_to(session, definitions=definitions, process=process, owner=owner, deal=deal,
                       stage_index=stage_index, share=share)

    await _article_deal(session, definitions=definitions, process=process, owner=reps[0], boss=boss, today=today)
    won = await _open(session, definitions=definitions, process=process, owner=reps[1], name="Spend analytics",
                      account="Fourth Coffee", amount="41000.00", close_date=today, competitor_keys=[])
    await _work_to(session, definitions=definitions, process=process, owner=reps[1], deal=won,
                   stage_index=len(process.open_stages) - 1, share=1.0)
    await deal_progress.close_deal(session, viewer=reps[1], definitions=definitions, deal_id=won.id,
                                   outcome=deal_progress.CloseOutcome.WON, reason="signed order form")
    lost = await _open(session, definitions=definitions, process=process, owner=reps[0], name="Card programme",
                       account="Humongous Insurance", amount="15000.00", close_date=today, competitor_keys=[])
    await deal_progress.close_deal(session, viewer=reps[0], definitions=definitions, deal_id=lost.id,
                                   outcome=deal_progress.CloseOutcome.LOST, reason="no budget this year")
    return {
        "manager (Maya Manager)": manager_token,
        "rep (Ravi Rep)": rep_a_token,
        "rep (Rosa Rep)": rep_b_token,
        "enablement (Elena Enablement)": enablement_token,
    }


def _viewer(user_id: int, name: str, role: Role, team_id: int | None) -> Viewer:
    return Viewer(id=user_id, name=name, role=role, team_id=team_id)


async def _open(
    session: AsyncSession, *, definitions: ProcessDefinitions, process: Process, owner: Viewer, name: str,
    account: str, amount: str, close_date: date, competitor_keys: list[str],
) -> Deal:
    draft = deals.DealDraft(name=name, account_name=account, process_key=process.key, amount=amount,
                            currency="EUR", close_date=close_date, competitor_keys=competitor_keys)
    created = await deals.create_deal(session, viewer=owner, definitions=definitions, draft=draft)
    if not isinstance(created, Deal):
        raise RuntimeError(f"demo deal {name!r} was refused: {created}")
    return created


async def _work_to(
    session: AsyncSession, *, definitions: ProcessDefinitions, process: Process, owner: Viewer, deal: Deal,
    stage_index: int, share: float,
) -> None:
    """Complete what each earlier stage needs, move the deal on, then do `share` of the current stage."""
    stages = process.open_stages
    for position, stage in enumerate(stages[: stage_index + 1]):
        todo = stage.milestones if position < stage_index else stage.milestones[: round(len(stage.milestones) * share)]
        for milestone in todo:
            await deal_progress.complete_milestone(session, viewer=owner, definitions=definitions, deal_id=deal.id,
                                                   milestone_key=milestone.key, note="done in the demo")
        if position < stage_index:
            await deal_progress.move_deal(session, viewer=owner, definitions=definitions, deal_id=deal.id,
                                          to_stage=stages[position + 1].key)


async def _article_deal(
    session: AsyncSession, *, definitions: ProcessDefinitions, process: Process, owner: Viewer, boss: Viewer,
    today: date,
) -> None:
    """The article's deal: the champion loves it, finance has not signed off; a manager pushed it once."""
    deal = await _open(session, definitions=definitions, process=process, owner=owner, name="Enthusiastic champion",
                       account="Blue Yonder Airlines", amount="64000.00", close_date=today + timedelta(days=30),
                       competitor_keys=[])
    gated = [s for s in process.open_stages if s.mandatory_milestones]
    if not gated:
        return
    stage_index = process.open_stages.index(gated[-1])
    await _work_to(session, definitions=definitions, process=process, owner=owner, deal=deal,
                   stage_index=stage_index, share=0.0)
    for milestone in gated[-1].milestones:
        if milestone.key != "finance-sign-off":
            await deal_progress.complete_milestone(session, viewer=owner, definitions=definitions, deal_id=deal.id,
                                                   milestone_key=milestone.key)
