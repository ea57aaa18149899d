"""The process as GraphQL types: views over the immutable process model, built once per model object
(`api/graphql/core/views.py`). What a view knows when it is built is a plain field; only what needs the
request (settings, the content library, competitors by key) is a resolver.

Every view has a global ID (`api/graphql/core/ids.py`) that names it by keys alone, so `node(id)` finds it again
and a client's cache never merges two processes' `commit` stages."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

import strawberry

from api.graphql.core import fields
from api.graphql.core.context import Info_
from api.graphql.core.ids import content_id, first_key
from api.graphql.core.node import Node
from api.graphql.core.views import ViewCache
from api.graphql.process.versions import ProcessVersionType
from api.process import Competitor, ContentUse, Milestone, Objection, Play, Process, Stage, guide_urls


@strawberry.enum(description="Whether a stage is a working stage or a terminal one.")
class StageOutcome(Enum):
    OPEN = strawberry.enum_value("open", description="A working stage; deals in it are open.")
    WON = strawberry.enum_value("won", description="Terminal: the deal is won.")
    LOST = strawberry.enum_value("lost", description="Terminal: the deal is lost.")


def guide_url(info: Info_, process: Process, stage: Stage, milestone: Milestone | None = None) -> str:
    """The stage page, or a milestone's section on it."""
    base = info.context.settings.guide_base_url
    return guide_urls.guide_url(base, process.key, stage.key, None if milestone is None else milestone.key)


def process_guide_url(info: Info_, process: Process) -> str:
    return guide_urls.process_url(info.context.settings.guide_base_url, process.key)


def battlecard_url(info: Info_, competitor: Competitor) -> str:
    return guide_urls.battlecard_url(info.context.settings.guide_base_url, competitor.key)


@strawberry.type(name="Objection", description="A battlecard objection and the answer to it.")
class ObjectionType:
    objection: str = strawberry.field(description="What the buyer says.")
    response: str = strawberry.field(description="What the rep answers.")

    @classmethod
    def of(cls, objection: Objection) -> ObjectionType:
        return cls(objection=objection.objection, response=objection.response)


@strawberry.type(name="Competitor", description="A competitor the buyer may weigh against us; the status quo is one.")
class CompetitorType(Node):
    competitor: strawberry.Private[Competitor]
    id: strawberry.ID = fields.filled(description="The global ID, from the competitor's key.")
    key: str = fields.filled(description="Stable key, e.g. `status-quo`.")
    name: str = fields.filled(description="Display name.")
    is_status_quo: bool = fields.filled(description="True for the buyer doing nothing (or keeping what they have).")
    summary: str = fields.filled(description="Who they are, in a sentence or two.")
    when_we_win: list[str] = fields.filled(description="Where we tend to win against them.")
    when_they_win: list[str] = fields.filled(description="Where they tend to win against us.")
    strengths: list[str] = fields.filled(description="Their strengths.")
    weaknesses: list[str] = fields.filled(description="Their weaknesses.")
    landmines: list[str] = fields.filled(description="Questions that expose their weak spots without naming them.")
    objections: list[ObjectionType] = fields.filled(
        description="Objections buyers raise when they are in the deal, with answers."
    )
    proof_points: list[str] = fields.filled(description="Evidence that we beat them.")

    def __post_init__(self) -> None:
        c = self.competitor
        self.id = content_id("Competitor", c.key)
        self.key, self.name, self.is_status_quo, self.summary = c.key, c.name, c.status_quo, c.summary
        self.when_we_win, self.when_they_win = list(c.when_we_win), list(c.when_they_win)
        self.strengths, self.weaknesses, self.landmines = list(c.strengths), list(c.weaknesses), list(c.landmines)
        self.objections = [ObjectionType.of(o) for o in c.objections]
        self.proof_points = list(c.proof_points)

    @fields.field(description="The competitor's battlecard in the guidebook.")
    def guide_url(self, info: Info_) -> str:
        return battlecard_url(info, self.competitor)

    @classmethod
    def of(cls, competitor: Competitor) -> CompetitorType:
        return _competitors.get((competitor,), lambda: cls(competitor=competitor))


@strawberry.type(
    name="Content",
    description="Content a milestone calls for, and when to send it: one use of a library item, so its ID names "
    "the milestone too (the same item may be sent at different moments of different milestones).",
)
class ContentType(Node):
    use: strawberry.Private[ContentUse]
    milestone_id: strawberry.Private[tuple[str, str]]
    """The process key and the milestone's first key."""
    occurrence: strawberry.Private[int] = 1
    """1 for the item's first use in the milestone, 2 for a second use of the same item, ..."""
    id: strawberry.ID = fields.filled(description="The global ID, from the milestone's and the item's keys.")
    key: str = fields.filled(description="The content library key.")

    def __post_init__(self) -> None:
        self.key = self.use.content
        again = () if self.occurrence == 1 else (str(self.occurrence),)
        self.id = content_id("Content", *self.milestone_id, self.use.content, *again)

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
    def send_when(self) -> str:  # a resolver only to keep its place after `kind` in the schema
        return self.use.send_when


