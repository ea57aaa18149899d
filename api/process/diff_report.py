"""A diff of the process definitions in words: plain text for a terminal, Markdown for a review or the
guidebook's "What changed" page, JSON for tools."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from api.process.diff import Change, ChangeKind

_SIGNS = {
    ChangeKind.ADDED: "+",
    ChangeKind.REMOVED: "-",
    ChangeKind.RENAMED: ">",
    ChangeKind.MOVED: ">",
    ChangeKind.CHANGED: "~",
}
_LIMIT = 80
"""Longer values are cut in text and Markdown (JSON keeps them whole)."""


def describe(change: Change) -> str:
    """One sentence, e.g. `milestone new-business/sal/finance-sign-off: mandatory changed from false to true`."""
    head = f"{change.subject.value} {change.where}"
    match change.kind:
        case ChangeKind.ADDED | ChangeKind.REMOVED:
            return f"{head} {change.kind.value}"
        case ChangeKind.RENAMED:
            return f"{head} renamed from {change.before!r} (recorded work follows it through `formerly`)"
        case ChangeKind.MOVED if change.field == "order":
            return f"{head}: stages reordered from {_show(change.before)} to {_show(change.after)}"
        case ChangeKind.MOVED:
            return f"{head} moved from stage {change.before!r} to {change.after!r}"
    if change.before is None:
        return f"{head}: {change.field} added: {_show(change.after)}"
    if change.after is None:
        return f"{head}: {change.field} removed (was {_show(change.before)})"
    return f"{head}: {change.field} changed from {_show(change.before)} to {_show(change.after)}"


def as_text(changes: Sequence[Change]) -> str:
    if not changes:
        return "No changes."
    return "\n".join(f"{_SIGNS[c.kind]} {describe(c)}" for c in changes)


def as_markdown(changes: Sequence[Change], *, title: str | None = None) -> str:
    lines = [f"## {title}", ""] if title else []
    if not changes:
        return "\n".join([*lines, "No changes."])
    counts = _counts(changes)
    lines += [", ".join(f"{n} {kind.value}" for kind, n in counts.items()) + ".", ""]
    lines += [f"- **{c.kind.value}** {_markdown_escape(describe(c))}" for c in changes]
    return "\n".join(lines)


def as_json(changes: Sequence[Change], **extra: Any) -> str:
    return json.dumps({"changes": [c.as_dict() for c in changes], **extra}, indent=2, ensure_ascii=False)


def _counts(changes: Sequence[Change]) -> dict[ChangeKind, int]:
    counts: dict[ChangeKind, int] = {}
    for change in changes:
        counts[change.kind] = counts.get(change.kind, 0) + 1
    return counts


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        text = "[" + ", ".join(_show(v) for v in value) + "]"
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, str):
        text = repr(value)
    else:
        text = str(value)
    return text if len(text) <= _LIMIT else text[: _LIMIT - 1] + "…"


def _markdown_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;")
