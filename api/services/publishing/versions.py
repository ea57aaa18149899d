"""Published process versions in the database: never changed or deleted; the newest is the active one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from api.db.models import ProcessVersion, utc_now

PUBLISHED_CHANNEL = "waymark_process_published"
"""The PostgreSQL NOTIFY channel a publish announces its version number on."""


@dataclass(frozen=True, slots=True)
class VersionStamp:
    """What identifies the active version: a server serving another one must switch."""

    number: int
    content_hash: str


async def active_stamp(session: AsyncSession) -> VersionStamp | None:
    """One statement on the primary key: the newest version's number and hash, or None before any publish."""
    row = (
        await session.execute(
            select(ProcessVersion.number, ProcessVersion.content_hash).order_by(ProcessVersion.number.desc()).limit(1)
        )
    ).first()
    return None if row is None else VersionStamp(number=row[0], content_hash=row[1])


async def version(session: AsyncSession, number: int) -> ProcessVersion | None:
    return await session.get(ProcessVersion, number)


async def active_version(session: AsyncSession) -> ProcessVersion | None:
    return await session.scalar(select(ProcessVersion).order_by(ProcessVersion.number.desc()).limit(1))


async def all_versions(session: AsyncSession) -> Sequence[ProcessVersion]:
    """Every version, newest first, without their files."""
    query = select(ProcessVersion).options(defer(ProcessVersion.sources)).order_by(ProcessVersion.number.desc())
    return (await session.scalars(query)).all()


async def insert_version(
    session: AsyncSession,
    *,
    sources: Mapping[str, str],
    content_hash: str,
    label: str | None,
    published_by: str,
    published_by_id: int | None,
    note: str | None,
    accepted_orphans: list[dict[str, Any]] | None,
) -> ProcessVersion:
    """The next version, flushed; on PostgreSQL every server is told once the transaction commits.

    Two publishes at the same moment: on PostgreSQL the second waits for the first (an advisory lock) and
    takes the next number; on SQLite the database's write lock orders them the same way."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PUBLISH_LOCK})
    newest = await session.scalar(select(func.max(ProcessVersion.number)))
    published = ProcessVersion(
        number=(newest or 0) + 1,
        content_hash=content_hash,
        label=label,
        published_by=published_by,
        published_by_id=published_by_id,
        published_at=utc_now(),
        note=note,
        sources=dict(sources),
        accepted_orphans=accepted_orphans,
    )
    session.add(published)
    await session.flush()
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_notify(:channel, :number)"), {"channel": PUBLISHED_CHANNEL, "number": str(published.number)}
        )
    return published


_PUBLISH_LOCK = 7_106_278
"""Any fixed number (beside the migration lock's): the advisory lock that orders concurrent publishes."""
