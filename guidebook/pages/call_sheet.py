"""A stage's call sheet: the one page a rep keeps open on a call, and prints on one sheet of A4 or Letter.

The exit checklist with each milestone's ask, the questions, then a block per competitor (the status quo
first unless the process says otherwise) with the plays at this stage and the answers to their objections.
What does not fit on one printed page is left out by `sheet_fit`, and a note at the end links it.
"""

from __future__ import annotations

from api.process import Competitor, Process, ProcessDefinitions, Stage
from api.process import guide_urls as urls
from guidebook.pages.battlecard import OBJECTIONS_ANCHOR
from guidebook.pages.sheet_fit import Item, Kind, Selection, candidates, fit, page_lines
from guidebook.text import front_matter, inline, link, percent

UNSEARCHED = "data-search-exclude"
"""On every section of a sheet but the first: search finds a sheet by its title and objective; the rest
repeats the stage page and the battlecards, where search should lead instead."""

_NOUNS = {
    Kind.ASK: ("milestone's ask", "milestones' asks"),
    Kind.PLAY: ("play", "plays"),
    Kind.TALK_TRACK: ("talk track", "talk tracks"),
    Kind.QUESTION: ("question", "questions"),
}


def against_anchor(competitor_key: str) -> str:
    """The anchor of a competitor's block on a call sheet: `against-tabstone`."""
    return f"against-{competitor_key}"


def sheet_title(process: Process, stage: Stage) -> str:
    return f"Call sheet: {stage.name} · {process.name}"


def call_sheet(definitions: ProcessDefinitions, process: Process, stage: Stage) -> str:
    page = urls.call_sheet_page(process.key, stage.key)
    title = sheet_title(process, stage)
    facts = f"Objective: {stage.objective} · probability {percent(stage.probability)} · milestones and plays"
    parts = [
        f"# {inline(title)}",
        f"**Objective:** {inline(stage.objective)} · probability {percent(stage.probability)} · "
        f"[milestones and plays]({link(page, urls.stage_page(process.key, stage.key))})",
    ]
    if not stage.milestones:
        parts.append(f"{inline(stage.name)} has no milestones: there is nothing to ask for at this stage.")
        # An empty sheet would only crowd search results for the words of its title.
        return front_matter(title=title, exclude_from_search=True) + "\n\n".join(parts) + "\n"
    competitors = definitions.competitors_in_order(process)
    chosen = fit(candidates(definitions, process, stage), lines=page_lines(facts, competitors=len(competitors)))
    sheet = _Sheet(process, stage, chosen, page)
    sections = [sheet.checklist(), sheet.questions(), sheet.against_all(competitors), sheet.left_out(competitors)]
    body = "\n\n".join(section for section in sections if section)
    return (
        front_matter(title=title)
        + "\n\n".join(parts)
        + f'\n\n<div class="waymark-sheet" markdown>\n\n{body}\n\n</div>\n'
    )


