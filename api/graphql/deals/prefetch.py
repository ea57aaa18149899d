"""Load what a page of deals' selected fields need before those fields run, one batch per loader, in one turn
on the session (with the deals themselves, where they are read here too).

Each `Deal` field says what it reads (`reads=` on the field, see `loaders.Reads`); the statements are the
ones the fields' loaders would run anyway. Loading them up front lets the fields answer synchronously
(see `api/graphql/core/loaded.py`) instead of as a task per field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from operator import is_
from typing import Any

from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, InlineFragmentNode, SelectionNode
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types.base import get_object_definition
from strawberry.utils.str_converters import to_camel_case

from api.db.batches import reads_on_driver
from api.graphql.accounts.loaders import TeamByIdLoader, UserByIdLoader
from api.graphql.core.context import Info_
from api.graphql.core.fields import READS
from api.graphql.core.loaded import held
from api.graphql.core.loaders import RequestLoader, read_together
from api.graphql.deals.loaders import (
    CompetitorKeysByDealIdLoader,
    CompletionsByDealIdLoader,
    DealByIdLoader,
    EventsByDealIdLoader,
    Reads,
)
from api.graphql.deals.types import DealType
from api.process import Outcome
from api.services.accounts.viewer import Viewer
from api.services.deals import queries as deal_queries
from api.services.deals.queries import DealRow


def selected(info: Info_, *path: str) -> frozenset[str]:
    """The field names selected at `path` from the field `info` resolves (`path` starts with its name), through
    fragments and aliases.

    Read from the operation's syntax tree and kept with it: the parsed document is cached and reused, so a
    front end's every request for the same page walks it once."""
    nodes = info._raw_info.field_nodes
    key = (*map(id, nodes), *path)
    known = _SELECTED.get(key)
    if known is not None and len(known[0]) == len(nodes) and all(map(is_, known[0], nodes)):
        return known[1]
    names = frozenset(_names(info._raw_info.fragments, nodes, path))
    if len(_SELECTED) >= 1024:
        _SELECTED.clear()
    _SELECTED[key] = (tuple(nodes), names)
    return names


_SELECTED: dict[tuple[Any, ...], tuple[tuple[FieldNode, ...], frozenset[str]]] = {}


def _names(
    fragments: dict[str, FragmentDefinitionNode], selections: Iterable[SelectionNode], path: Sequence[str]
) -> Iterator[str]:
    for selection in selections:
        if isinstance(selection, FieldNode):
            if not path:
                yield selection.name.value
            elif selection.name.value == path[0] and selection.selection_set is not None:
                yield from _names(fragments, selection.selection_set.selections, path[1:])
        elif isinstance(selection, InlineFragmentNode):
            yield from _names(fragments, selection.selection_set.selections, path)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _names(fragments, fragment.selection_set.selections, path)


@cache
def reads_by_field() -> dict[str, Reads]:
    """What each `Deal` field reads, by its GraphQL name."""
    definition = get_object_definition(DealType, strict=True)
    return {
        field.graphql_name or to_camel_case(field.python_name): field.metadata[READS]
        for field in definition.fields
        if isinstance(field.metadata.get(READS), Reads)
    }


async def prefetch_deal_page(info: Info_, deals: Sequence[DealRow], *, node_path: tuple[str, ...]) -> None:
    """Prime the request's loaders for `deals`, whose fields the query selects at `node_path`, in one turn on
    the session (what the loaders hold already is not read again)."""
    if not deals:
        return

    async def read(session: AsyncSession) -> None:
        await read_deal_page(info, session, deals, node_path=node_path)

    await info.context.unit_of_work.read(read)


async def deal_with_page(info: Info_, viewer: Viewer, pk: int, *, node_path: tuple[str, ...]) -> DealRow | None:
    """One deal `viewer` may see, by primary key, with what its selected fields read: the deal and the rest in
    one turn on the session (a deal page's reads, without a batch of its own for the deal); on PostgreSQL, when
    the request reads outside a transaction (a query, once its token is known), in one statement
    (`_read_nested`)."""
    loader = DealByIdLoader.of(info.context)
    if loader.cache_map.get(pk) is not None:  # read, or being read, for another field of the request
        found = await loader.load(pk)
        if found is not None:
            await prefetch_deal_page(info, [found], node_path=node_path)
        return found

    async def read(session: AsyncSession) -> DealRow | None:
        if reads_on_driver(session):
            found = await _read_nested(info, session, viewer, pk, node_path=node_path)
        else:
            found = (await loader.read_for(session, viewer, [pk]))[0]
        if found is not None:
            await read_deal_page(info, session, [found], node_path=node_path)  # what it did not read
        return found

    return await info.context.unit_of_work.read(read)


