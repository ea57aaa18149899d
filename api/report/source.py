"""What the report reads: the same aggregate statistics as the API's `processInsights`, over every deal of a
process, and which process to report on when none is named."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal
from api.process import Process
from api.services.history.insights import ProcessInsights
from api.services.history.sql import of_process
from api.services.history.statistics import process_statistics


@dataclass(frozen=True, slots=True)
class ReportData:
    insights: ProcessInsights
    deals: int


async def deals_per_process(session: AsyncSession, processes: Sequence[Process]) -> dict[str, int]:
    """One statement: how many deals each of `processes` has (0 for none)."""
    rows = await session.execute(
        select(Deal.process_key, func.count())
        .where(Deal.process_key.in_([p.key for p in processes]))
        .group_by(Deal.process_key)
    )
    counts = {str(key): int(n) for key, n in rows}
    return {p.key: counts.get(p.key, 0) for p in processes}


def busiest_process(processes: Sequence[Process], counts: dict[str, int]) -> Process:
    """The process with the most deals; ties (and an empty database) go to the first in the definitions."""
    return max(processes, key=lambda p: (counts.get(p.key, 0), -processes.index(p)))


async def report_data(session: AsyncSession, *, process: Process) -> ReportData:
    """Every deal of the process, whoever owns it: as `processInsights` for a viewer who sees every deal."""
    deals = of_process(process, None)
    insights = await process_statistics(session, process=process, deals=deals)
    count = await session.scalar(select(func.count()).select_from(Deal).where(deals))
    return ReportData(insights=insights, deals=int(count or 0))
