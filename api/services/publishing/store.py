"""The process a server serves: the active published version, read from the database, never from whatever
files the server happens to have. The files are only an input to publishing: a server whose files are
invalid or missing still serves the active version.

`refresh` switches to a newer version (the watcher calls it on a PostgreSQL notification, on a periodic
check, and after a publish through this server). A request takes the version it started with
(`current`) and keeps it to the end, whatever is published meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import ProcessVersion
from api.process import Problem, ProcessDefinitions, Severity, read_definitions
from api.process.loader import CheckReport
from api.services.publishing import versions
from api.services.publishing.sources import definitions_of
from api.services.publishing.versions import VersionStamp

log = logging.getLogger("waymark.publishing")


@dataclass(frozen=True, slots=True, kw_only=True)
class ServedVersion:
    """One published version, read and ready to serve."""

    number: int
    content_hash: str
    label: str | None
    published_at: datetime
    published_by: str
    note: str | None
    accepted_orphans: tuple[dict[str, Any], ...]
    definitions: ProcessDefinitions
    sources: dict[str, str]

    @classmethod
    def of(cls, row: ProcessVersion, definitions: ProcessDefinitions) -> ServedVersion:
        return cls(
            number=row.number,
            content_hash=row.content_hash,
            label=row.label,
            published_at=row.published_at,
            published_by=row.published_by,
            note=row.note,
            accepted_orphans=tuple(row.accepted_orphans or ()),
            definitions=definitions,
            sources=dict(row.sources),
        )

    @property
    def stamp(self) -> VersionStamp:
        return VersionStamp(number=self.number, content_hash=self.content_hash)


class ServedProcess:
    """Holds the version this server serves and swaps it, whole, when a newer one is published."""

    def __init__(self, *, directory: Path) -> None:
        self.directory = directory
        """The server's process folder: what `reloadProcessDefinitions` and a first start publish."""
        self._served: ServedVersion | None = None
        self.problems: tuple[Problem, ...] = ()
        """The problems of the folder, as last read."""
        self._on_switch: list[Callable[[ServedVersion], None]] = []

    @property
    def loaded(self) -> bool:
        return self._served is not None

    @property
    def served(self) -> ServedVersion:
        if self._served is None:
            raise RuntimeError(f"no published process version to serve: {self.problems_text()}")
        return self._served

    @property
    def current(self) -> ProcessDefinitions:
        return self.served.definitions

    def on_switch(self, listener: Callable[[ServedVersion], None]) -> None:
        """Call `listener` with every version this server switches to (the guidebook builder listens)."""
        self._on_switch.append(listener)

    async def refresh(self, session: AsyncSession) -> bool:
        """Serve the active version if it is not the one served: one statement when nothing changed.
        Returns whether it switched. An empty table changes nothing: versions are never deleted."""
        stamp = await versions.active_stamp(session)
        if stamp is None or (self._served is not None and self._served.stamp == stamp):
            return False
        row = await versions.version(session, stamp.number)
        if row is None:
            return False
        self.switch_to(ServedVersion.of(row, definitions_of(row.sources)))
        return True

    def switch_to(self, version: ServedVersion) -> None:
        previous = self._served
        self._served = version
        log.info(
            "serving process version %s%s",
            version.number,
            "" if previous is None else f" (was {previous.number})",
        )
        for listener in self._on_switch:
            listener(version)

    def read_folder(self) -> CheckReport:
        """Read the process folder again (for publishing it); remembers its problems."""
        report = read_definitions(self.directory)
        self.problems = report.problems
        return report

    def problems_text(self) -> str:
        errors = [str(p) for p in self.problems if p.severity is Severity.ERROR]
        return "; ".join(errors) or "nothing published yet"