async def _read_nested(
    info: Info_, session: AsyncSession, viewer: Viewer, pk: int, *, node_path: tuple[str, ...]
) -> DealRow | None:
    """The deal with what its selected fields read nested in the same statement (`deal_pages_by_ids`, on
    PostgreSQL): one round trip instead of one per loader. The loaders are primed with what it found."""
    context = info.context
    reads = _reads(info, node_path)
    loaders = {loader for r in reads for loader in r.loaders}
    users_with = _users_read_with(info, node_path)
    events = EventsByDealIdLoader in loaders or any(r.events_if_lost for r in reads)  # its status is not known yet
    parts = deal_queries.DealPageParts(
        competitors=CompetitorKeysByDealIdLoader in loaders,
        completions=CompletionsByDealIdLoader in loaders,
        completers=CompletionsByDealIdLoader in users_with,
        events=events,
        actors=events and EventsByDealIdLoader in users_with,
        owner=any(r.owner for r in reads),
    )
    page = (await deal_queries.deal_pages_by_ids(session, viewer=viewer, ids=[pk], parts=parts))[0]
    DealByIdLoader.of(context).prime(pk, None if page is None else page.deal)
    if page is None:
        return None
    if page.competitor_keys is not None:
        CompetitorKeysByDealIdLoader.of(context).prime(pk, page.competitor_keys)
    if page.completions is not None:
        CompletionsByDealIdLoader.of(context).prime(pk, page.completions)
    if page.events is not None:
        EventsByDealIdLoader.of(context).prime(pk, page.events)
    UserByIdLoader.of(context).prime_many({user.id: user for user in page.users})
    return page.deal


def _reads(info: Info_, node_path: tuple[str, ...]) -> list[Reads]:
    """What the `Deal` fields selected at `node_path` read."""
    return [reads_by_field()[name] for name in selected(info, *node_path) if name in reads_by_field()]


async def read_deal_page(
    info: Info_, session: AsyncSession, deals: Sequence[DealRow], *, node_path: tuple[str, ...]
) -> None:
    """`prefetch_deal_page`'s reads, on the session of a turn the caller has: after the deals themselves, say.

    The completers and actors the fields show are read with their completions and events (`read_joined`); the
    owners, and any user those did not bring, after them. What the loaders hold already is not read again. A
    value a loader is still reading is not waited for (its read needs a turn on the session, which this one
    holds): the field that needs it waits for it then."""
    context = info.context
    reads = _reads(info, node_path)
    ids = [deal.id for deal in deals]
    loaders = list(dict.fromkeys(loader for r in reads for loader in r.loaders))
    wanted: list[tuple[type[RequestLoader[int, Any]], Sequence[int]]] = [(loader, ids) for loader in loaders]
    lost = [deal.id for deal in deals if deal.status == Outcome.LOST.value]
    if lost and EventsByDealIdLoader not in loaders and any(r.events_if_lost for r in reads):
        wanted.append((EventsByDealIdLoader, lost))
    await read_together(context, session, wanted, joined=_users_read_with(info, node_path))
    user_ids = _referenced_user_ids(info, deals, owner=any(r.owner for r in reads), node_path=node_path)
    if not user_ids:
        return
    await read_together(context, session, [(UserByIdLoader, sorted(user_ids))])
    if any("team" in selected(info, *node_path, *path) for path in _USER_FIELDS):
        users = UserByIdLoader.of(context)
        team_ids = {user.team_id for key in user_ids if (user := held(users, key)[1]) is not None}
        await read_together(context, session, [(TeamByIdLoader, sorted(i for i in team_ids if i is not None))])


_USER_FIELDS = (("owner",), ("milestones", "completedBy"), ("history", "actor"))
"""Where a deal's fields show a user."""
_USERS_READ_WITH: dict[tuple[str, str], type[RequestLoader[int, Any]]] = {
    ("milestones", "completedBy"): CompletionsByDealIdLoader,
    ("history", "actor"): EventsByDealIdLoader,
}
"""The users a deal's fields show that its loaders can read with their own rows (`read_joined`)."""


def _users_read_with(info: Info_, node_path: tuple[str, ...]) -> set[type[RequestLoader[int, Any]]]:
    """The loaders whose rows' users the fields selected at `node_path` show: read with them."""
    return {loader for (field, user), loader in _USERS_READ_WITH.items() if user in selected(info, *node_path, field)}


def _referenced_user_ids(info: Info_, deals: Sequence[DealRow], *, owner: bool, node_path: tuple[str, ...]) -> set[int]:
    """The owners, completers and actors the selected fields will show, of what the loaders hold."""
    user_ids: set[int] = {deal.owner_id for deal in deals} if owner else set()
    if "completedBy" in selected(info, *node_path, "milestones"):
        completions = CompletionsByDealIdLoader.of(info.context)
        for deal in deals:
            user_ids.update(c.completed_by_id for c in held(completions, deal.id)[1] or ())
    if "actor" in selected(info, *node_path, "history"):
        events = EventsByDealIdLoader.of(info.context)
        for deal in deals:
            user_ids.update(e.actor_id for e in held(events, deal.id)[1] or ())
    return user_ids
