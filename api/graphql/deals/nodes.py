"""`node(id)` for what hangs off a deal (its events, checklist entries and plays), each shown only to whoever may
see the deal; and for process content, which anyone signed in may see."""

from __future__ import annotations

from inspect import isawaitable

from api.graphql.core.context import Info_
from api.graphql.core.ids import decode_global_id, pk_from
from api.graphql.core.node import Node
from api.graphql.deals.events import DealEventType
from api.graphql.deals.loaders import DealByIdLoader, DealEventByIdLoader
from api.graphql.deals.types import DealType
from api.graphql.process.nodes import process_content_node

DEAL_PARTS = ("DealMilestone", "DealPlay")


async def deal_event_node(info: Info_, pk: int) -> DealEventType | None:
    event = await DealEventByIdLoader.of(info.context).load(pk)
    deal = None if event is None else await DealByIdLoader.of(info.context).load(event.deal_id)
    process = None if deal is None else info.context.definitions.process(deal.process_key)
    return None if event is None or process is None else DealEventType(row=event, process=process)


async def node_named_by_keys(info: Info_, global_id: str) -> Node | None:
    """Process content, or a deal's checklist entry or play: the object whose ID is exactly `global_id`."""
    decoded = decode_global_id(global_id)
    if decoded is None:
        return None
    type_name, keys = decoded[0], decoded[1].split("/")
    if type_name in DEAL_PARTS:
        found = await _deal_part(info, type_name, keys, global_id)
    else:
        found = process_content_node(info.context.definitions, type_name, keys)
    # A former key finds the same object under its own ID; only the ID it is known by round-trips.
    return found if found is not None and found.id == global_id else None


async def _deal_part(info: Info_, type_name: str, keys: list[str], global_id: str) -> Node | None:
    pk = pk_from(keys[0])
    deal = None if pk is None else await DealByIdLoader.of(info.context).load(pk)
    if deal is None or info.context.definitions.process(deal.process_key) is None:
        return None
    view = DealType(row=deal)
    listed = view.milestones(info) if type_name == "DealMilestone" else view.plays(info)
    parts = await listed if isawaitable(listed) else listed
    return next((part for part in parts if part.id == global_id), None)
