"""The process as GraphQL types: thin views over the immutable process model."""

from __future__ import annotations

from enum import Enum

import strawberry

from api.graphql.core import fields
from api.graphql.core.context import Info_
from api.process import Competitor, ContentUse, Milestone, Objection, Play, Process, Stage


@strawberry.enum(description="Whether a stage is a working stage or a terminal one.")
class StageOutcome(Enum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


def guide_url(info: Info_, process: Process, stage: Stage, milestone: Milestone | None = None) -> str:
    page = f"{info.context.settings.guide_base_url}{process.key}/{stage.key}/"
    return page if milestone is None else f"{page}#{milestone.key}"


@strawberry.type(description="A battlecard objection and the answer to it.")
class ObjectionType:
    objection: str = strawberry.field(description="What the buyer says.")
    response: str = strawberry.field(description="What the rep answers.")

    @classmethod
    def of(cls, objection: Objection) -> ObjectionType:
        return cls(objection=objection.objection, response=objection.response)


@strawberry.type(name="Competitor", description="A competitor the buyer may weigh against us; the status quo is one.")
class CompetitorType:
    competitor: strawberry.Private[Competitor]

    @fields.field(description="Stable key, e.g. `status-quo`.")
    def key(self) -> str:
        return self.competitor.key

    @fields.field(description="Display name.")
    def name(self) -> str:
        return self.competitor.name

    @fields.field(description="True for the buyer doing nothing (or keeping what they have).")
    def is_status_quo(self) -> bool:
        return self.competitor.status_quo

    @fields.field(description="Who they are, in a sentence or two.")
    def summary(self) -> str:
        return self.competitor.summary

    @fields.field(description="Where we tend to win against them.")
    def when_we_win(self) -> list[str]:
        return list(self.competitor.when_we_win)

    @fields.field(description="Where they tend to win against us.")
    def when_they_win(self) -> list[str]:
        return list(self.competitor.when_they_win)

    @fields.field(description="Their strengths.")
    def strengths(self) -> list[str]:
        return list(self.competitor.strengths)

    @fields.field(description="Their weaknesses.")
    def weaknesses(self) -> list[str]:
        return list(self.competitor.weaknesses)

    @fields.field(description="Questions that expose their weak spots without naming them.")
    def landmines(self) -> list[str]:
        return list(self.competitor.landmines)

    @fields.field(description="Objections buyers raise when they are in the deal, with answers.")
    def objections(self) -> list[ObjectionType]:
        return [ObjectionType.of(o) for o in self.competitor.objections]

    @fields.field(description="Evidence that we beat them.")
    def proof_points(self) -> list[str]:
        return list(self.competitor.proof_points)


@strawberry.type(name="Content", description="Content a milestone calls for, and when to send it.")
class ContentType:
    use: strawberry.Private[ContentUse]

    @fields.field(description="The content library key.")
    def key(self) -> str:
        return self.use.content

    @fields.field(description="The title the buyer sees.")
    def title(self, info: Info_) -> str:
        item = info.context.definitions.content_item(self.use.content)
        return item.title if item else self.use.content

    @fields.field(description="Where the rep finds it, if it has a link.")
    def url(self, info: Info_) -> str | None:
        item = info.context.definitions.content_item(self.use.content)
        return item.url if item else None

    @fields.field(description="What sort of content it is, e.g. `case-study`.")
    def kind(self, info: Info_) -> str:
        item = info.context.definitions.content_item(self.use.content)
        return item.kind.value if item else "other"

    @fields.field(description="When in the milestone to send it.")
    def send_when(self) -> str:
        return self.use.send_when


@strawberry.type(name="Play", description="How to work a milestone when a given competitor is in the deal.")
class PlayType:
    play_model: strawberry.Private[Play]

    @fields.field(description="The competitor (or status quo) this play is against.")
    def competitor(self, info: Info_) -> CompetitorType:
        found = info.context.definitions.competitor(self.play_model.competitor)
        if found is None:
            raise LookupError(f"competitor {self.play_model.competitor!r} is not defined")
        return CompetitorType(competitor=found)

    @fields.field(description="What the rep does differently against this competitor at this milestone.")
    def play(self) -> str:
        return self.play_model.play

    @fields.field(description="Words the rep can use, if any.")
    def talk_track(self) -> str | None:
        return self.play_model.talk_track


@strawberry.type(name="Milestone", description="One verifiable step with the buyer inside a stage.")
class MilestoneType:
    process: strawberry.Private[Process]
    stage_model: strawberry.Private[Stage]
    milestone: strawberry.Private[Milestone]

    @fields.field(description="Stable key, e.g. `finance-sign-off`.")
    def key(self) -> str:
        return self.milestone.key

    @fields.field(description="Short title.")
    def title(self) -> str:
        return self.milestone.title

    @fields.field(description="Mandatory milestones are exit criteria: no deal enters a later stage without them.")
    def mandatory(self) -> bool:
        return self.milestone.mandatory

    @fields.field(description="How much the milestone counts toward deal strength, relative to the others.")
    def weight(self) -> int:
        return self.milestone.weight

    @fields.field(description="How many days the milestone typically takes.")
    def typical_days(self) -> int:
        return self.milestone.typical_days

    @fields.field(description="Why the milestone matters.")
    def why(self) -> str:
        return self.milestone.why

    @fields.field(description="The next step the rep asks the buyer for.")
    def ask(self) -> str | None:
        return self.milestone.ask

    @fields.field(description="Questions to ask the buyer.")
    def questions(self) -> list[str]:
        return list(self.milestone.questions)

    @fields.field(description="Activities to do.")
    def activities(self) -> list[str]:
        return list(self.milestone.activities)

    @fields.field(description="Content to send, and when.")
    def content(self) -> list[ContentType]:
        return [ContentType(use=use) for use in self.milestone.content]

    @fields.field(description="Plays against each competitor and the status quo.")
    def plays(self) -> list[PlayType]:
        return [PlayType(play_model=play) for play in self.milestone.plays]

    @fields.field(description="Keys this milestone had before a rename.")
    def formerly(self) -> list[str]:
        return list(self.milestone.formerly)

    @fields.field(description="The stage the milestone belongs to.")
    def stage(self) -> StageType:
        return StageType(process=self.process, stage=self.stage_model)

    @fields.field(description="The milestone's section on its stage page in the guidebook.")
    def guide_url(self, info: Info_) -> str:
        return guide_url(info, self.process, self.stage_model, self.milestone)

    @classmethod
    def of(cls, process: Process, milestone: Milestone) -> MilestoneType:
        stage = process.stage_of(milestone.key)
        if stage is None:
            raise LookupError(f"milestone {milestone.key!r} is not in process {process.key!r}")
        return cls(process=process, stage_model=stage, milestone=milestone)


@strawberry.type(name="Stage", description="A step of the process with an objective; closed won and lost are terminal.")
class StageType:
    process: strawberry.Private[Process]
    stage: strawberry.Private[Stage]

    @fields.field(description="Stable key, e.g. `commit`.")
    def key(self) -> str:
        return self.stage.key

    @fields.field(description="Display name.")
    def name(self) -> str:
        return self.stage.name

    @fields.field(description="What must be true for a deal to be in this stage.")
    def objective(self) -> str:
        return self.stage.objective

    @fields.field(description="0-based position in the process.")
    def position(self) -> int:
        return self.process.position(self.stage.key)

    @fields.field(description="Forecast probability of winning a deal in this stage, 0 to 1.")
    def probability(self) -> float:
        return self.stage.probability

    @fields.field(description="OPEN for a working stage, WON or LOST for the terminal ones.")
    def outcome(self) -> StageOutcome:
        return StageOutcome(self.stage.outcome.value)

    @fields.field(description="The stage's milestones, in order.")
    def milestones(self) -> list[MilestoneType]:
        return [MilestoneType(process=self.process, stage_model=self.stage, milestone=m) for m in self.stage.milestones]

    @fields.field(description="The stage's page in the guidebook.")
    def guide_url(self, info: Info_) -> str:
        return guide_url(info, self.process, self.stage)


@strawberry.type(name="Process", description="A sales process: ordered stages and their milestones.")
class ProcessType:
    process: strawberry.Private[Process]

    @fields.field(description="Stable key, e.g. `new-business`.")
    def key(self) -> str:
        return self.process.key

    @fields.field(description="Display name.")
    def name(self) -> str:
        return self.process.name

    @fields.field(description="What the process is for.")
    def description(self) -> str:
        return self.process.description

    @fields.field(description="Bumped when the process changes in a way reps should notice.")
    def version(self) -> str:
        return self.process.version

    @fields.field(description="The stages, in order: open stages, then won and lost.")
    def stages(self) -> list[StageType]:
        return [StageType(process=self.process, stage=s) for s in self.process.stages]

    @fields.field(description="The stage new deals start in.")
    def entry_stage(self) -> StageType:
        return StageType(process=self.process, stage=self.process.first_stage)

    @fields.field(description="More milestones than this in one stage is a lint warning.")
    def milestone_limit(self) -> int:
        return self.process.milestone_limit