def _play_competitor(root: strawberry.Parent[PlayType], info: Info_) -> CompetitorType:
    found = info.context.definitions.competitor(root.play_model.competitor)
    if found is None:
        raise LookupError(f"competitor {root.play_model.competitor!r} is not defined")
    return CompetitorType.of(found)


@strawberry.type(name="Play", description="How to work a milestone when a given competitor is in the deal.")
class PlayType(Node):
    play_model: strawberry.Private[Play]
    milestone_id: strawberry.Private[tuple[str, str]]
    """The process key and the milestone's first key."""
    id: strawberry.ID = fields.filled(description="The global ID, from the milestone's and the competitor's keys.")
    competitor: CompetitorType = strawberry.field(
        resolver=_play_competitor, description="The competitor (or status quo) this play is against."
    )
    play: str = fields.filled(description="What the rep does differently against this competitor at this milestone.")
    talk_track: str | None = fields.filled(description="Words the rep can use, if any.")

    def __post_init__(self) -> None:
        self.id = content_id("Play", *self.milestone_id, self.play_model.competitor)
        self.play, self.talk_track = self.play_model.play, self.play_model.talk_track

    @classmethod
    def of(cls, process: Process, milestone: Milestone, play: Play) -> PlayType:
        return _plays.get(
            (process, milestone, play), lambda: cls(play_model=play, milestone_id=_named(process, milestone))
        )


@strawberry.type(name="Milestone", description="One verifiable step with the buyer inside a stage.")
class MilestoneType(Node):
    process: strawberry.Private[Process]
    stage_model: strawberry.Private[Stage]
    milestone: strawberry.Private[Milestone]
    id: strawberry.ID = fields.filled(
        description="The global ID: unique across processes, and kept when the key is renamed through `formerly`."
    )
    key: str = fields.filled(description="Stable key, e.g. `finance-sign-off`; unique within its process only.")
    title: str = fields.filled(description="Short title.")
    mandatory: bool = fields.filled(
        description="Mandatory milestones are exit criteria: no deal enters a later stage without them."
    )
    weight: int = fields.filled(
        description="How much the milestone counts toward deal strength, relative to the others."
    )
    typical_days: int = fields.filled(description="How many days the milestone typically takes.")
    why: str = fields.filled(description="Why the milestone matters.")
    ask: str | None = fields.filled(description="The next step the rep asks the buyer for.")
    questions: list[str] = fields.filled(description="Questions to ask the buyer.")
    activities: list[str] = fields.filled(description="Activities to do.")
    content: list[ContentType] = fields.filled(description="Content to send, and when.")
    plays: list[PlayType] = fields.filled(description="Plays against each competitor and the status quo.")
    formerly: list[str] = fields.filled(description="Keys this milestone had before a rename.")

    def __post_init__(self) -> None:
        m, named = self.milestone, _named(self.process, self.milestone)
        self.id = content_id("Milestone", *named)
        self.key, self.title, self.mandatory, self.weight = m.key, m.title, m.mandatory, m.weight
        self.typical_days, self.why, self.ask = m.typical_days, m.why, m.ask
        self.questions, self.activities = list(m.questions), list(m.activities)
        self.content = _content_uses(named, m.content)
        self.plays = [PlayType.of(self.process, m, play) for play in m.plays]
        self.formerly = list(m.formerly)

    @fields.field(description="The stage the milestone belongs to.")
    def stage(self) -> StageType:
        return StageType.of(self.process, self.stage_model)

    @fields.field(description="The milestone's section on its stage page in the guidebook.")
    def guide_url(self, info: Info_) -> str:
        return guide_url(info, self.process, self.stage_model, self.milestone)

    @classmethod
    def of(cls, process: Process, milestone: Milestone) -> MilestoneType:
        return _milestones.get((process, milestone), lambda: cls._build(process, milestone))

    @classmethod
    def all_of(cls, process: Process, keys: Iterable[str]) -> list[MilestoneType]:
        """The milestones with these keys (current or former), in the given order; keys no longer known are left out."""
        return [cls.of(process, m) for m in map(process.milestone, keys) if m is not None]

    @classmethod
    def _build(cls, process: Process, milestone: Milestone) -> MilestoneType:
        stage = process.stage_of(milestone.key)
        if stage is None:
            raise LookupError(f"milestone {milestone.key!r} is not in process {process.key!r}")
        return cls(process=process, stage_model=stage, milestone=milestone)


