"""What publishing new definitions would do to the deals already recorded, worked out before anything changes.

* **Orphans**: keys recorded work holds (a deal's process or stage, a completion's milestone, an event's
  stage or milestone) that resolve under the active version and would not under the new one: a removal,
  or a rename without `formerly:`. Each with how many deals hold it. A publish that orphans work is refused
  unless the publisher accepts it; the work itself is never deleted.
* **Stranded**: open deals whose stage or process would no longer exist. Always refused: move them first.
* **Blocked / unblocked**: open deals whose gate into their next stage would start or stop failing (a
  milestone made mandatory, a new mandatory milestone in an earlier stage, ...).
* **Strength and estimate**: open deals whose strength or estimated days to close would change.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealEvent, MilestoneCompletion
from api.deal_events import DealEventKind
from api.process import Outcome, Process, ProcessDefinitions
from api.services.deals import state
from api.services.forecast.days_to_close import estimate_days_to_close
from api.services.history.durations import milestone_durations
from api.services.history.records import DealSnapshot
from api.services.history.snapshots import open_snapshots_by_process


@dataclass(frozen=True, slots=True)
class OrphanedKey:
    """A recorded key that would stop resolving."""

    kind: str
    """`process`, `stage` or `milestone`."""
    process_key: str
    key: str
    deals: int
    """How many deals hold it (in their stage, completions or history)."""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "processKey": self.process_key, "key": self.key, "deals": self.deals}


@dataclass(frozen=True, slots=True)
class AffectedDeal:
    deal_id: int
    name: str
    process_key: str
    stage_key: str
    before: Any = None
    after: Any = None


@dataclass(frozen=True, slots=True)
class Impact:
    orphans: tuple[OrphanedKey, ...] = ()
    stranded: tuple[AffectedDeal, ...] = ()
    newly_blocked: tuple[AffectedDeal, ...] = ()
    newly_unblocked: tuple[AffectedDeal, ...] = ()
    strength_changes: tuple[AffectedDeal, ...] = ()
    """`before` and `after` are the strengths, 0 to 1."""
    estimate_changes: tuple[AffectedDeal, ...] = ()
    """`before` and `after` are the estimated days to close, by the definitions' typical days."""

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.orphans,
                self.stranded,
                self.newly_blocked,
                self.newly_unblocked,
                self.strength_changes,
                self.estimate_changes,
            )
        )


async def orphaned_work(session: AsyncSession, *, served: ProcessDefinitions) -> tuple[OrphanedKey, ...]:
    """Every recorded key that does not resolve in `served` (accepted orphans, and work recorded before
    versions existed against keys the first version lacked): four aggregate statements."""
    return tuple(_orphans(await _recorded_keys(session), old=None, new=served))


async def assess_impact(session: AsyncSession, *, old: ProcessDefinitions | None, new: ProcessDefinitions) -> Impact:
    """Five aggregate statements for the recorded keys, one for the stranded deals, two for the open deals."""
    held = await _recorded_keys(session)
    orphans = tuple(_orphans(held, old=old, new=new))
    stranded = await _stranded(session, orphans)
    if old is None:
        return Impact(orphans=orphans, stranded=stranded)
    changed = [p for p in new.processes if (before := old.process(p.key)) is not None and before != p]
    return Impact(orphans=orphans, stranded=stranded, **await _open_deal_changes(session, old=old, changed=changed))


@dataclass(frozen=True, slots=True)
class _Held:
    """How many deals hold each (process, key)."""

    processes: dict[str, int]
    stages: dict[tuple[str, str], int]
    milestones: dict[tuple[str, str], int]


async def _recorded_keys(session: AsyncSession) -> _Held:
    processes = dict(
        (str(key), int(n))
        for key, n in await session.execute(select(Deal.process_key, func.count()).group_by(Deal.process_key))
    )
    stage_keys = union_all(
        select(Deal.id.label("deal_id"), Deal.process_key, Deal.stage_key.label("key")),
        select(DealEvent.deal_id, Deal.process_key, DealEvent.from_stage).join(Deal, Deal.id == DealEvent.deal_id),
        select(DealEvent.deal_id, Deal.process_key, DealEvent.to_stage).join(Deal, Deal.id == DealEvent.deal_id),
    ).subquery("stage_keys")
    milestone_keys = union_all(
        select(MilestoneCompletion.deal_id, Deal.process_key, MilestoneCompletion.milestone_key.label("key")).join(
            Deal, Deal.id == MilestoneCompletion.deal_id
        ),
        select(DealEvent.deal_id, Deal.process_key, DealEvent.milestone_key).join(Deal, Deal.id == DealEvent.deal_id),
    ).subquery("milestone_keys")
    stages = await _deals_per_key(session, stage_keys)
    milestones = await _deals_per_key(session, milestone_keys)
    for (process_key, key), deal_ids in (await _skipped_by_overrides(session)).items():
        milestones[(process_key, key)] = milestones.get((process_key, key), 0) + len(deal_ids)
    return _Held(processes=processes, stages=stages, milestones=milestones)


async def _deals_per_key(session: AsyncSession, keys: Any) -> dict[tuple[str, str], int]:
    rows = await session.execute(
        select(keys.c.process_key, keys.c.key, func.count(keys.c.deal_id.distinct()))
        .where(keys.c.key.is_not(None))
        .group_by(keys.c.process_key, keys.c.key)
    )
    return {(str(process_key), str(key)): int(n) for process_key, key, n in rows}


