"""The changelog of published versions, for the guidebook's "What changed" page: each version, newest first,
with what it changed from the one before, in Markdown."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.process.diff import diff_definitions
from api.process.diff_report import as_markdown
from api.services.publishing import versions
from api.services.publishing.sources import definitions_of


async def changelog(session: AsyncSession, *, upto: int) -> list[dict[str, Any]]:
    """Versions 1 to `upto`, newest first: number, label, who, when, note, and the changes in Markdown."""
    entries: list[dict[str, Any]] = []
    previous = None
    for number in range(1, upto + 1):
        row = await versions.version(session, number)
        if row is None:
            continue
        definitions = definitions_of(row.sources)
        changes = None if previous is None else as_markdown(diff_definitions(previous, definitions))
        entries.append(
            {
                "number": row.number,
                "label": row.label,
                "publishedAt": row.published_at.isoformat(),
                "publishedBy": row.published_by,
                "note": row.note,
                "changes": changes,
            }
        )
        previous = definitions
    return entries[::-1]
