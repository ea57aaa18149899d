"""Deals as GraphQL types. DB-backed relations go through the request's DataLoaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import TypeVar

import strawberry

from api.graphql.accounts.types import UserType, resolve_user
from api.graphql.core import fields
from api.graphql.core.context import Info_
from api.graphql.core.enums import member_by_value
from api.graphql.core.ids import to_global_id
from api.graphql.core.loaded import Resolved, then
from api.graphql.core.node import Node
from api.graphql.core.views import ViewCache
from api.graphql.deals.checklist import DealMilestone, DealPlay
from api.graphql.deals.estimates import CloseEstimateType
from api.graphql.deals.events import DealEventType
from api.graphql.deals.loaders import (
    COMPETITORS,
    COMPLETIONS,
    COMPLETIONS_AND_COMPETITORS,
    EVENTS,
    OWNER,
    STRENGTH,
    CompetitorKeysByDealIdLoader,
    CompletionsByDealIdLoader,
    EventsByDealIdLoader,
)
from api.graphql.process.loaders import LearnedHistoryByProcessKeyLoader
from api.graphql.process.types import CompetitorType, MilestoneType, PlayType, ProcessType, StageType
from api.process import Outcome, Process
from api.services.deals import state as deal_state
from api.services.deals.progress import DealProgress, progress_of
from api.services.deals.queries import CompletionRecord, DealRow, EventRecord
from api.services.forecast.days_to_close import estimate_days_to_close
from api.services.forecast.pipeline import STALE_FACTOR, StagePace, stage_pace
from api.services.history.snapshots import snapshot_of

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class MilestoneViews:
    """The milestone lists of a deal's progress, as views: built once per progress, which every deal in the same
    state shares, so their tuples are the same objects for all of them and the executor completes each once per
    request (`_items_once` in `api.graphql.core.execution`)."""

    remaining: tuple[MilestoneType, ...]
    next_steps: tuple[MilestoneType, ...]
    blockers: tuple[MilestoneType, ...]


def milestone_views(progress: DealProgress) -> MilestoneViews:
    def build() -> MilestoneViews:
        process, gate = progress.process, progress.gate
        return MilestoneViews(
            remaining=tuple(MilestoneType.of(process, m) for m in progress.remaining),
            next_steps=tuple(MilestoneType.of(process, m) for m in progress.next_steps),
            blockers=() if gate is None else tuple(MilestoneType.of(process, m) for m in gate.missing),
        )

    return _milestone_views.get((progress,), build)


_milestone_views: ViewCache[MilestoneViews] = ViewCache(limit=20_000)


@strawberry.enum(description="Whether a deal is still being worked, won or lost.")
class DealStatus(Enum):
    _value_: str  # for mypy: `enum_value` members still have their string as value

    OPEN = strawberry.enum_value("open", description="Still being worked.")
    WON = strawberry.enum_value("won", description="Closed won.")
    LOST = strawberry.enum_value("lost", description="Closed lost.")


_status = member_by_value(DealStatus)


@strawberry.type(name="Deal", description="A sales opportunity moving through a process.")
class DealType(Node):
    row: strawberry.Private[DealRow]
    memo: strawberry.Private[DealProgress | None] = None
    """The deal's progress, computed by the first field that needs it and reused by the others."""

    id: strawberry.ID = fields.filled(description="The global ID.")
    name: str = fields.filled(description="The deal's name.")
    account_name: str = fields.filled(description="The buyer's company.")
    amount: Decimal = fields.filled(description="Contract value.")
    currency: str = fields.filled(description="ISO 4217 currency code of the amount.")
    close_date: date = fields.filled(description="Expected close date.")

    def __post_init__(self) -> None:
        row = self.row
        self.id = to_global_id("Deal", row.id)
        self.name, self.account_name, self.amount, self.currency = row.name, row.account_name, row.amount, row.currency
        self.close_date = row.close_date

    @fields.field(description="The rep who owns the deal.", graphql_type=UserType, reads=OWNER)
    def owner(self, info: Info_) -> Resolved[UserType]:
        return resolve_user(info, self.row.owner_id)

    @fields.field(description="The process the deal follows.")
    def process(self, info: Info_) -> ProcessType:
        return ProcessType.of(self._process(info))

    @fields.field(description="The stage the deal is in.")
    def stage(self, info: Info_) -> StageType:
        process = self._process(info)
        stage = process.stage(self.row.stage_key)
        if stage is None:
            raise LookupError(f"stage {self.row.stage_key!r} is not in process {process.key!r}")
        return StageType.of(process, stage)

    @fields.field(description="OPEN, WON or LOST.")
    def status(self) -> DealStatus:
        return _status(self.row.status)

    @fields.field(
        description="Every milestone of the process, in order, with what the deal has done.",
        graphql_type=list[DealMilestone],
        reads=COMPLETIONS,
    )
    def milestones(self, info: Info_) -> Resolved[list[DealMilestone]]:
        process = self._process(info)

        def listed(completions: list[CompletionRecord]) -> list[DealMilestone]:
            by_key = {process.canonical_milestone_key(c.milestone_key): c for c in completions}
            return [
                DealMilestone(deal_id=self.row.id, milestone=MilestoneType.of(process, m), completion=by_key.get(m.key))
                for m in process.milestones
            ]

        return then(CompletionsByDealIdLoader.of(info.context), self.row.id, listed)

    @fields.field(
        description="What is left to close, in process order.", graphql_type=list[MilestoneType], reads=COMPLETIONS
    )
    def remaining_milestones(self, info: Info_) -> Resolved[tuple[MilestoneType, ...]]:
        return self._from_progress(info, lambda p: milestone_views(p).remaining)

    @fields.field(
        description="The current stage's open milestones, mandatory first; each has its ask.",
        graphql_type=list[MilestoneType],
        reads=COMPLETIONS,
    )
    def next_steps(self, info: Info_) -> Resolved[tuple[MilestoneType, ...]]:
        return self._from_progress(info, lambda p: milestone_views(p).next_steps)

    @fields.field(description="The stage the deal would advance into (the won stage from the last open one).")
    def next_stage(self, info: Info_) -> StageType | None:
        process = self._process(info)
        stage = deal_state.next_stage(process, self.row.stage_key)
        return None if stage is None else StageType.of(process, stage)

    @fields.field(
        description="Mandatory milestones missing to enter the next stage, in process order.",
        graphql_type=list[MilestoneType],
        reads=COMPLETIONS,
    )
    def blockers(self, info: Info_) -> Resolved[tuple[MilestoneType, ...]]:
        return self._from_progress(info, lambda p: milestone_views(p).blockers)

    @fields.field(
        description="Whether the deal is open and may enter its next stage now.", graphql_type=bool, reads=COMPLETIONS
    )
    def can_advance(self, info: Info_) -> Resolved[bool]:
        return self._from_progress(info, lambda p: p.gate is not None and p.gate.passed)

    @fields.field(
        description="Completed weight over the total weight of the stages reached so far, 0 to 1.",
        graphql_type=float,
        reads=STRENGTH,
    )
    def strength(self, info: Info_) -> Resolved[float]:
        if self.row.status != Outcome.LOST:
            return self._from_progress(info, lambda p: p.strength)

        def lost(progress: DealProgress) -> Resolved[float]:
            return then(
                EventsByDealIdLoader.of(info.context),
                self.row.id,
                lambda events: progress.strength_if_lost_from(deal_state.stage_lost_from(events)),
            )

        return self._from_progress(info, lost)

    @fields.field(
        description="Days to close, exactly as `prioritizedDeals` and `pipeline` estimate it (see `closeEstimate`).",
        reads=COMPLETIONS,
    )
    async def estimated_days_to_close(self, info: Info_) -> int:
        return (await self._close_estimate(info)).estimate.days_to_close

    @fields.field(
        description="The estimate behind `estimatedDaysToClose`: remaining mandatory milestones, each with the "
        "duration used and where it came from (observed or typical days).",
        reads=COMPLETIONS,
    )
    async def close_estimate(self, info: Info_) -> CloseEstimateType:
        return await self._close_estimate(info)

    @fields.field(
        description=f"Days after which the deal is stale in its stage: {STALE_FACTOR} × the stage's longest mandatory "
        "milestone (observed median once it has enough observations, else typical days), rounded up; null when "
        "closed or when the stage has no milestones."
    )
    async def expected_days_in_stage(self, info: Info_) -> int | None:
        return (await self._pace(info)).expected_days

    @fields.field(description="Whether the deal has been in its stage longer than `expectedDaysInStage`.")
    async def stale(self, info: Info_) -> bool:
        return (await self._pace(info)).stale

    @fields.field(
        description="Whether the deal is open and fails the gate into its next stage (see `blockers`).",
        graphql_type=bool,
        reads=COMPLETIONS,
    )
    def blocked(self, info: Info_) -> Resolved[bool]:
        return self._from_progress(info, lambda p: p.gate is not None and not p.gate.passed)

    @fields.field(
        description="Competitors the buyer is weighing against us.",
        graphql_type=list[CompetitorType],
        reads=COMPETITORS,
    )
    def competitors(self, info: Info_) -> Resolved[list[CompetitorType]]:
        definitions = info.context.definitions

        def listed(keys: list[str]) -> list[CompetitorType]:
            return [CompetitorType.of(c) for c in map(definitions.competitor, keys) if c is not None]

        return then(CompetitorKeysByDealIdLoader.of(info.context), self.row.id, listed)

    @fields.field(
        description="Plays for the deal's competitors and the status quo on its remaining milestones.",
        graphql_type=list[DealPlay],
        reads=COMPLETIONS_AND_COMPETITORS,
    )
    def plays(self, info: Info_) -> Resolved[list[DealPlay]]:
        definitions = info.context.definitions

        def listed(progress: DealProgress, keys: list[str]) -> list[DealPlay]:
            process = progress.process
            return [
                DealPlay(
                    deal_id=self.row.id,
                    milestone=MilestoneType.of(process, p.milestone),
                    play=PlayType.of(process, p.milestone, p.play),
                )
                for p in progress.plays(definitions, keys)
            ]

        competitor_keys = CompetitorKeysByDealIdLoader.of(info.context)
        return self._from_progress(
            info, lambda progress: then(competitor_keys, self.row.id, lambda keys: listed(progress, keys))
        )

    @fields.field(
        description="Everything that happened to the deal, oldest first.",
        graphql_type=list[DealEventType],
        reads=EVENTS,
    )
    def history(self, info: Info_) -> Resolved[list[DealEventType]]:
        process = self._process(info)

        def listed(events: list[EventRecord]) -> list[DealEventType]:
            return [DealEventType(row=event, process=process) for event in events]

        return then(EventsByDealIdLoader.of(info.context), self.row.id, listed)

    @fields.field(description="When the deal entered its current stage.")
    def stage_entered_at(self) -> datetime:
        return self.row.stage_entered_at

    @fields.field(description="Whole days since the deal entered its current stage.")
    def days_in_stage(self) -> int:
        return (datetime.now(UTC) - self.row.stage_entered_at).days

    @fields.field(description="Increases with every change; pass it as `expectedVersion` to update safely.")
    def version(self) -> int:
        return self.row.version

    @fields.field(description="When the deal was created.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @fields.field(description="When the deal last changed.")
    def updated_at(self) -> datetime:
        return self.row.updated_at

    def _process(self, info: Info_) -> Process:
        process = info.context.definitions.process(self.row.process_key)
        if process is None:
            raise LookupError(f"process {self.row.process_key!r} is no longer defined")
        return process

    def _from_progress(self, info: Info_, compute: Callable[[DealProgress], Resolved[T]]) -> Resolved[T]:
        """`compute` over the deal's progress: now when its completions are loaded, else once they are."""

        if self.memo is not None:  # an earlier field of this deal computed it
            return compute(self.memo)

        def progressed(completions: list[CompletionRecord]) -> Resolved[T]:
            return compute(self._progress_of(info, completions))

        return then(CompletionsByDealIdLoader.of(info.context), self.row.id, progressed)

    def _progress_of(self, info: Info_, completions: list[CompletionRecord]) -> DealProgress:
        if self.memo is None:
            self.memo = progress_of(
                self._process(info), self.row.stage_key, tuple(c.milestone_key for c in completions)
            )
        return self.memo

    async def _progress(self, info: Info_) -> DealProgress:
        completions = await CompletionsByDealIdLoader.of(info.context).load(self.row.id)
        return self._progress_of(info, completions)

    async def _close_estimate(self, info: Info_) -> CloseEstimateType:
        progress = await self._progress(info)
        process = progress.process
        learned = await LearnedHistoryByProcessKeyLoader.of(info.context).load(process.key)
        snapshot = snapshot_of(self.row, completed=progress.completed_keys)
        estimate = estimate_days_to_close(process=process, deal=snapshot, durations=learned.durations)
        return CloseEstimateType(estimate=estimate, process=process)

    async def _pace(self, info: Info_) -> StagePace:
        process = self._process(info)
        learned = await LearnedHistoryByProcessKeyLoader.of(info.context).load(process.key)
        snapshot = snapshot_of(self.row, completed=())
        return stage_pace(process, snapshot, durations=learned.durations, now=datetime.now(UTC))
