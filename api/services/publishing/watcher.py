"""Keeping a server on the active version: at start (publishing the server's folder when nothing has been
published yet), on a PostgreSQL notification from whichever server or command published, and on a periodic
check (the fallback for PostgreSQL, the mechanism for the embedded SQLite file)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.db import Database
from api.db.notifications import Listener
from api.process.loader import CheckReport
from api.services.publishing.publish import Publication, PublishStatus, publish
from api.services.publishing.sources import content_hash, read_sources
from api.services.publishing.store import ServedProcess
from api.services.publishing.versions import PUBLISHED_CHANNEL

log = logging.getLogger("waymark.publishing")


async def start_serving(database: Database, served: ServedProcess, *, published_by: str = "waymark serve") -> None:
    """Serve the active version; on a database where nothing was published yet, publish the server's folder
    as version 1 (work recorded before versions existed is kept: any key it holds that the folder lacks is
    recorded as an accepted orphan, not refused). Files that differ from the active version are only
    logged: publishing them is someone's decision."""
    async with database.transaction() as session:
        await served.refresh(session)
        report = served.read_folder()
        if served.loaded:
            _log_folder_state(served, report)
            return
        if report.definitions is None:
            log.error("nothing published yet and %s does not load: %s", served.directory, served.problems_text())
            return
        first = await publish(
            session,
            Publication(
                sources=read_sources(served.directory),
                definitions=report.definitions,
                published_by=published_by,
                note=f"first publish, from {served.directory}",
                accept_orphans=True,
            ),
        )
        if first.status is PublishStatus.REFUSED:
            log.error("cannot publish %s: %s", served.directory, "; ".join(first.refusals))
            return
    async with database.sessions() as session:
        await served.refresh(session)


def _log_folder_state(served: ServedProcess, report: CheckReport) -> None:
    version = served.served
    if report.definitions is None:
        log.warning(
            "serving version %s; the files in %s do not load: %s",
            version.number,
            served.directory,
            served.problems_text(),
        )
    elif content_hash(report.definitions) != version.content_hash:
        log.info(
            "serving version %s; %s holds unpublished changes (see `waymark process diff`, then publish them)",
            version.number,
            served.directory,
        )


class VersionWatcher:
    """Switches `served` to a newly published version: at once on a notification (PostgreSQL), and by a check
    every `check_every` seconds (0: never). Its statements run on an engine of its own, beside the requests'."""

    def __init__(self, *, database: Database, served: ServedProcess, check_every: float) -> None:
        self._database = database
        self._served = served
        self._check_every = check_every
        self._engine: AsyncEngine | None = None
        self._listener: Listener | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._engine = self._database.separate_engine()
        if self._engine.dialect.name == "postgresql":
            self._listener = Listener(
                self._engine, channel=PUBLISHED_CHANNEL, on_message=lambda _number: self.wake(), on_reconnect=self.wake
            )
            self._listener.start()
        if self._listener is not None or self._check_every > 0:
            self._task = asyncio.create_task(self._watch(), name="process version watcher")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        if self._listener is not None:
            await self._listener.stop()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._engine is not None:
            await self._engine.dispose()

    async def _watch(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._check_every or None)
            self._wake.clear()
            await self.check()

    async def check(self) -> None:
        """Switch if a newer version was published; a database that cannot be reached is tried again later."""
        assert self._engine is not None
        try:
            async with AsyncSession(self._engine) as session:
                await self._served.refresh(session)
        except Exception as error:
            log.warning("could not check the active process version: %s", error)
