"""The process model: typed, immutable objects parsed once from `process_definitions/`.

Field descriptions double as the editor help in the generated JSON Schema, so they are
written for enablement staff, not for programmers.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from functools import cached_property
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

Key = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=1, max_length=64),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=24)]


class Outcome(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class ContentKind(StrEnum):
    """What sort of content an item is. The list is fixed: the API and the guidebook label content with it."""

    CASE_STUDY = "case-study"
    CALCULATOR = "calculator"
    CHECKLIST = "checklist"
    DECK = "deck"
    DEMO = "demo"
    EMAIL = "email"
    GUIDE = "guide"
    ONE_PAGER = "one-pager"
    PROPOSAL = "proposal"
    REPORT = "report"
    TEMPLATE = "template"
    VIDEO = "video"
    OTHER = "other"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class ContentItem(_Model):
    """A piece of content a rep can send, kept once in the content library."""

    key: Key
    """A stable identifier: lower-case letters, digits and dashes (e.g. `finance-sign-off`).
    Recorded deal work refers to it; to rename, change the key and list the old one under `formerly`."""
    title: Text
    """What the buyer sees as the title."""
    kind: ContentKind = ContentKind.OTHER
    """What sort of content this is, one of: case-study, calculator, checklist, deck, demo, email, guide,
    one-pager, proposal, report, template, video, other. The list is fixed; use `other` for anything else."""
    url: str | None = None
    """Where the rep finds it. Content without a link is a lint warning."""
    description: str | None = None
    """One or two sentences on what it says and who it is for."""


class ContentLibrary(_Model):
    """A file of content items, under `content/`."""

    content: tuple[ContentItem, ...] = Field(min_length=1)


class Objection(_Model):
    """Something buyers say against buying, and the rep's answer. List the most frequent first:
    a call sheet short of space keeps the first ones."""

    objection: Text
    """What the buyer says, in their words."""
    also_heard: tuple[Text, ...] = ()
    """Other ways buyers put the same objection (e.g. `We're happy with our spreadsheets`), so the
    guidebook's search finds the answer from the words the rep hears."""
    response: Text
    """What the rep answers."""


class Competitor(_Model):
    """A competitor's battlecard, one file each under `competitors/`. The status quo is one too."""

    key: Key
    """A stable identifier: lower-case letters, digits and dashes (e.g. `finance-sign-off`).
    Recorded deal work refers to it; to rename, change the key and list the old one under `formerly`."""
    name: Text
    """The full name, as the battlecard's title (e.g. `Veridane P2P Suite`)."""
    short_name: ShortText | None = None
    """A short label for tabs and buttons, 24 characters at most (e.g. `Veridane`); the full name when left out."""
    status_quo: StrictBool = False
    """True for the buyer doing nothing (or keeping what they have)."""
    summary: Text
    """Who they are, in a sentence or two."""
    when_we_win: tuple[Text, ...] = ()
    when_they_win: tuple[Text, ...] = ()
    strengths: tuple[Text, ...] = ()
    weaknesses: tuple[Text, ...] = ()
    landmines: tuple[Text, ...] = ()
    """Questions that expose their weak spots without naming them."""
    objections: tuple[Objection, ...] = ()
    """What buyers say when this competitor (or the status quo) is in the deal, most frequent first."""
    proof_points: tuple[Text, ...] = ()

    @property
    def label(self) -> str:
        """The short name where there is one, else the name."""
        return self.short_name or self.name


class ContentUse(_Model):
    """Content a milestone calls for, and when to send it."""

    content: Key
    """The key of an item in the content library."""
    send_when: Text
    """When in the milestone to send it, e.g. `after the discovery call`."""


class Play(_Model):
    """How to work a milestone when a given competitor (or the status quo) is in the deal."""

    competitor: Key
    """The key of a competitor under `competitors/`."""
    play: Text
    """What the rep does differently against this competitor at this milestone."""
    talk_track: str | None = None
    """Words the rep can use, if any."""


class Milestone(_Model):
    """What it takes to meet a stage's objective: one verifiable step with the buyer."""

    key: Key
    """A stable identifier: lower-case letters, digits and dashes (e.g. `finance-sign-off`).
    Recorded deal work refers to it; to rename, change the key and list the old one under `formerly`."""
    title: Text
    mandatory: StrictBool = False
    """Mandatory milestones are exit criteria: no deal enters a later stage without them."""
    weight: int = Field(default=1, ge=0, le=100)
    """How much the milestone counts toward deal strength, relative to the others."""
    typical_days: int = Field(ge=0, le=365)
    """How many days the milestone typically takes."""
    why: Text
    """Why the milestone matters: what goes wrong in deals that skip it."""
    ask: str | None = None
    """The next step the rep asks the buyer for. Every milestone should have one."""
    questions: tuple[Text, ...] = ()
    activities: tuple[Text, ...] = ()
    content: tuple[ContentUse, ...] = ()
    plays: tuple[Play, ...] = ()
    formerly: tuple[Key, ...] = ()
    """Keys this milestone had before a rename, so recorded work follows it."""