@strawberry.type(name="Stage", description="A step of the process with an objective; closed won and lost are terminal.")
class StageType(Node):
    process_model: strawberry.Private[Process]
    stage: strawberry.Private[Stage]
    id: strawberry.ID = fields.filled(
        description="The global ID: unique across processes (both shipped processes have a `commit` stage), and kept "
        "when the key is renamed through `formerly`."
    )
    key: str = fields.filled(description="Stable key, e.g. `commit`; unique within its process only.")
    name: str = fields.filled(description="Display name.")
    objective: str = fields.filled(description="What must be true for a deal to be in this stage.")
    position: int = fields.filled(description="0-based position in the process.")
    probability: float = fields.filled(description="Forecast probability of winning a deal in this stage, 0 to 1.")
    outcome: StageOutcome = fields.filled(description="OPEN for a working stage, WON or LOST for the terminal ones.")
    milestones: list[MilestoneType] = fields.filled(description="The stage's milestones, in order.")

    def __post_init__(self) -> None:
        s, process = self.stage, self.process_model
        self.id = content_id("Stage", process.key, first_key(s.key, s.formerly))
        self.key, self.name, self.objective, self.probability = s.key, s.name, s.objective, s.probability
        self.position = process.position(s.key)
        self.outcome = StageOutcome(s.outcome.value)
        self.milestones = [MilestoneType.of(process, m) for m in s.milestones]

    @fields.field(description="The stage's page in the guidebook.")
    def guide_url(self, info: Info_) -> str:
        return guide_url(info, self.process_model, self.stage)

    @fields.field(description="The process the stage belongs to.")
    def process(self) -> ProcessType:
        return ProcessType.of(self.process_model)

    @classmethod
    def of(cls, process: Process, stage: Stage) -> StageType:
        return _stages.get((process, stage), lambda: cls(process_model=process, stage=stage))


@strawberry.type(name="Process", description="A sales process: ordered stages and their milestones.")
class ProcessType(Node):
    process: strawberry.Private[Process]
    id: strawberry.ID = fields.filled(description="The global ID, from the process's key.")
    key: str = fields.filled(description="Stable key, e.g. `new-business`.")
    name: str = fields.filled(description="Display name.")
    description: str = fields.filled(description="What the process is for.")
    version: str = fields.filled(description="Bumped when the process changes in a way reps should notice.")
    stages: list[StageType] = fields.filled(description="The stages, in order: open stages, then won and lost.")
    entry_stage: StageType = fields.filled(description="The stage new deals start in.")
    milestone_limit: int = fields.filled(description="More milestones than this in one stage is a lint warning.")

    def __post_init__(self) -> None:
        p = self.process
        self.id = content_id("Process", p.key)
        self.key, self.name, self.description, self.version = p.key, p.name, p.description, p.version
        self.stages = [StageType.of(p, s) for s in p.stages]
        self.entry_stage = StageType.of(p, p.first_stage)
        self.milestone_limit = p.milestone_limit

    @fields.field(description="The process's home page in the guidebook.")
    def guide_url(self, info: Info_) -> str:
        return process_guide_url(info, self.process)

    @fields.field(
        description="The published version served, which every server serves (`version` is the label the files "
        "give; this is the version's number, hash and date)."
    )
    def published_version(self, info: Info_) -> ProcessVersionType:
        return ProcessVersionType.of(info.context.published)

    @classmethod
    def of(cls, process: Process) -> ProcessType:
        return _processes.get((process,), lambda: cls(process=process))


def _content_uses(milestone_id: tuple[str, str], uses: Iterable[ContentUse]) -> list[ContentType]:
    seen: dict[str, int] = {}
    views = []
    for use in uses:
        seen[use.content] = seen.get(use.content, 0) + 1
        views.append(ContentType(use=use, milestone_id=milestone_id, occurrence=seen[use.content]))
    return views


def _named(process: Process, milestone: Milestone) -> tuple[str, str]:
    """What names a milestone in IDs: its process's key and its first key."""
    return process.key, first_key(milestone.key, milestone.formerly)


_competitors: ViewCache[CompetitorType] = ViewCache()
_plays: ViewCache[PlayType] = ViewCache()
_milestones: ViewCache[MilestoneType] = ViewCache()
_stages: ViewCache[StageType] = ViewCache()
_processes: ViewCache[ProcessType] = ViewCache()
