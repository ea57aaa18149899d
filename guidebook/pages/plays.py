"""The plays of a milestone as content tabs: one tab per competitor, the status quo last.

Every milestone gets the same tabs in the same order, so Material's linked tabs
(`content.tabs.link`) switch every tab set on a page when a rep picks a competitor once.
"""

from __future__ import annotations

from api.process import Competitor, Milestone, ProcessDefinitions
from api.process import guide_urls as urls
from guidebook.text import indent, inline, link


def tab_order(definitions: ProcessDefinitions) -> tuple[Competitor, ...]:
    rivals = sorted((c for c in definitions.competitors if not c.status_quo), key=lambda c: c.name.lower())
    status_quo = sorted(definitions.status_quo, key=lambda c: c.name.lower())
    return (*rivals, *status_quo)


def tab_label(competitor: Competitor) -> str:
    return " ".join(competitor.name.split()).replace('"', "'")


def plays_markdown(definitions: ProcessDefinitions, milestone: Milestone, *, from_page: str) -> str:
    """A content tab per competitor; a tab without a play points at the battlecard instead."""
    by_competitor = {play.competitor: play for play in milestone.plays}
    tabs = []
    for competitor in tab_order(definitions):
        card = link(from_page, urls.battlecard_page(competitor.key))
        play = by_competitor.get(competitor.key)
        if play is None:
            body = (
                f"No specific play against {inline(competitor.name)} at this milestone: "
                f"run the ask as written and keep the [battlecard]({card}) to hand."
            )
        else:
            body = inline(play.play)
            if play.talk_track:
                body += f"\n\n**Say:** “{inline(play.talk_track)}”"
            body += f"\n\n[{inline(competitor.name)} battlecard]({card})"
        tabs.append(f'=== "{tab_label(competitor)}"\n\n{indent(body)}')
    return "\n\n".join(tabs)