class Stage(_Model):
    key: Key
    """A stable identifier: lower-case letters, digits and dashes (e.g. `finance-sign-off`).
    Recorded deal work refers to it; to rename, change the key and list the old one under `formerly`."""
    name: Text
    objective: Text
    """What must be true for a deal to be in this stage."""
    probability: float = Field(ge=0, le=1)
    """Forecast probability of winning a deal in this stage, from 0 to 1 (60% is 0.6)."""
    outcome: Outcome = Outcome.OPEN
    """`open` for a working stage; `won` or `lost` for the terminal stages."""
    milestones: tuple[Milestone, ...] = ()
    formerly: tuple[Key, ...] = ()
    """Keys this stage had before a rename."""

    @property
    def is_terminal(self) -> bool:
        return self.outcome is not Outcome.OPEN

    @cached_property
    def mandatory_milestones(self) -> tuple[Milestone, ...]:
        return tuple(m for m in self.milestones if m.mandatory)


class Process(_Model):
    """A sales process: one file each under `processes/`."""

    key: Key
    """A stable identifier: lower-case letters, digits and dashes (e.g. `finance-sign-off`).
    Recorded deal work refers to it; to rename, change the key and list the old one under `formerly`."""
    name: Text
    description: Text
    version: Annotated[str, Field(min_length=1)] = "1"
    """Bump when the process changes in a way reps should notice."""
    milestone_limit: int = Field(default=7, ge=1, le=50)
    """More milestones than this in one stage is a lint warning: don't go milestone crazy."""
    stages: tuple[Stage, ...] = Field(min_length=2)
    """In order. Open stages first, then the terminal won and lost stages."""
    entry_stage: Key | None = None
    """The stage new deals start in; the first stage when left out."""
    competitor_order: tuple[Key, ...] = ()
    """The order competitors appear in on this process's pages (play tabs, call sheets, the home page), by key,
    most frequent first. Competitors not listed follow, the status quo first, then the others by name.
    Leave it out to show the status quo first."""

    @cached_property
    def _stage_index(self) -> dict[str, int]:
        index: dict[str, int] = {}
        for position, stage in enumerate(self.stages):
            for key in (stage.key, *stage.formerly):
                index.setdefault(key, position)
        return index

    @cached_property
    def _milestone_index(self) -> dict[str, tuple[Stage, Milestone]]:
        index: dict[str, tuple[Stage, Milestone]] = {}
        for stage in self.stages:
            for milestone in stage.milestones:
                for key in (milestone.key, *milestone.formerly):
                    index.setdefault(key, (stage, milestone))
        return index

    def stage(self, key: str) -> Stage | None:
        """The stage with this key (or a former key), if any."""
        position = self._stage_index.get(key)
        return None if position is None else self.stages[position]

    def position(self, stage_key: str) -> int:
        """The 0-based position of a stage; raises KeyError for an unknown key."""
        return self._stage_index[stage_key]

    def milestone(self, key: str) -> Milestone | None:
        """The milestone with this key (or a former key), in any stage."""
        found = self._milestone_index.get(key)
        return None if found is None else found[1]

    def stage_of(self, milestone_key: str) -> Stage | None:
        found = self._milestone_index.get(milestone_key)
        return None if found is None else found[0]

    def canonical_milestone_key(self, key: str) -> str | None:
        """The current key for a milestone key that may be a former one."""
        milestone = self.milestone(key)
        return None if milestone is None else milestone.key

    def current_milestone_keys(self, stored_keys: Iterable[str]) -> frozenset[str]:
        """Milestone keys as recorded (current or former) as the current keys; keys the process no longer
        has are dropped. The one translation of recorded work into today's process; its SQL twin is
        `api.services.history.sql.current_key`, over `renamed_milestones`."""
        index = self._milestone_index
        return frozenset(index[key][1].key for key in stored_keys if key in index)

    @cached_property
    def renamed_stages(self) -> dict[str, str]:
        """Former stage key to current key."""
        return {former: s.key for s in self.stages for former in s.formerly}

    @cached_property
    def renamed_milestones(self) -> dict[str, str]:
        """Former milestone key to current key."""
        return {former: m.key for m in self.milestones for former in m.formerly}

    @property
    def first_stage(self) -> Stage:
        """The stage new deals start in."""
        return (self.stage(self.entry_stage) if self.entry_stage else None) or self.stages[0]

    @property
    def open_stages(self) -> tuple[Stage, ...]:
        return tuple(s for s in self.stages if not s.is_terminal)

    @property
    def won_stage(self) -> Stage:
        return next(s for s in self.stages if s.outcome is Outcome.WON)

    @property
    def lost_stages(self) -> tuple[Stage, ...]:
        return tuple(s for s in self.stages if s.outcome is Outcome.LOST)

    @property
    def milestones(self) -> tuple[Milestone, ...]:
        """Every milestone, in process order."""
        return tuple(m for s in self.stages for m in s.milestones)


