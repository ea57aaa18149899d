"""What changed between two readings of the process definitions, as a list of plain changes.

Stages are matched by key, or by a former key (`formerly:`) for a rename; milestones likewise, anywhere in
their process, so a milestone that changes stage is one change ("moved"), not a removal and an addition.
Competitors and content are matched by key. Used by `waymark process diff`, by publishing (to report
what a new version changes) and by the guidebook's "What changed" page.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from api.process.models import Competitor, ContentItem, Milestone, Process, ProcessDefinitions, Stage


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    RENAMED = "renamed"
    MOVED = "moved"
    CHANGED = "changed"


class Subject(StrEnum):
    BRANDING = "branding"
    PROCESS = "process"
    STAGE = "stage"
    MILESTONE = "milestone"
    COMPETITOR = "competitor"
    CONTENT = "content"


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One difference. `where` locates it (`new-business/sal/finance-sign-off`); `field` names the field
    for a CHANGED one, with its value `before` and `after` (for MOVED, the stage; for RENAMED, the key)."""

    kind: ChangeKind
    subject: Subject
    where: str
    field: str | None = None
    before: Any = None
    after: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "subject": self.subject.value,
            "where": self.where,
            "field": self.field,
            "before": self.before,
            "after": self.after,
        }


MILESTONE_FIELDS = ("title", "mandatory", "weight", "typical_days", "why", "ask", "questions", "activities")
STAGE_FIELDS = ("name", "objective", "probability", "outcome")
PROCESS_FIELDS = ("name", "description", "version", "milestone_limit", "entry_stage", "competitor_order")
COMPETITOR_FIELDS = (
    "name",
    "short_name",
    "status_quo",
    "summary",
    "when_we_win",
    "when_they_win",
    "strengths",
    "weaknesses",
    "landmines",
    "objections",
    "proof_points",
)
CONTENT_FIELDS = ("title", "kind", "url", "description")


def diff_definitions(old: ProcessDefinitions, new: ProcessDefinitions) -> tuple[Change, ...]:
    """Every change from `old` to `new`, processes first (in `new`'s order, removed ones last), then
    competitors, then content, then the guidebook's branding."""
    return (
        *_processes(old.processes, new.processes),
        *_keyed(Subject.COMPETITOR, old.competitors, new.competitors, COMPETITOR_FIELDS),
        *_keyed(Subject.CONTENT, old.content, new.content, CONTENT_FIELDS),
        *_fields(Subject.BRANDING, "guidebook", old.branding, new.branding, tuple(type(new.branding).model_fields)),
    )


def _processes(old: Sequence[Process], new: Sequence[Process]) -> Iterator[Change]:
    before = {p.key: p for p in old}
    for process in new:
        earlier = before.pop(process.key, None)
        if earlier is None:
            yield Change(kind=ChangeKind.ADDED, subject=Subject.PROCESS, where=process.key)
            continue
        yield from _fields(Subject.PROCESS, process.key, earlier, process, PROCESS_FIELDS)
        yield from _stages(earlier, process)
        yield from _milestones(earlier, process)
    for gone in before.values():
        yield Change(kind=ChangeKind.REMOVED, subject=Subject.PROCESS, where=gone.key)


def _stages(old: Process, new: Process) -> Iterator[Change]:
    matched: set[str] = set()
    old_order = [s.key for s in old.stages]
    for stage in new.stages:
        earlier = _match(old.stages, stage)
        where = f"{new.key}/{stage.key}"
        if earlier is None:
            yield Change(kind=ChangeKind.ADDED, subject=Subject.STAGE, where=where)
            continue
        matched.add(earlier.key)
        if earlier.key != stage.key:
            yield Change(
                kind=ChangeKind.RENAMED, subject=Subject.STAGE, where=where, before=earlier.key, after=stage.key
            )
        yield from _fields(Subject.STAGE, where, earlier, stage, STAGE_FIELDS)
    new_order = [_match(old.stages, s) for s in new.stages]
    kept_order = [s.key for s in new_order if s is not None]
    if kept_order != [key for key in old_order if key in matched]:
        yield Change(
            kind=ChangeKind.MOVED,
            subject=Subject.STAGE,
            where=new.key,
            field="order",
            before=old_order,
            after=kept_order,
        )
    for gone in old.stages:
        if gone.key not in matched:
            yield Change(kind=ChangeKind.REMOVED, subject=Subject.STAGE, where=f"{old.key}/{gone.key}")


