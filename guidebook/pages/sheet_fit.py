"""What goes on a stage's call sheet when not everything fits on one printed page.

Every piece a call sheet could hold (each milestone's ask, each question, each play and talk track against
each competitor, each objection answer) is an `Item` with a rank: what a rep needs most on a live call
ranks first. `fit` keeps items in rank order while their estimated printed height fits the page; the
rest are left out, and the sheet says so and links them.

The height is estimated from the text's length, in lines of one of the sheet's two printed columns,
for the smaller of A4 and Letter. `tests/guidebook/test_call_sheet_print.py` prints every shipped
call sheet in chromium and checks that each takes one page in both sizes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from api.process import Competitor, Milestone, Process, ProcessDefinitions, Stage

CHARS_PER_LINE = 64
"""Characters on a printed line of one of the two columns: 8 pt Arial (or a font with its widths) in half
of an A4 page less margins. Measured at about 66; fewer, so that long words wrapping early still fit."""
FULL_WIDTH_CHARS = 125
"""Characters on a printed line across the page (the objective line under the title)."""
COLUMN_LINES = 70
"""Lines of 8 pt text (at a line height of 1.3) in a column as tall as a Letter page less its margins,
the shorter of the two sizes."""
TITLE_LINES = 2.2
BREAK_ALLOWANCE = 6
"""Lines lost at the foot of the first column when the next item does not fit there whole."""
COMPETITOR_HEADING_LINES = 3.0
"""A competitor's heading, and the label before its objection answers or the line saying none fit."""
QUESTIONS_HEADING_LINES = 1.6
SECTION_HEADINGS_LINES = 3.2
"""The headings of the checklist and of the competitors' section."""
LEFT_OUT_LINES = 5
"""Kept free for the note that lists what was left out, whenever something is."""
ITEM_GAP = 0.2


class Kind(IntEnum):
    """The pieces of a sheet; within a tier and a milestone, they rank in this order."""

    ASK = 0
    QUESTION = 1
    PLAY = 2
    TALK_TRACK = 3
    OBJECTION = 4


@dataclass(frozen=True)
class Item:
    """One piece the sheet could hold, with its rank (lower is kept first)."""

    kind: Kind
    text: str
    rank: tuple[int, ...]
    milestone: Milestone | None = None
    competitor: Competitor | None = None
    index: int = 0
    """The question's or the objection's position in its list."""

    @property
    def key(self) -> tuple[int, str, str, int]:
        milestone = self.milestone.key if self.milestone else ""
        competitor = self.competitor.key if self.competitor else ""
        return (int(self.kind), milestone, competitor, self.index)

    @property
    def lines(self) -> float:
        """Estimated printed lines, with the label that goes in front of the text."""
        label = len(self.milestone.title) + 4 if self.milestone and self.kind is not Kind.QUESTION else 0
        return math.ceil((label + len(self.text)) / CHARS_PER_LINE) + ITEM_GAP


@dataclass(frozen=True)
class Selection:
    """What a sheet keeps (by `Item.key`) and what it leaves out."""

    kept: frozenset[tuple[int, str, str, int]]
    left_out: tuple[Item, ...]

    def includes(
        self, kind: Kind, *, milestone: Milestone | None = None, competitor: Competitor | None = None, index: int = 0
    ) -> bool:
        """Whether the sheet keeps this piece: `includes(Kind.PLAY, milestone=m, competitor=c)`."""
        return Item(kind, "", (), milestone, competitor, index).key in self.kept


class Tier(IntEnum):
    """What a rep needs most on a live call comes first; within a tier, mandatory milestones and the
    competitors the process lists first (the status quo, unless it says otherwise) come first."""

    ASKS = 0
    CORE = 1
    """The first two questions and the play against each competitor of each mandatory milestone, and the
    first (most frequent) objection answer against each competitor."""
    OPTIONAL = 2
    """The same for the optional milestones."""
    SECOND_OBJECTION = 3
    MORE_QUESTIONS = 4
    REST = 5
    """Talk tracks and the remaining objection answers."""


