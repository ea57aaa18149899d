"""Telling subscribers that a deal changed: ids only; each subscriber reads the deal itself, as its viewer.

A change is announced once the transaction that made it commits, never before and never for one rolled
back: on PostgreSQL by `NOTIFY` inside the transaction (delivered on commit to every server listening, this
one included); on the embedded SQLite file in this process, after the commit. Each server fans the
announcements out to its subscribers through its `DealChangeHub` (fed by its listener on PostgreSQL, by the
commits of its process on SQLite), with a bounded queue per subscriber: a subscriber that falls behind is
marked, not allowed to grow memory.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

CHANNEL = "waymark_deal_changed"
_PENDING = "waymark.changed_deals"
QUEUE_SIZE = 256
"""Changes a subscriber may have waiting; one more and it is told it fell behind and disconnected."""


class Subscriber:
    """One subscriber's queue of changed deal ids."""

    def __init__(self, *, size: int) -> None:
        self.queue: asyncio.Queue[int] = asyncio.Queue(maxsize=size)
        self.fell_behind = asyncio.Event()

    def offer(self, deal_id: int) -> None:
        try:
            self.queue.put_nowait(deal_id)
        except asyncio.QueueFull:
            self.fell_behind.set()

    async def next(self) -> int | None:
        """The next changed deal, or None once the subscriber has fallen behind."""
        if self.fell_behind.is_set():
            return None
        getting = asyncio.ensure_future(self.queue.get())
        behind = asyncio.ensure_future(self.fell_behind.wait())
        done, pending = await asyncio.wait({getting, behind}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if getting in done and not self.fell_behind.is_set():
            return getting.result()
        return None


class DealChangeHub:
    """This server's subscribers, and the changes announced to them."""

    def __init__(self) -> None:
        self._subscribers: set[Subscriber] = set()

    @contextmanager
    def subscribe(self, *, size: int = QUEUE_SIZE) -> Iterator[Subscriber]:
        subscriber = Subscriber(size=size)
        self._subscribers.add(subscriber)
        try:
            yield subscriber
        finally:
            self._subscribers.discard(subscriber)

    def announce(self, deal_id: int) -> None:
        for subscriber in list(self._subscribers):
            subscriber.offer(deal_id)

    def heard(self, payload: str) -> None:
        """A `NOTIFY` payload: a deal id."""
        if payload.isdigit():
            self.announce(int(payload))

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)


_local: dict[str, weakref.WeakSet[DealChangeHub]] = {}
"""Hubs fed by commits in this process, by database URL (the embedded SQLite file's servers)."""


def feed_locally(hub: DealChangeHub, *, database_url: str) -> None:
    """Deliver to `hub` the changes committed in this process on `database_url` (SQLite: one process)."""
    _local.setdefault(database_url, weakref.WeakSet()).add(hub)


async def announce_change(session: AsyncSession, *, deal_id: int) -> None:
    """Announce, once `session` commits, that the deal changed."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_notify(CHANNEL, str(deal_id))))
    else:
        session.info.setdefault(_PENDING, set()).add(deal_id)


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, ())
    if not pending:
        return
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    for hub in list(_local.get(url, ())):
        for deal_id in sorted(pending):
            hub.announce(deal_id)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, *_: Any) -> None:
    session.info.pop(_PENDING, None)
