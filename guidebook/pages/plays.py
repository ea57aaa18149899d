"""The plays of a milestone as content tabs: one tab per competitor that has a play there, in the process's order.

Material's linked tabs (`content.tabs.link`) switch every tab set with the same label when a rep picks a
competitor once, so a competitor's tab carries the same label (its short name) on every milestone. A
milestone with no play against a competitor gets no tab for it; one line says which competitors those are.
"""

from __future__ import annotations

import json

from api.process import Competitor, Milestone, Process, ProcessDefinitions
from api.process import guide_urls as urls
from guidebook.text import attribute, indent, inline, link


def tab_label(competitor: Competitor) -> str:
    """The competitor's tab label: its short name, or its name, on one line and without double quotes."""
    return " ".join(competitor.label.split()).replace('"', "'")


def plays_markdown(definitions: ProcessDefinitions, process: Process, milestone: Milestone, *, from_page: str) -> str:
    """A content tab per competitor with a play here, then one line naming those without one."""
    by_competitor = {play.competitor: play for play in milestone.plays}
    ordered = definitions.competitors_in_order(process)
    with_play = [c for c in ordered if c.key in by_competitor]
    without = [c for c in ordered if c.key not in by_competitor]
    tabs = []
    for competitor in with_play:
        play = by_competitor[competitor.key]
        body = inline(play.play)
        if play.talk_track:
            body += f"\n\n**Say:** “{inline(play.talk_track)}”"
        card = link(from_page, urls.battlecard_page(competitor.key))
        body += f"\n\n[{inline(competitor.label)} battlecard]({card})"
        tabs.append(f'=== "{tab_label(competitor)}"\n\n{indent(body)}')
    parts = []
    if tabs:
        labels = attribute(json.dumps({c.key: tab_label(c) for c in with_play}, ensure_ascii=False))
        parts.append(
            f'<div class="waymark-plays" data-labels="{labels}" markdown>\n\n' + "\n\n".join(tabs) + "\n\n</div>"
        )
    if without:
        parts.append(_no_play_line(without, with_play=bool(tabs), from_page=from_page))
    return "\n\n".join(parts)


def _no_play_line(competitors: list[Competitor], *, with_play: bool, from_page: str) -> str:
    cards = ", ".join(f"[{inline(c.label)}]({link(from_page, urls.battlecard_page(c.key))})" for c in competitors)
    if with_play:
        text = f"No specific play here against {cards}: run the ask as written and keep the battlecard to hand."
    else:
        text = f"No competitor-specific plays here: run the ask as written. Battlecards: {cards}."
    return f'<p class="waymark-no-play" markdown>{text}</p>'