def candidates(definitions: ProcessDefinitions, process: Process, stage: Stage) -> list[Item]:
    """Everything the sheet could hold, each ranked by (tier, milestone, kind, competitor, position), where
    milestones and competitors count in the process's order and objections come after every milestone."""
    competitors = definitions.competitors_in_order(process)
    after_milestones = len(stage.milestones)
    items: list[Item] = []
    for m, milestone in enumerate(stage.milestones):
        tier = Tier.CORE if milestone.mandatory else Tier.OPTIONAL
        # Mandatory milestones' asks come first: they are the exit checklist.
        items.append(Item(Kind.ASK, milestone.ask or "", (Tier.ASKS, tier, m), milestone=milestone))
        for i, question in enumerate(milestone.questions):
            rank = (tier if i < 2 else Tier.MORE_QUESTIONS, m, Kind.QUESTION, 0, i)
            items.append(Item(Kind.QUESTION, question, rank, milestone=milestone, index=i))
        for c, competitor in enumerate(competitors):
            items += _plays(milestone, competitor, (tier, m, Kind.PLAY, c))
    for c, competitor in enumerate(competitors):
        for i, objection in enumerate(competitor.objections):
            tier = (Tier.CORE, Tier.SECOND_OBJECTION)[i] if i < 2 else Tier.REST
            text = f"“{objection.objection}” {objection.response}"
            rank = (tier, after_milestones, Kind.OBJECTION, c, i)
            items.append(Item(Kind.OBJECTION, text, rank, competitor=competitor, index=i))
    return items


def _plays(milestone: Milestone, competitor: Competitor, rank: tuple[int, ...]) -> list[Item]:
    play = next((p for p in milestone.plays if p.competitor == competitor.key), None)
    if play is None:
        return []
    found = [Item(Kind.PLAY, play.play, rank, milestone=milestone, competitor=competitor)]
    if play.talk_track:
        talk_rank = (Tier.REST, *rank[1:])
        found.append(Item(Kind.TALK_TRACK, play.talk_track, talk_rank, milestone=milestone, competitor=competitor))
    return found


def page_lines(header_text: str, *, competitors: int) -> float:
    """The lines a sheet's two columns hold for items, under its title, the line of facts `header_text`,
    and a heading per competitor (every competitor gets one, so a link to it always lands)."""
    header = TITLE_LINES + math.ceil(len(header_text) / FULL_WIDTH_CHARS) + 0.5
    headings = SECTION_HEADINGS_LINES + competitors * COMPETITOR_HEADING_LINES
    return 2 * (COLUMN_LINES - header) - BREAK_ALLOWANCE - headings


def fit(items: Iterable[Item], *, lines: float) -> Selection:
    """Everything when it fits in `lines`; else, in rank order, each item that still fits (a talk track
    only with its play), keeping room for the note of what was left out."""
    listed = list(items)
    if sum(item.lines for item in listed) + _headings(listed) <= lines:
        return Selection(frozenset(item.key for item in listed), ())
    budget = lines - LEFT_OUT_LINES
    kept: list[Item] = []
    left_out: list[Item] = []
    for item in sorted(listed, key=lambda i: i.rank):
        cost = item.lines + _headings([*kept, item]) - _headings(kept)
        if cost <= budget and _allowed(item, kept):
            kept.append(item)
            budget -= cost
        else:
            left_out.append(item)
    return Selection(frozenset(item.key for item in kept), tuple(left_out))


def _allowed(item: Item, kept: list[Item]) -> bool:
    if item.kind is not Kind.TALK_TRACK:
        return True
    play = (int(Kind.PLAY), *item.key[1:])
    return any(k.key == play for k in kept)


def _headings(items: Iterable[Item]) -> float:
    """The questions heading, when a question is kept (competitor headings are counted in `page_lines`)."""
    return QUESTIONS_HEADING_LINES if any(i.kind is Kind.QUESTION for i in items) else 0.0
