"""How many items each list field of the schema may hold, for the cost of a document (`api.graphql.core.cost`).

Lists of process content are as long as the loaded definitions make them (the most stages of any process,
the most milestones of any stage, ...), so the cost of reading the playbook is exact. Lists of recorded work
have a declared size: what a deal page or board meets in practice, not a hard maximum. A list that holds
more than declared is still stopped by the response size and time limits. Lists with a `first` argument
count as many items as `first` asks for (or its default), up to its cap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from api.process import ProcessDefinitions

UNDECLARED = 100
"""The size of a list field declared nowhere below."""

PAGE_CAPS: Mapping[str, int] = {
    "Query.deals": 100,
    "Pipeline.blocked": 500,
    "Pipeline.stale": 500,
    "ProcessPipeline.blocked": 500,
    "ProcessPipeline.stale": 500,
}
"""The most a `first` argument is served up to, by field; `UNDECLARED` for another field with `first`."""

RECORDED: Mapping[str, int] = {
    "Deal.history": 30,
    "DealEvent.changes": 10,
    "Pipeline.strength": 5,
    "ProcessPipeline.strength": 5,
    "PipelineStage.amounts": 10,
    "PipelineStage.weightedAmounts": 10,
    "PrioritizedDeals.deals": 500,
    "QuotaPlan.deals": 500,
    "QuotaPlan.otherCurrencyDeals": 100,
    "ProcessInsights.overrides": 100,
    "ProcessDefinitionsInvalid.problems": 100,
    "ReloadProcessDefinitionsSuccess.warnings": 100,
}
"""Lists of recorded work or of problems found: the size a request is expected to meet."""

_PER_PROCESS_MILESTONES = (
    "Deal.milestones",
    "Deal.remainingMilestones",
    "Deal.nextSteps",
    "Deal.blockers",
    "BlockedDeal.missingMilestones",
    "StageGateBlocked.missingMilestones",
    "MoveDealSuccess.overriddenMilestones",
    "DealEvent.skippedMilestones",
    "DealEvent.skippedMilestoneKeys",
    "GateOverrideInsight.skippedMilestones",
    "GateOverrideInsight.skippedMilestoneKeys",
    "CloseEstimate.remainingMilestones",
    "CloseEstimate.criticalPath",
    "PrioritizedDeal.remainingMilestones",
    "ProcessInsights.milestones",
)
_COMPETITOR_LISTS = (
    "Competitor.whenWeWin",
    "Competitor.whenTheyWin",
    "Competitor.strengths",
    "Competitor.weaknesses",
    "Competitor.landmines",
    "Competitor.objections",
    "Competitor.proofPoints",
)


@dataclass(frozen=True, slots=True)
class ListSizes:
    """Items per list field, by `Type.field`."""

    by_field: Mapping[str, int]

    def of(self, type_name: str, field_name: str) -> int:
        return self.by_field.get(f"{type_name}.{field_name}", UNDECLARED)


def list_sizes(definitions: ProcessDefinitions | None) -> ListSizes:
    """The sizes for `definitions` (None: only the declared sizes, every definition list `UNDECLARED`)."""
    sizes = dict(RECORDED)
    if definitions is not None:
        sizes.update(_definition_sizes(definitions))
    return ListSizes(by_field=sizes)


def _definition_sizes(definitions: ProcessDefinitions) -> dict[str, int]:
    processes = definitions.processes
    stages = [s for p in processes for s in p.stages]
    milestones = [m for s in stages for m in s.milestones]
    most_stages = max((len(p.stages) for p in processes), default=0)
    most_milestones = max((len(p.milestones) for p in processes), default=0)
    most_plays = max((len(m.plays) for m in milestones), default=0)
    sizes = {
        "Query.processes": len(processes),
        "ReloadProcessDefinitionsSuccess.processes": len(processes),
        "Pipeline.processes": len(processes),
        "Query.competitors": len(definitions.competitors),
        "Deal.competitors": len(definitions.competitors),
        "Process.stages": most_stages,
        "Pipeline.stages": most_stages,
        "ProcessPipeline.stages": most_stages,
        "ProcessInsights.stages": most_stages,
        "Stage.milestones": max((len(s.milestones) for s in stages), default=0),
        "Milestone.questions": max((len(m.questions) for m in milestones), default=0),
        "Milestone.activities": max((len(m.activities) for m in milestones), default=0),
        "Milestone.content": max((len(m.content) for m in milestones), default=0),
        "Milestone.plays": most_plays,
        "Milestone.formerly": max((len(m.formerly) for m in milestones), default=0),
        "Deal.plays": most_milestones * most_plays,
    }
    sizes.update(dict.fromkeys(_PER_PROCESS_MILESTONES, most_milestones))
    for field in _COMPETITOR_LISTS:
        attribute = _snake_case(field.partition(".")[2])
        sizes[field] = max((len(getattr(c, attribute)) for c in definitions.competitors), default=0)
    return sizes


def _snake_case(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
