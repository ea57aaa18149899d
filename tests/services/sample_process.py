"""A small hand-built process and deal factory whose answers can be worked out on paper.

    mql (10%)     intro-call* 3 d         budget-known 5 d
    sql (30%)     discovery* 7 d          champion* 5 d        pain-quantified 10 d
    commit (70%)  finance-sign-off* 5 d   procurement-review* 4 d   legal-redlines 10 d
    won, lost                                                    (* mandatory)

`finance-sign-off` was once called `cfo-approval`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from api.process.models import Milestone, Outcome, Process, Stage
from api.services.history.records import DealSnapshot

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
TODAY = NOW.date()


def _milestone(key: str, days: int, *, mandatory: bool, weight: int = 1, formerly: tuple[str, ...] = ()) -> Milestone:
    return Milestone(
        key=key,
        title=key.replace("-", " ").replace("sign off", "sign-off"),
        mandatory=mandatory,
        weight=weight,
        typical_days=days,
        why="It proves the stage's objective.",
        ask="Ask the buyer for it.",
        formerly=formerly,
    )


SALES = Process(
    key="sales",
    name="Sales",
    description="A small process for tests.",
    stages=(
        Stage(
            key="mql",
            name="MQL",
            objective="Worth a call.",
            probability=0.1,
            milestones=(_milestone("intro-call", 3, mandatory=True), _milestone("budget-known", 5, mandatory=False)),
        ),
        Stage(
            key="sql",
            name="SQL",
            objective="A real need.",
            probability=0.3,
            milestones=(
                _milestone("discovery", 7, mandatory=True),
                _milestone("champion", 5, mandatory=True),
                _milestone("pain-quantified", 10, mandatory=False),
            ),
        ),
        Stage(
            key="commit",
            name="Commit",
            objective="They will buy.",
            probability=0.7,
            milestones=(
                _milestone("finance-sign-off", 5, mandatory=True, weight=3, formerly=("cfo-approval",)),
                _milestone("procurement-review", 4, mandatory=True),
                _milestone("legal-redlines", 10, mandatory=False),
            ),
        ),
        Stage(key="won", name="Closed Won", objective="Signed.", probability=1.0, outcome=Outcome.WON),
        Stage(key="lost", name="Closed Lost", objective="Gone.", probability=0.0, outcome=Outcome.LOST),
    ),
)

ALL_MANDATORY = frozenset({"intro-call", "discovery", "champion", "finance-sign-off", "procurement-review"})


def make_deal(
    deal_id: str = "d1",
    *,
    stage: str = "mql",
    done: frozenset[str] | set[str] = frozenset(),
    amount: str = "10000",
    currency: str = "EUR",
    status: Outcome = Outcome.OPEN,
    owner: str = "rep-a",
    entered_stage_at: datetime = NOW,
    close_date: date | None = None,
    closed_at: datetime | None = None,
) -> DealSnapshot:
    return DealSnapshot(
        deal_id=deal_id,
        name=f"Deal {deal_id}",
        owner_id=owner,
        stage_key=stage,
        status=status,
        amount=Decimal(amount),
        currency=currency,
        entered_stage_at=entered_stage_at,
        completed_milestones=frozenset(done),
        close_date=close_date,
        closed_at=closed_at,
    )