def _milestones(old: Process, new: Process) -> Iterator[Change]:
    matched: set[str] = set()
    for stage in new.stages:
        for milestone in stage.milestones:
            earlier = _match(old.milestones, milestone)
            where = f"{new.key}/{stage.key}/{milestone.key}"
            if earlier is None:
                yield Change(kind=ChangeKind.ADDED, subject=Subject.MILESTONE, where=where)
                continue
            matched.add(earlier.key)
            yield from _milestone_changes(old, earlier, new, stage, milestone, where)
    for gone in old.milestones:
        if gone.key not in matched:
            home = old.stage_of(gone.key)
            where = f"{old.key}/{home.key if home else '?'}/{gone.key}"
            yield Change(kind=ChangeKind.REMOVED, subject=Subject.MILESTONE, where=where)


def _milestone_changes(
    old: Process, earlier: Milestone, new: Process, stage: Stage, milestone: Milestone, where: str
) -> Iterator[Change]:
    if earlier.key != milestone.key:
        yield Change(
            kind=ChangeKind.RENAMED, subject=Subject.MILESTONE, where=where, before=earlier.key, after=milestone.key
        )
    old_stage = old.stage_of(earlier.key)
    new_stage_of_old = new.stage(old_stage.key) if old_stage is not None else None
    if new_stage_of_old is None or new_stage_of_old.key != stage.key:
        before = old_stage.key if old_stage is not None else None
        yield Change(kind=ChangeKind.MOVED, subject=Subject.MILESTONE, where=where, before=before, after=stage.key)
    yield from _fields(Subject.MILESTONE, where, earlier, milestone, MILESTONE_FIELDS)
    content_before = [f"{u.content} ({u.send_when})" for u in earlier.content]
    content_after = [f"{u.content} ({u.send_when})" for u in milestone.content]
    if content_before != content_after:
        yield Change(
            kind=ChangeKind.CHANGED,
            subject=Subject.MILESTONE,
            where=where,
            field="content",
            before=content_before,
            after=content_after,
        )
    yield from _plays(where, earlier, milestone)


def _plays(where: str, earlier: Milestone, milestone: Milestone) -> Iterator[Change]:
    before = {p.competitor: p for p in earlier.plays}
    after = {p.competitor: p for p in milestone.plays}
    for competitor in [*after, *(c for c in before if c not in after)]:
        old, new = before.get(competitor), after.get(competitor)
        if old != new:
            yield Change(
                kind=ChangeKind.CHANGED,
                subject=Subject.MILESTONE,
                where=where,
                field=f"plays.{competitor}",
                before=None if old is None else _play_text(old.play, old.talk_track),
                after=None if new is None else _play_text(new.play, new.talk_track),
            )


def _play_text(play: str, talk_track: str | None) -> str:
    return play if not talk_track else f"{play} — {talk_track}"


def _keyed(
    subject: Subject,
    old: Sequence[Competitor] | Sequence[ContentItem],
    new: Sequence[Competitor] | Sequence[ContentItem],
    fields: tuple[str, ...],
) -> Iterator[Change]:
    before = {item.key: item for item in old}
    for item in new:
        earlier = before.pop(item.key, None)
        if earlier is None:
            yield Change(kind=ChangeKind.ADDED, subject=subject, where=item.key)
        else:
            yield from _fields(subject, item.key, earlier, item, fields)
    for gone in before.values():
        yield Change(kind=ChangeKind.REMOVED, subject=subject, where=gone.key)


def _match(candidates: Sequence[Stage] | Sequence[Milestone], item: Stage | Milestone) -> Any:
    """The candidate with `item`'s key, else the one whose key `item` lists under `formerly`."""
    by_key = {c.key: c for c in candidates}
    if item.key in by_key:
        return by_key[item.key]
    return next((by_key[former] for former in item.formerly if former in by_key), None)


def _fields(subject: Subject, where: str, old: Any, new: Any, fields: tuple[str, ...]) -> Iterator[Change]:
    for name in fields:
        before, after = _plain(getattr(old, name)), _plain(getattr(new, name))
        if before != after:
            yield Change(kind=ChangeKind.CHANGED, subject=subject, where=where, field=name, before=before, after=after)


def _plain(value: Any) -> Any:
    """A value as JSON would hold it: tuples as lists, enums as their values, models as dicts."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, StrEnum):
        return value.value
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value
