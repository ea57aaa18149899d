"""What the recorded history says about a process, for one viewer: the `processInsights` use case."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.process import Process, ProcessDefinitions
from api.services.accounts.viewer import Viewer, visible_deals
from api.services.history.cache import Question, history_cache
from api.services.history.insights import ProcessInsights
from api.services.history.learned import learned_from_every_deal
from api.services.history.sql import of_process
from api.services.history.statistics import process_statistics


async def insights_for(
    session: AsyncSession, *, viewer: Viewer, process: Process, since: datetime | None
) -> ProcessInsights:
    """Over the deals the viewer may see (a rep's own, a manager's team's, everyone's for an admin), unlike
    `learned`: these figures name deals (overrides) and answer "how are *my* deals doing", so they follow
    visibility. Five aggregate statements (`statistics`); for a viewer who sees every deal, one while the
    history is unchanged (`history_cache`): over the whole history those five take seconds, while a rep's
    or a team's few deals take milliseconds and are not cached."""
    deals = and_(of_process(process, since), visible_deals(viewer))

    async def compute(on: AsyncSession) -> ProcessInsights:
        return await process_statistics(on, process=process, deals=deals)

    if not viewer.sees_every_deal:
        return await compute(session)
    question = ("whole-history insights", process.key, since)
    return await history_cache.get(session, question=question, process=process, compute=compute)


def whole_history_insights(*, process: Process) -> Question[ProcessInsights]:
    """The question an admin's or enablement's first `processInsights` (no `since`) would otherwise measure on
    its path (seconds at 100,000 deals)."""

    async def compute(on: AsyncSession) -> ProcessInsights:
        return await process_statistics(on, process=process, deals=of_process(process, None))

    return Question(question=("whole-history insights", process.key, None), process=process, compute=compute)


def measure_ahead(bind: AsyncEngine, definitions: ProcessDefinitions, *, today: date) -> None:
    """In the background, what the first period-end or insights request of an admin or enablement would
    otherwise measure on its path, for every process of `definitions`: a server does it when it starts serving
    a version. (Rep and team scopes are measured on their first request: milliseconds.)"""
    questions: list[Question[Any]] = []
    for process in definitions.processes:
        questions += [learned_from_every_deal(process=process, today=today), whole_history_insights(process=process)]
    history_cache.measure_ahead(bind, questions)