async def _skipped_by_overrides(session: AsyncSession) -> dict[tuple[str, str], set[int]]:
    """Milestone keys recorded in overrides' lists of skipped milestones (kept as JSON), with their deals."""
    rows = await session.execute(
        select(DealEvent.deal_id, Deal.process_key, DealEvent.skipped_milestones)
        .join(Deal, Deal.id == DealEvent.deal_id)
        .where(DealEvent.kind == DealEventKind.GATE_OVERRIDDEN.value)
    )
    found: dict[tuple[str, str], set[int]] = defaultdict(set)
    for deal_id, process_key, skipped in rows:
        for key in skipped or ():
            found[(str(process_key), str(key))].add(int(deal_id))
    return found


def _orphans(held: _Held, *, old: ProcessDefinitions | None, new: ProcessDefinitions) -> list[OrphanedKey]:
    """Keys that resolve under `old` (any key, when there is no `old`) and not under `new`; a removed
    process is one orphan, not one per key inside it."""
    found: list[OrphanedKey] = []
    gone_processes: set[str] = set()
    for process_key, deals in sorted(held.processes.items()):
        if new.process(process_key) is None and (old is None or old.process(process_key) is not None):
            gone_processes.add(process_key)
            found.append(OrphanedKey(kind="process", process_key=process_key, key=process_key, deals=deals))
    for kind, keys in (("stage", held.stages), ("milestone", held.milestones)):
        for (process_key, key), deals in sorted(keys.items()):
            if process_key in gone_processes:
                continue
            if _resolves(new, kind, process_key, key) is False and _resolves(old, kind, process_key, key) is not False:
                found.append(OrphanedKey(kind=kind, process_key=process_key, key=key, deals=deals))
    return found


def _resolves(definitions: ProcessDefinitions | None, kind: str, process_key: str, key: str) -> bool | None:
    """Whether the key resolves; None when there are no definitions to say (before the first publish)."""
    if definitions is None:
        return None
    process = definitions.process(process_key)
    if process is None:
        return False
    return (process.stage(key) if kind == "stage" else process.milestone(key)) is not None


async def _stranded(session: AsyncSession, orphans: tuple[OrphanedKey, ...]) -> tuple[AffectedDeal, ...]:
    """Open deals in a process or stage that would be gone."""
    processes = [o.process_key for o in orphans if o.kind == "process"]
    stages = [(o.process_key, o.key) for o in orphans if o.kind == "stage"]
    if not processes and not stages:
        return ()
    conditions: list[ColumnElement[bool]] = [Deal.process_key.in_(processes)] if processes else []
    conditions += [and_(Deal.process_key == p, Deal.stage_key == s) for p, s in stages]
    query = select(Deal).where(Deal.status == Outcome.OPEN.value, or_(*conditions)).order_by(Deal.id)
    rows = (await session.scalars(query)).all()
    return tuple(
        AffectedDeal(deal_id=d.id, name=d.name, process_key=d.process_key, stage_key=d.stage_key) for d in rows
    )


async def _open_deal_changes(
    session: AsyncSession, *, old: ProcessDefinitions, changed: list[Process]
) -> dict[str, tuple[AffectedDeal, ...]]:
    """For the open deals of processes whose content changes: gate, strength and estimate, before and after."""
    lists: dict[str, list[AffectedDeal]] = defaultdict(list)
    if not changed:
        return {}
    now = datetime.now(UTC)
    for process_key, deal in await open_snapshots_by_process(session, process_keys=[p.key for p in changed]):
        before, after = old.process(process_key), next(p for p in changed if p.key == process_key)
        if before is None or after.stage(deal.stage_key) is None:
            continue  # stranded: reported as such
        for name, change in _deal_changes(deal, before=before, after=after, now=now).items():
            lists[name].append(change)
    return {name: tuple(items) for name, items in lists.items()}


def _deal_changes(deal: DealSnapshot, *, before: Process, after: Process, now: datetime) -> dict[str, AffectedDeal]:
    def affected(old_value: Any = None, new_value: Any = None) -> AffectedDeal:
        return AffectedDeal(
            deal_id=int(deal.deal_id),
            name=deal.name,
            process_key=before.key,
            stage_key=deal.stage_key,
            before=old_value,
            after=new_value,
        )

    done = deal.completed_milestones
    found: dict[str, AffectedDeal] = {}
    was_blocked, is_blocked = _blocked(before, deal.stage_key, done), _blocked(after, deal.stage_key, done)
    if is_blocked and not was_blocked:
        found["newly_blocked"] = affected()
    elif was_blocked and not is_blocked:
        found["newly_unblocked"] = affected()
    strengths = state.strength(before, deal.stage_key, done), state.strength(after, deal.stage_key, done)
    if strengths[0] != strengths[1]:
        found["strength_changes"] = affected(*strengths)
    days = _days_to_close(before, deal), _days_to_close(after, deal)
    if days[0] != days[1]:
        found["estimate_changes"] = affected(*days)
    return found


def _blocked(process: Process, stage_key: str, done: frozenset[str]) -> bool:
    gate = state.blockers(process, stage_key, done)
    return gate is not None and not gate.passed


def _days_to_close(process: Process, deal: DealSnapshot) -> int:
    durations = milestone_durations(process=process, observed={})
    return estimate_days_to_close(process=process, deal=deal, durations=durations).days_to_close
