"""Publishing the process: validated files become a new, numbered, immutable version, after the impact on the
recorded deals has been worked out and, where it would lose recorded work, refused or explicitly accepted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import ProcessVersion
from api.process import ProcessDefinitions
from api.process.diff import Change, diff_definitions
from api.services.publishing import versions
from api.services.publishing.impact import Impact, assess_impact
from api.services.publishing.sources import content_hash, definitions_of, label_of


class PublishStatus(StrEnum):
    PUBLISHED = "published"
    """A new version is active."""
    UNCHANGED = "unchanged"
    """The files say what the active version says; nothing was published."""
    REFUSED = "refused"
    """Publishing would lose recorded work or strand open deals; nothing was published."""
    PREVIEW = "preview"
    """A dry run that would publish; nothing was published."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Publication:
    """What a publisher asks for."""

    sources: Mapping[str, str]
    definitions: ProcessDefinitions
    published_by: str
    published_by_id: int | None = None
    note: str | None = None
    dry_run: bool = False
    accept_orphans: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishReport:
    status: PublishStatus
    version: ProcessVersion | None
    """The new version when published; else the active one (None before the first publish)."""
    previous: int | None
    """The number of the version active before."""
    changes: tuple[Change, ...] = ()
    impact: Impact = field(default_factory=Impact)
    refusals: tuple[str, ...] = ()
    """Why it was (or, in a dry run, would be) refused, one sentence each."""


async def publish(
    session: AsyncSession, publication: Publication, *, active: tuple[int, ProcessDefinitions] | None = None
) -> PublishReport:
    """Compare with the active version and the recorded deals, then publish unless refused or a dry run.
    `active` (a version number and its definitions) saves reading that version's files again when it is
    still the active one."""
    current = await versions.active_version(session)
    previous = None if current is None else current.number
    old = None
    if current is not None:
        old = active[1] if active is not None and active[0] == current.number else definitions_of(current.sources)
    digest = content_hash(publication.definitions)
    if current is not None and current.content_hash == digest:
        return PublishReport(status=PublishStatus.UNCHANGED, version=current, previous=previous)
    changes = () if old is None else diff_definitions(old, publication.definitions)
    impact = await assess_impact(session, old=old, new=publication.definitions)
    refusals = _refusals(impact, accept_orphans=publication.accept_orphans)
    if refusals:
        return PublishReport(
            status=PublishStatus.REFUSED,
            version=current,
            previous=previous,
            changes=changes,
            impact=impact,
            refusals=refusals,
        )
    if publication.dry_run:
        return PublishReport(
            status=PublishStatus.PREVIEW, version=current, previous=previous, changes=changes, impact=impact
        )
    published = await versions.insert_version(
        session,
        sources=publication.sources,
        content_hash=digest,
        label=label_of(publication.definitions),
        published_by=publication.published_by,
        published_by_id=publication.published_by_id,
        note=publication.note,
        accepted_orphans=[o.as_dict() for o in impact.orphans] or None,
    )
    return PublishReport(
        status=PublishStatus.PUBLISHED, version=published, previous=previous, changes=changes, impact=impact
    )


def _refusals(impact: Impact, *, accept_orphans: bool) -> tuple[str, ...]:
    reasons = []
    if impact.stranded:
        named = ", ".join(f"{d.name} (#{d.deal_id}, {d.process_key}/{d.stage_key})" for d in impact.stranded[:10])
        more = f" and {len(impact.stranded) - 10} more" if len(impact.stranded) > 10 else ""
        reasons.append(
            f"{len(impact.stranded)} open deal(s) sit in a stage or process the new definitions remove: {named}{more}; "
            "move them first, or map the old key with `formerly:`"
        )
    if impact.orphans and not accept_orphans:
        for orphan in impact.orphans:
            reasons.append(
                f"{orphan.kind} {orphan.process_key + '/' if orphan.kind != 'process' else ''}{orphan.key!s} "
                f"would no longer resolve: {orphan.deals} deal(s) hold it; add it under `formerly:` where it was "
                "renamed, or accept the loss explicitly (the recorded work stays in the database)"
            )
    return tuple(reasons)