class Colour(StrEnum):
    """A named colour of the guidebook's theme (Material for MkDocs)."""

    RED = "red"
    PINK = "pink"
    PURPLE = "purple"
    DEEP_PURPLE = "deep-purple"
    INDIGO = "indigo"
    BLUE = "blue"
    LIGHT_BLUE = "light-blue"
    CYAN = "cyan"
    TEAL = "teal"
    GREEN = "green"
    LIGHT_GREEN = "light-green"
    LIME = "lime"
    YELLOW = "yellow"
    AMBER = "amber"
    ORANGE = "orange"
    DEEP_ORANGE = "deep-orange"
    BROWN = "brown"
    GREY = "grey"
    BLUE_GREY = "blue-grey"
    BLACK = "black"


class Branding(_Model):
    """How the guidebook presents your company: `branding.yaml` at the top of the process definitions folder.
    Every field is optional; without the file the guidebook is called "Waymark guidebook"."""

    site_name: Text | None = None
    """The guidebook's title, in the header and the browser tab (e.g. `Ledgerwell sales guidebook`)."""
    description: Text | None = None
    """One sentence on what the guidebook is for, shown on the home page and to search engines."""
    primary_color: Colour | None = None
    """The colour of the header bar, one of: red, pink, purple, deep-purple, indigo, blue, light-blue, cyan,
    teal, green, light-green, lime, yellow, amber, orange, deep-orange, brown, grey, blue-grey, black.
    Pale colours (lime, yellow, amber) make the header text hard to read."""
    accent_color: Colour | None = None
    """The colour of links and buttons under the pointer (the same names as `primary_color`)."""
    logo: str | None = None
    """The logo in the header: an image file in this folder (`logo.svg`; SVG, PNG, JPEG or WebP, under 512 KB),
    or an SVG image written out in full (starting with `<svg`, under 64 KB), which travels with this file
    wherever the files are copied."""
    copyright: Text | None = None
    """A line for the footer of every page, e.g. `© Ledgerwell Ltd. For employees and partners.`"""


class ProcessDefinitions(_Model):
    """Everything loaded from a `process_definitions/` folder, cross-checked."""

    processes: tuple[Process, ...]
    competitors: tuple[Competitor, ...]
    content: tuple[ContentItem, ...]
    branding: Branding = Branding()

    @cached_property
    def _processes(self) -> dict[str, Process]:
        return {p.key: p for p in self.processes}

    @cached_property
    def _competitors(self) -> dict[str, Competitor]:
        return {c.key: c for c in self.competitors}

    @cached_property
    def _content(self) -> dict[str, ContentItem]:
        return {c.key: c for c in self.content}

    def process(self, key: str) -> Process | None:
        return self._processes.get(key)

    def competitor(self, key: str) -> Competitor | None:
        return self._competitors.get(key)

    def content_item(self, key: str) -> ContentItem | None:
        return self._content.get(key)

    @property
    def status_quo(self) -> tuple[Competitor, ...]:
        return tuple(c for c in self.competitors if c.status_quo)

    def competitors_in_order(self, process: Process | None = None) -> tuple[Competitor, ...]:
        """Every competitor in the order `process` declares (`competitor_order`), then the rest: the status quo
        first, then by name. Without a process, the order of the first process."""
        chosen = process if process is not None else (self.processes[0] if self.processes else None)
        declared = [c for key in (chosen.competitor_order if chosen else ()) if (c := self.competitor(key))]
        listed = {c.key for c in declared}
        rest = sorted(
            (c for c in self.competitors if c.key not in listed), key=lambda c: (not c.status_quo, c.name.lower())
        )
        return (*declared, *rest)
