"""The content library: every item once, with the milestones that call for it (anchor = its key)."""

from __future__ import annotations

from api.process import ContentItem, ProcessDefinitions
from api.process import guide_urls as urls
from guidebook.text import front_matter, inline, link


def content_library(definitions: ProcessDefinitions) -> str:
    parts = [
        "# Content library",
        "Everything a rep may send to a buyer, and the milestones that call for it.",
    ]
    for item in sorted(definitions.content, key=lambda i: i.title.lower()):
        parts.append(_item(definitions, item))
    # Half weight in search: an item is found by its title, and the milestones that send it rank first
    # for the words they share with it.
    return front_matter(boost=0.5) + "\n\n".join(parts) + "\n"


def _item(definitions: ProcessDefinitions, item: ContentItem) -> str:
    page = urls.CONTENT_PAGE
    facts = [f"*{item.kind.value}*"]
    if item.url:
        facts.append(f"[open the {item.kind.value}]({item.url})")
    lines = [f"## {inline(item.title)} {{ #{item.key} }}", " · ".join(facts)]
    if item.description:
        lines.append(inline(item.description))
    uses = []
    for process in definitions.processes:
        for stage in process.stages:
            for milestone in stage.milestones:
                for use in milestone.content:
                    if use.content == item.key:
                        target = link(page, urls.stage_page(process.key, stage.key), milestone.key)
                        uses.append(
                            f"- [{inline(process.name)}: {inline(stage.name)}: {inline(milestone.title)}]"
                            f"({target}), *when:* {inline(use.send_when)}"
                        )
    if uses:
        lines += ["Used at:", "\n".join(uses)]
    return "\n\n".join(lines)
