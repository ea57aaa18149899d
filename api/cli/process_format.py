"""How `waymark process diff` and `waymark process publish` show what changes and what it does to deals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from api.process.diff import Change
from api.process.diff_report import as_json, as_markdown, as_text
from api.services.publishing.impact import AffectedDeal, Impact

SHOWN_DEALS = 20
"""Longer lists of deals are cut in text and Markdown (JSON keeps every deal)."""

_SECTIONS = (
    ("stranded", "Open deals in a stage or process that would be removed (refused)"),
    ("newly_blocked", "Open deals that become blocked"),
    ("newly_unblocked", "Open deals that become unblocked"),
    ("strength_changes", "Open deals whose strength changes"),
    ("estimate_changes", "Open deals whose estimated days to close change"),
)


def render(changes: Sequence[Change], impact: Impact | None, *, output: str, title: str) -> str:
    if output == "json":
        return as_json(changes, **({} if impact is None else {"impact": impact_as_dict(impact)}))
    if output == "markdown":
        text = as_markdown(changes, title=title)
        return text if impact is None else f"{text}\n\n{impact_as_markdown(impact)}"
    text = as_text(changes)
    return text if impact is None else f"{text}\n\n{impact_as_text(impact)}"


def impact_as_dict(impact: Impact) -> dict[str, Any]:
    return {
        "orphans": [o.as_dict() for o in impact.orphans],
        **{name: [_deal_dict(d) for d in getattr(impact, name)] for name, _ in _SECTIONS},
    }


def impact_as_text(impact: Impact) -> str:
    if impact.is_empty:
        return "Impact on recorded deals: none."
    lines = ["Impact on recorded deals:"]
    for orphan in impact.orphans:
        where = orphan.key if orphan.kind == "process" else f"{orphan.process_key}/{orphan.key}"
        lines.append(f"  ! {orphan.kind} {where} would no longer resolve: {orphan.deals} deal(s) hold it")
    for name, heading in _SECTIONS:
        deals: Sequence[AffectedDeal] = getattr(impact, name)
        if deals:
            lines.append(f"  {heading}: {len(deals)}")
            lines += [f"    - {_deal_line(d)}" for d in deals[:SHOWN_DEALS]]
            lines += [f"    ... and {len(deals) - SHOWN_DEALS} more"] if len(deals) > SHOWN_DEALS else []
    return "\n".join(lines)


def impact_as_markdown(impact: Impact) -> str:
    lines = ["### Impact on recorded deals", ""]
    if impact.is_empty:
        return "\n".join([*lines, "None."])
    if impact.orphans:
        lines += ["| kind | key | deals |", "|---|---|---|"]
        lines += [f"| {o.kind} | `{o.process_key}/{o.key}` | {o.deals} |" for o in impact.orphans]
        lines.append("")
    for name, heading in _SECTIONS:
        deals: Sequence[AffectedDeal] = getattr(impact, name)
        if deals:
            lines += [f"**{heading}** ({len(deals)}):", ""]
            lines += [f"- {_deal_line(d)}" for d in deals[:SHOWN_DEALS]]
            lines += [f"- ... and {len(deals) - SHOWN_DEALS} more"] if len(deals) > SHOWN_DEALS else []
            lines.append("")
    return "\n".join(lines).rstrip()


def _deal_line(deal: AffectedDeal) -> str:
    change = "" if deal.before is None and deal.after is None else f": {deal.before} -> {deal.after}"
    return f"{deal.name} (#{deal.deal_id}, {deal.process_key}/{deal.stage_key}){change}"


def _deal_dict(deal: AffectedDeal) -> dict[str, Any]:
    return {
        "dealId": deal.deal_id,
        "name": deal.name,
        "processKey": deal.process_key,
        "stageKey": deal.stage_key,
        "before": deal.before,
        "after": deal.after,
    }
