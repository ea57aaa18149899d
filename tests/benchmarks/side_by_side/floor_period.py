"""The floor of the period-end views: the open deals and their completions in one hand-written statement
(for `pipeline`, counted by deal state in the database, and the stale deals per stage in a second one), the
same pure rules (`api.services.forecast`) with the same learned figures, and hand-built JSON. The learned
figures are read once per scope, as the API's warm cache holds them (a rep's from their own deals, as the API
learns them: `api.services.history.learned`); `processInsights` is the token, the history stamp and the cached
figures."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg

from api.db import Database
from api.db.models import Role
from api.process import Outcome, Process, ProcessDefinitions
from api.services.accounts.tokens import hash_token
from api.services.accounts.viewer import Viewer
from api.services.forecast.pipeline import stale_since, summarize_groups
from api.services.forecast.ranking import assess_deal, end_of_quarter, prioritize
from api.services.history.insights import ProcessInsights
from api.services.history.learned import LearnedHistory, learned_history
from api.services.history.records import DealSnapshot
from api.services.history.snapshots import OpenDealGroup
from api.services.history.sql import of_process
from api.services.history.statistics import process_statistics
from tests.benchmarks.side_by_side.floor import VIEWER

OPEN_DEALS = """
SELECT d.id, d.name, d.owner_id, d.stage_key, d.amount, d.currency, d.stage_entered_at, d.close_date, d.process_key,
       ARRAY(SELECT c.milestone_key FROM milestone_completions c WHERE c.deal_id = d.id) AS done
FROM deals d WHERE d.status = 'open'
"""
DEAL_GROUPS = """
SELECT process_key, stage_key, currency, done, count(*) AS count, sum(round(amount * 100)) AS cents FROM (
  SELECT d.process_key, d.stage_key, d.currency, d.amount,
         ARRAY(SELECT c.milestone_key FROM milestone_completions c WHERE c.deal_id = d.id ORDER BY 1) AS done
  FROM deals d WHERE d.status = 'open'{owner}
) open_deals GROUP BY 1, 2, 3, 4
"""
STALE = """
SELECT d.process_key, d.stage_key, count(*) AS count
FROM deals d JOIN unnest($1::text[], $2::text[], $3::timestamptz[]) AS late (process_key, stage_key, before)
  ON d.process_key = late.process_key AND d.stage_key = late.stage_key AND d.stage_entered_at < late.before
WHERE d.status = 'open'{owner} GROUP BY 1, 2
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
        """Counted by deal state in the database, as the API counts a pipeline that lists no deals."""
        assert await connection.fetchrow(VIEWER, hash_token(token)) is not None
        owner, arguments = ("", []) if rep_id is None else (" AND d.owner_id = $1", [rep_id])
        groups: dict[str, list[OpenDealGroup]] = defaultdict(list)
        for row in await connection.fetch(DEAL_GROUPS.format(owner=owner), *arguments):
            groups[row["process_key"]].append(
                OpenDealGroup(
                    process_key=row["process_key"],
                    stage_key=row["stage_key"],
                    completed_milestones=frozenset(row["done"]),
                    currency=row["currency"],
                    count=row["count"],
                    amount=Decimal(int(row["cents"])).scaleb(-2),
                )
            )
        now = datetime.now(UTC)
        processes = [p for p in self.definitions.processes if p.key in groups]
        durations = {p.key: (await self._learned_of(p, rep_id)).durations for p in processes}
        late = [
            (p.key, stage, before)
            for p in processes
            for stage, before in stale_since(p, durations=durations[p.key], now=now).items()
        ]
        owner, arguments = ("", []) if rep_id is None else (" AND d.owner_id = $4", [rep_id])
        stale = {
            (row["process_key"], row["stage_key"]): row["count"]
            for row in await connection.fetch(
                STALE.format(owner=owner), *(list(column) for column in zip(*late, strict=True)), *arguments
            )
        }
        summaries = [
            summarize_groups(
                process=p,
                groups=groups[p.key],
                stale_by_stage={stage: n for (key, stage), n in stale.items() if key == p.key},
                durations=durations[p.key],
            )
            for p in processes
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
                    for s in summaries
                    for t in s.stages
                ],
                "blockedCount": sum(s.blocked_count for s in summaries),
                "staleCount": sum(s.stale_count for s in summaries),
                "strength": [
                    {"low": i / 5, "high": (i + 1) / 5, "count": sum(s.strength[i].count for s in summaries)}
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
