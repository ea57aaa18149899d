"""The floor of the period-end views: the open deals and their completions in one hand-written statement,
the same pure rules (`api.services.forecast`) with the same learned figures, and hand-built JSON. The learned
figures are read once per scope, as the API's warm cache holds them (a rep's from their own deals, as the API
learns them: `api.services.history.learned`); `processInsights` is the token, the history stamp and the cached
figures."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import asyncpg

from api.db import Database
from api.db.models import Role
from api.process import Outcome, Process, ProcessDefinitions
from api.services.accounts.tokens import hash_token
from api.services.accounts.viewer import Viewer
from api.services.forecast.pipeline import summarize_pipeline
from api.services.forecast.ranking import assess_deal, end_of_quarter, prioritize
from api.services.history.insights import ProcessInsights
from api.services.history.learned import LearnedHistory, learned_history
from api.services.history.records import DealSnapshot
from api.services.history.sql import of_process
from api.services.history.statistics import process_statistics
from tests.benchmarks.side_by_side.floor import VIEWER

OPEN_DEALS = """
SELECT d.id, d.name, d.owner_id, d.stage_key, d.amount, d.currency, d.stage_entered_at, d.close_date, d.process_key,
       ARRAY(SELECT c.milestone_key FROM milestone_completions c WHERE c.deal_id = d.id) AS done
FROM deals d WHERE d.status = 'open'
"""
STAMP = "SELECT id, occurred_at FROM deal_events ORDER BY id DESC LIMIT 1"


class PeriodFloor:
    def __init__(self, *, definitions: ProcessDefinitions, database: Database) -> None:
        self.definitions = definitions
        self.database = database
        self._learned: dict[tuple[str, int | None], LearnedHistory] = {}
        self._insights: dict[str, ProcessInsights] = {}

    async def _open_deals(
        self, connection: asyncpg.Connection, token: str, rep_id: int | None
    ) -> dict[str, list[DealSnapshot]]:
        assert await connection.fetchrow(VIEWER, hash_token(token)) is not None
        query, arguments = OPEN_DEALS, []
        if rep_id is not None:
            query, arguments = query + " AND d.owner_id = $1", [rep_id]
        by_process: dict[str, list[DealSnapshot]] = defaultdict(list)
        for row in await connection.fetch(query, *arguments):
            by_process[row["process_key"]].append(
                DealSnapshot(
                    deal_id=str(row["id"]),
                    name=row["name"],
                    owner_id=str(row["owner_id"]),
                    stage_key=row["stage_key"],
                    status=Outcome.OPEN,
                    amount=row["amount"],
                    currency=row["currency"],
                    entered_stage_at=row["stage_entered_at"],
                    completed_milestones=frozenset(row["done"]),
                    close_date=row["close_date"],
                )
            )
        return by_process

    async def _learned_of(self, process: Process, rep_id: int | None) -> LearnedHistory:
        """Learned from every deal for the admin, from the rep's own deals for the rep."""
        found = self._learned.get((process.key, rep_id))
        if found is None:
            viewer = None if rep_id is None else Viewer(id=rep_id, name="", role=Role.REP, team_id=None)
            async with self.database.sessions() as session:
                found = await learned_history(session, process=process, today=datetime.now(UTC).date(), viewer=viewer)
            self._learned[(process.key, rep_id)] = found
        return found

    async def pipeline(self, connection: asyncpg.Connection, token: str, rep_id: int | None) -> dict[str, Any]:
        by_process = await self._open_deals(connection, token, rep_id)
        now = datetime.now(UTC)
        summaries = [
            (
                p,
                summarize_pipeline(
                    process=p, deals=by_process[p.key], durations=(await self._learned_of(p, rep_id)).durations, now=now
                ),
            )
            for p in self.definitions.processes
            if p.key in by_process
        ]
        return {
            "pipeline": {
                "stages": [
                    {
                        "stage": {"key": t.stage.key},
                        "count": t.count,
                        "currency": t.currency,
                        "amount": None if t.amount is None else str(t.amount),
                        "weightedAmount": None if t.weighted_amount is None else str(t.weighted_amount),
                    }
                    for _, s in summaries
                    for t in s.stages
                ],
                "blockedCount": sum(len(s.blocked) for _, s in summaries),
                "staleCount": sum(len(s.stale) for _, s in summaries),
                "strength": [
                    {"low": i / 5, "high": (i + 1) / 5, "count": sum(s.strength[i].count for _, s in summaries)}
                    for i in range(5)
                ],
            }
        }

    async def prioritized(self, connection: asyncpg.Connection, token: str, rep_id: int | None) -> dict[str, Any]:
        by_process = await self._open_deals(connection, token, rep_id)
        today = datetime.now(UTC).date()
        end = end_of_quarter(today)
        assessments = []
        for process in self.definitions.processes:
            learned = await self._learned_of(process, rep_id)
            assessments += [
                assess_deal(
                    process=process,
                    deal=deal,
                    durations=learned.durations,
                    today=today,
                    period_end=end,
                    learned_win_rates=learned.win_rates,
                )
                for deal in by_process.get(process.key, ())
            ]
        ranked = prioritize(assessments=assessments, today=today)
        return {
            "prioritizedDeals": {
                "deals": [
                    {
                        "rank": p.rank,
                        "expectedValue": str(p.assessment.expected_value),
                        "fits": p.assessment.fits,
                        "estimatedDaysToClose": p.assessment.estimate.days_to_close,
                        "reason": p.reason,
                    }
                    for p in ranked
                ]
            }
        }

    async def insights(self, connection: asyncpg.Connection, token: str, process_key: str) -> dict[str, Any]:
        assert await connection.fetchrow(VIEWER, hash_token(token)) is not None
        await connection.fetchrow(STAMP)
        process = self.definitions.process(process_key)
        assert process is not None
        found = self._insights.get(process_key)
        if found is None:
            async with self.database.sessions() as session:
                found = await process_statistics(session, process=process, deals=of_process(process, None))
            self._insights[process_key] = found
        rates = found.learned_win_rates()
        times = {t.stage.key: t for t in found.time_in_stage}
        lifts = {lift.milestone.key: lift for lift in found.lifts}
        return {
            "processInsights": {
                "stages": [
                    {
                        "entered": c.entered,
                        "conversionRate": c.rate,
                        "medianDaysInStage": times[c.stage.key].median_days,
                        "winRate": rates[c.stage.key].rate,
                    }
                    for c in found.conversions
                ],
                "milestones": [
                    {
                        "observedMedianDays": d.observed.median_days if d.observed else None,
                        "observations": d.observed.observations if d.observed else 0,
                        "lift": lifts[d.milestone.key].lift,
                    }
                    for d in found.milestone_durations
                ],
            }
        }
