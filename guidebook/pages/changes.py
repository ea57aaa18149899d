"""The "What changed" page: each published version of the process, newest first, with what it changed.

The server that publishes writes the changelog (`waymark guide build --changes FILE`); a guidebook built
from files alone has no versions, and no such page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from guidebook.text import inline

PAGE = "changes.md"


def read_changelog(path: Path) -> list[dict[str, Any]]:
    entries = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise ValueError(f"{path} does not hold a list of versions")
    return entries


def changes_page(changelog: list[dict[str, Any]]) -> str:
    lines = [
        "---",
        "search:",
        "  boost: 0.5",
        "---",
        "",
        "# What changed",
        "",
        "Each published version of the process, newest first. Recorded deal work follows renamed stages and "
        "milestones; links to their former pages still work.",
    ]
    for entry in changelog:
        label = f" ({inline(str(entry['label']))})" if entry.get("label") else ""
        lines += ["", f"## Version {int(entry['number'])}{label} {{ #version-{int(entry['number'])} }}", ""]
        when = inline(str(entry["publishedAt"]))[:16].replace("T", " ")
        lines.append(f"Published {when} by {inline(str(entry['publishedBy']))}.")
        if entry.get("note"):
            lines += ["", f"> {inline(str(entry['note']))}"]
        lines += ["", str(entry.get("changes") or "The first published version.")]
    return "\n".join(lines) + "\n"
