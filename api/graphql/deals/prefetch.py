"""Load what a page of deals' selected fields need before those fields run, one batch per relation.

The statements are the ones the fields' DataLoaders would run anyway; loading them up front lets the
deal fields answer synchronously (see `api/graphql/core/loaded.py`) instead of as a task per field.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Sequence
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from api.db.models import Deal
from api.graphql.core.context import Info_
from api.process import Outcome

NEEDS_COMPLETIONS = frozenset(
    {
        "milestones",
        "remainingMilestones",
        "nextSteps",
        "blockers",
        "canAdvance",
        "strength",
        "plays",
        "blocked",
        "estimatedDaysToClose",
        "closeEstimate",
    }
)
NEEDS_COMPETITORS = frozenset({"competitors", "plays"})
LOST = Outcome.LOST.value


def selected(selections: Iterable[Selection], *path: str) -> set[str]:
    """The field names selected at `path` below `selections`, through fragments and aliases."""
    found: set[str] = set()
    for selection in selections:
        if isinstance(selection, FragmentSpread | InlineFragment):
            found |= selected(selection.selections, *path)
        elif isinstance(selection, SelectedField):
            if not path:
                found.add(selection.name)
            elif selection.name == path[0]:
                found |= selected(selection.selections, *path[1:])
    return found


async def prefetch_deal_page(info: Info_, deals: Sequence[Deal], *, node_path: tuple[str, ...]) -> None:
    """Prime the request's loaders for `deals`, whose fields the query selects at `node_path`."""
    if not deals:
        return
    node = selected(info.selected_fields, *node_path)
    await asyncio.gather(*_relation_loads(info, deals, node))
    user_ids = await _referenced_user_ids(info, deals, node, node_path=node_path)
    if user_ids:
        await info.context.loaders.user_by_id.load_many(sorted(user_ids))


def _relation_loads(info: Info_, deals: Sequence[Deal], node: set[str]) -> list[Awaitable[Any]]:
    loaders = info.context.loaders
    ids = [deal.id for deal in deals]
    pending: list[Awaitable[Any]] = []
    if node & NEEDS_COMPLETIONS:
        pending.append(loaders.completions_by_deal_id.load_many(ids))
    if node & NEEDS_COMPETITORS:
        pending.append(loaders.competitor_keys_by_deal_id.load_many(ids))
    if "history" in node:
        pending.append(loaders.events_by_deal_id.load_many(ids))
    elif "strength" in node and (lost := [deal.id for deal in deals if deal.status == LOST]):
        pending.append(loaders.events_by_deal_id.load_many(lost))  # a lost deal's strength reads its history
    return pending


async def _referenced_user_ids(
    info: Info_, deals: Sequence[Deal], node: set[str], *, node_path: tuple[str, ...]
) -> set[int]:
    """The owners, completers and actors the selected fields will show."""
    top, loaders, ids = info.selected_fields, info.context.loaders, [deal.id for deal in deals]
    user_ids: set[int] = set()
    if "owner" in node:
        user_ids.update(deal.owner_id for deal in deals)
    if "completedBy" in selected(top, *node_path, "milestones"):
        for completions in await loaders.completions_by_deal_id.load_many(ids):
            user_ids.update(c.completed_by_id for c in completions)
    if "actor" in selected(top, *node_path, "history"):
        for events in await loaders.events_by_deal_id.load_many(ids):
            user_ids.update(e.actor_id for e in events)
    return user_ids
