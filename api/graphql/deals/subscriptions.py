"""Deal state pushed to the browser over `graphql-transport-ws`: `dealChanged(filter)` and `dealEvents(dealId)`.

Each change is read afresh for the subscriber, as their viewer, in a scope of its own (`next_event`): the
same visibility rules as queries, checked per event; a revoked token ends the stream with an error; a deal
moved out of sight is no longer sent (and ends `dealEvents`). A subscriber that falls more than its queue
behind is told why and disconnected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, DealEvent
from api.graphql.core import fields
from api.graphql.core.context import Info_, WaymarkContext, require_viewer
from api.graphql.core.errors import ClientError, NotAuthenticated
from api.graphql.core.ids import pk_of
from api.graphql.deals.events import DealEventType
from api.graphql.deals.inputs import DealFilterInput
from api.graphql.deals.resolvers import to_deal_filter
from api.graphql.deals.types import DealType
from api.services.accounts.viewer import Viewer
from api.services.deals import queries
from api.services.deals.changes import Subscriber

log = logging.getLogger("waymark.subscriptions")

FELL_BEHIND = 4413
"""The close code for a subscriber that fell too far behind (4000-4999 are the application's)."""


@strawberry.type(description="A deal after a change, with the event that caused it.")
class DealChange:
    deal: DealType = strawberry.field(description="The deal as it is after the change.")
    event: DealEventType = strawberry.field(description="The newest event of the change (e.g. `moved`).")
    events: list[DealEventType] = strawberry.field(
        description="Every event the change recorded, oldest first (an override records two)."
    )


@strawberry.type
class DealSubscription:
    @fields.subscription(
        description="Every change to a deal you may see (and that matches `filter`), as it is committed: the deal "
        "after the change and the events that caused it. Authenticate in `connection_init` with "
        '`{"Authorization": "Bearer <token>"}`.'
    )
    async def deal_changed(
        self,
        info: Info_,
        filter: Annotated[DealFilterInput | None, strawberry.argument(description="Which deals.")] = None,
    ) -> AsyncGenerator[DealChange, None]:
        viewer = await require_viewer(info)
        deal_filter = to_deal_filter(filter, definitions=info.context.definitions)
        started_after = await info.context.unit_of_work.read(queries.newest_event_id)
        seen: dict[int, int] = {}
        async with _subscribed(info.context) as subscriber:
            while (deal_id := await subscriber.next()) is not None:
                viewer = await _still_signed_in(info.context)
                after = seen.get(deal_id, started_after)
                change = await _change(info.context, viewer, deal_id, deal_filter, after=after)
                if change is not None:
                    seen[deal_id] = int(change.event.row.id)
                    yield change

    @fields.subscription(
        description="The events of one deal as they are recorded, oldest first; ends when the deal is no longer "
        "one you may see. Authenticate in `connection_init`."
    )
    async def deal_events(
        self,
        info: Info_,
        deal_id: Annotated[strawberry.ID, strawberry.argument(description="The deal's global ID.")],
    ) -> AsyncGenerator[DealEventType, None]:
        viewer = await require_viewer(info)
        pk = pk_of(deal_id, type_name="Deal")
        context = info.context
        last = await _newest_event_if_visible(context, viewer, pk)
        if last is None:
            raise ClientError(f"dealId: no deal {deal_id!r} you may see")
        async with _subscribed(context) as subscriber:
            while (changed := await subscriber.next()) is not None:
                if changed != pk:
                    continue
                viewer = await _still_signed_in(context)
                assert pk is not None
                change = await _change(context, viewer, pk, None, after=last)
                if change is None:
                    return  # moved out of sight
                for event in change.events:
                    yield event
                last = int(change.event.row.id)


async def _still_signed_in(context: WaymarkContext) -> Viewer:
    """A fresh scope for this event, and its viewer: a token revoked meanwhile ends the stream."""
    await context.next_event()
    viewer = await context.viewer()
    if viewer is None:
        raise NotAuthenticated("the token is no longer valid; the subscription has ended")
    return viewer


async def _change(
    context: WaymarkContext, viewer: Viewer, deal_id: int, deal_filter: queries.DealFilter | None, *, after: int
) -> DealChange | None:
    """The deal as the viewer may see it now, with its events after `after`; None when it is out of sight
    (or the change recorded nothing new for this subscriber)."""

    async def read(session: AsyncSession) -> tuple[Deal | None, list[DealEvent]]:
        deal = await queries.changed_deal(session, viewer=viewer, deal_id=deal_id, deal_filter=deal_filter)
        if deal is None:
            return None, []
        return deal, await queries.events_after(session, deal_id=deal_id, after_id=after)

    deal, events = await context.unit_of_work.read(read)
    process = None if deal is None else context.definitions.process(deal.process_key)
    if deal is None or process is None or not events:
        return None
    shown = [DealEventType(row=event, process=process) for event in events]
    return DealChange(deal=DealType(row=deal), event=shown[-1], events=shown)


async def _newest_event_if_visible(context: WaymarkContext, viewer: Viewer, pk: int | None) -> int | None:
    if pk is None:
        return None

    async def read(session: AsyncSession) -> int | None:
        deal = await queries.changed_deal(session, viewer=viewer, deal_id=pk)
        return None if deal is None else await queries.newest_event_id(session, deal_id=pk)

    return await context.unit_of_work.read(read)


@contextlib.asynccontextmanager
async def _subscribed(context: WaymarkContext) -> AsyncIterator[Subscriber]:
    """A subscriber on this server's changes for the life of the stream. Once it falls behind, the WebSocket
    is closed saying why (even while a send to a client that stopped reading is waiting); when the stream
    ends, however it ends, the scope of its last event is closed."""
    with context.changes.subscribe(size=context.settings.subscriber_queue_size) as subscriber:
        watcher = asyncio.create_task(_disconnect_when_behind(context, subscriber))
        try:
            yield subscriber
        finally:
            watcher.cancel()
            await context.end_events()


async def _disconnect_when_behind(context: WaymarkContext, subscriber: Subscriber) -> None:
    await subscriber.fell_behind.wait()
    log.info("a subscriber fell behind; disconnecting it")
    if context.websocket is not None:
        reason = f"Too slow: more than {subscriber.queue.maxsize} changes waiting; reconnect and refetch"
        with contextlib.suppress(Exception):
            await asyncio.wait_for(context.websocket.close(code=FELL_BEHIND, reason=reason), timeout=5)
