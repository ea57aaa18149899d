"""Load what a page of deals' selected fields need before those fields run, one batch per loader.

Each `Deal` field says what it reads (`reads=` on the field, see `loaders.Reads`); the statements are the
ones the fields' loaders would run anyway. Loading them up front lets the fields answer synchronously
(see `api/graphql/core/loaded.py`) instead of as a task per field.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from functools import cache

from strawberry.types.base import get_object_definition
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection
from strawberry.utils.str_converters import to_camel_case

from api.db.models import Deal
from api.graphql.accounts.loaders import UserByIdLoader
from api.graphql.core.context import Info_
from api.graphql.core.fields import READS
from api.graphql.deals.loaders import CompletionsByDealIdLoader, EventsByDealIdLoader, Reads
from api.graphql.deals.types import DealType
from api.process import Outcome


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


@cache
def reads_by_field() -> dict[str, Reads]:
    """What each `Deal` field reads, by its GraphQL name."""
    definition = get_object_definition(DealType, strict=True)
    return {
        field.graphql_name or to_camel_case(field.python_name): field.metadata[READS]
        for field in definition.fields
        if isinstance(field.metadata.get(READS), Reads)
    }


async def prefetch_deal_page(info: Info_, deals: Sequence[Deal], *, node_path: tuple[str, ...]) -> None:
    """Prime the request's loaders for `deals`, whose fields the query selects at `node_path`."""
    if not deals:
        return
    node = selected(info.selected_fields, *node_path)
    reads = [reads_by_field()[name] for name in node if name in reads_by_field()]
    ids = [deal.id for deal in deals]
    loaders = list(dict.fromkeys(loader for r in reads for loader in r.loaders))
    pending = [loader.of(info.context).load_many(ids) for loader in loaders]
    lost = [deal.id for deal in deals if deal.status == Outcome.LOST.value]
    if lost and EventsByDealIdLoader not in loaders and any(r.events_if_lost for r in reads):
        pending.append(EventsByDealIdLoader.of(info.context).load_many(lost))
    await asyncio.gather(*pending)
    user_ids = await _referenced_user_ids(info, deals, owner=any(r.owner for r in reads), node_path=node_path)
    if user_ids:
        await UserByIdLoader.of(info.context).load_many(sorted(user_ids))


async def _referenced_user_ids(
    info: Info_, deals: Sequence[Deal], *, owner: bool, node_path: tuple[str, ...]
) -> set[int]:
    """The owners, completers and actors the selected fields will show."""
    top, ids = info.selected_fields, [deal.id for deal in deals]
    user_ids: set[int] = {deal.owner_id for deal in deals} if owner else set()
    if "completedBy" in selected(top, *node_path, "milestones"):
        for completions in await CompletionsByDealIdLoader.of(info.context).load_many(ids):
            user_ids.update(c.completed_by_id for c in completions)
    if "actor" in selected(top, *node_path, "history"):
        for events in await EventsByDealIdLoader.of(info.context).load_many(ids):
            user_ids.update(e.actor_id for e in events)
    return user_ids