class _Sheet:
    """The sections of one call sheet, each showing only what `chosen` kept."""

    def __init__(self, process: Process, stage: Stage, chosen: Selection, page: str) -> None:
        self.process, self.stage, self.chosen, self.page = process, stage, chosen, page

    def _stage_link(self, anchor: str | None = None) -> str:
        return link(self.page, urls.stage_page(self.process.key, self.stage.key), anchor)

    def checklist(self) -> str:
        lines = []
        for m in sorted(self.stage.milestones, key=lambda m: not m.mandatory):
            if not self.chosen.includes(Kind.ASK, milestone=m):
                continue
            label = "mandatory" if m.mandatory else "optional"
            ask = inline(m.ask) if m.ask else "no ask yet: agree a next step."
            lines.append(f"- **[{inline(m.title)}]({self._stage_link(m.key)})** ({label}): {ask}")
        # A plain list drawn with empty boxes: tick them with a pen on the printed sheet.
        return (
            f"## Exit checklist and asks {{ #asks {UNSEARCHED} }}\n\n"
            '<div class="waymark-checklist" markdown>\n\n' + "\n".join(lines) + "\n\n</div>"
        )

    def questions(self) -> str:
        lines = []
        for m in self.stage.milestones:
            kept = [q for i, q in enumerate(m.questions) if self.chosen.includes(Kind.QUESTION, milestone=m, index=i)]
            if kept:
                lines.append(f"- **{inline(m.title)}:** " + " · ".join(inline(q) for q in kept))
        return f"## Questions {{ #questions {UNSEARCHED} }}\n\n" + "\n".join(lines) if lines else ""

    def against_all(self, competitors: tuple[Competitor, ...]) -> str:
        if not competitors:
            return ""
        blocks = "\n\n".join(self.against(c) for c in competitors)
        return f"## Against each competitor {{ #against {UNSEARCHED} }}\n\n{blocks}"

    def against(self, competitor: Competitor) -> str:
        card = link(self.page, urls.battlecard_page(competitor.key))
        heading = f"### {inline(competitor.label)} {{ #{against_anchor(competitor.key)} {UNSEARCHED} }}"
        plays = self._plays(competitor)
        answers = [
            f"- **“{inline(o.objection)}”** {inline(o.response)}"
            for i, o in enumerate(competitor.objections)
            if self.chosen.includes(Kind.OBJECTION, competitor=competitor, index=i)
        ]
        lines = [heading]
        if plays:
            lines.append("\n".join(plays))
        elif not self._has_plays(competitor):
            lines.append(f"No specific play at this stage: run the asks as written ([battlecard]({card})).")
        if answers:
            lines.append("*Objection answers:*\n\n" + "\n".join(answers))
        if not plays and not answers and self._has_plays(competitor):
            lines.append(f"Its plays and objection answers did not fit here: see the [battlecard]({card}).")
        return "\n\n".join(lines)

    def _has_plays(self, competitor: Competitor) -> bool:
        return any(p.competitor == competitor.key for m in self.stage.milestones for p in m.plays)

    def _plays(self, competitor: Competitor) -> list[str]:
        lines = []
        for m in self.stage.milestones:
            play = next((p for p in m.plays if p.competitor == competitor.key), None)
            if play is None or not self.chosen.includes(Kind.PLAY, milestone=m, competitor=competitor):
                continue
            line = f"- **{inline(m.title)}:** {inline(play.play)}"
            if play.talk_track and self.chosen.includes(Kind.TALK_TRACK, milestone=m, competitor=competitor):
                line += f" *Say:* “{inline(play.talk_track)}”"
            lines.append(line)
        return lines

    def left_out(self, competitors: tuple[Competitor, ...]) -> str:
        if not self.chosen.left_out:
            return ""
        notes = []
        counts = {kind: sum(i.kind is kind for i in self.chosen.left_out) for kind in _NOUNS}
        on_stage_page = [f"{n} {_NOUNS[kind][n != 1]}" for kind, n in counts.items() if n]
        if on_stage_page:
            notes.append(f"{', '.join(on_stage_page)}: on the [stage page]({self._stage_link()})")
        cards = self._objection_links([i for i in self.chosen.left_out if i.kind is Kind.OBJECTION], competitors)
        if cards:
            notes.append(f"objection answers: {cards}")
        return (
            '<p class="waymark-left-out" markdown>**Not on this sheet, to keep it to one page:** '
            + "; ".join(notes)
            + ".</p>"
        )

    def _objection_links(self, items: list[Item], competitors: tuple[Competitor, ...]) -> str:
        """A link to each battlecard's answers, in the process's order, saying how many the sheet left out."""
        left_out = [i.competitor.key for i in items if i.competitor is not None]
        counts = {c.key: left_out.count(c.key) for c in competitors}
        return ", ".join(
            f"[{counts[c.key]} against {inline(c.label)}]"
            f"({link(self.page, urls.battlecard_page(c.key), OBJECTIONS_ANCHOR)})"
            for c in competitors
            if counts[c.key]
        )
