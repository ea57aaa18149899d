"""Per-request loaders for deals and what hangs off them, each one SQL statement per batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import DealEvent
from api.graphql.accounts.loaders import UserByIdLoader
from api.graphql.core.context import WaymarkContext
from api.graphql.core.loaders import RequestLoader, forget
from api.services.accounts.viewer import Viewer
from api.services.deals import queries


class DealByIdLoader(RequestLoader[int, queries.DealRow | None]):
    """Deals by primary key, only those the viewer may see (others load as None)."""

    async def _load_batch(self, keys: list[int]) -> list[queries.DealRow | None]:
        viewer = await self.context.viewer()
        if viewer is None:
            return [None for _ in keys]

        async def batch(session: AsyncSession) -> list[queries.DealRow | None]:
            return await queries.deals_by_ids(session, viewer=viewer, ids=keys)

        return await self.context.unit_of_work.read(batch)

    async def read_for(
        self, session: AsyncSession, viewer: Viewer, keys: Sequence[int]
    ) -> list[queries.DealRow | None]:
        """The deals of a batch read on the session of a turn the caller has, for `viewer`; the loader is primed
        with them (a key it already holds or is reading keeps that)."""
        found = await queries.deals_by_ids(session, viewer=viewer, ids=keys)
        self.prime_many(dict(zip(keys, found, strict=True)))
        return found


class CompletionsByDealIdLoader(RequestLoader[int, list[queries.CompletionRecord]]):
    async def read(self, session: AsyncSession, keys: Sequence[int]) -> list[list[queries.CompletionRecord]]:
        return await queries.completions_by_deal_ids(session, ids=keys)

    async def read_joined(self, session: AsyncSession, keys: Sequence[int]) -> list[list[queries.CompletionRecord]]:
        """`read`, with the users who completed them in the same statement, for the users loader."""
        completions, users = await queries.completions_and_completers_by_deal_ids(session, ids=keys)
        UserByIdLoader.of(self.context).prime_many({user.id: user for user in users})
        return completions


class EventsByDealIdLoader(RequestLoader[int, list[queries.EventRecord]]):
    async def read(self, session: AsyncSession, keys: Sequence[int]) -> list[list[queries.EventRecord]]:
        return await queries.events_by_deal_ids(session, ids=keys)

    async def read_joined(self, session: AsyncSession, keys: Sequence[int]) -> list[list[queries.EventRecord]]:
        """`read`, with the users who acted in the same statement, for the users loader."""
        events, users = await queries.events_and_actors_by_deal_ids(session, ids=keys)
        UserByIdLoader.of(self.context).prime_many({user.id: user for user in users})
        return events


class DealEventByIdLoader(RequestLoader[int, DealEvent | None]):
    """Events by their id, whoever's deal they belong to: check the deal with `DealByIdLoader` before showing one."""

    async def read(self, session: AsyncSession, keys: Sequence[int]) -> list[DealEvent | None]:
        return await queries.events_by_ids(session, ids=keys)


class CompetitorKeysByDealIdLoader(RequestLoader[int, list[str]]):
    async def read(self, session: AsyncSession, keys: Sequence[int]) -> list[list[str]]:
        return await queries.competitor_keys_by_deal_ids(session, ids=keys)


def forget_deal(context: WaymarkContext, deal_id: int) -> None:
    """Drop what the request has read of a deal a mutation just changed, so its result shows the change."""
    for loader in (CompletionsByDealIdLoader, EventsByDealIdLoader, CompetitorKeysByDealIdLoader, DealByIdLoader):
        forget(context, loader, deal_id)


@dataclass(frozen=True, slots=True)
class Reads:
    """What a `Deal` field reads through the request's loaders (declared on the field with `reads=`), so a
    page of deals loads it up front, one batch per loader, and the field answers without waiting."""

    loaders: tuple[type[RequestLoader[int, Any]], ...] = ()
    """Loaders keyed by the deal's id."""
    events_if_lost: bool = False
    """A lost deal also reads its history."""
    owner: bool = False
    """The deal's owner, from the users loader."""


COMPLETIONS = Reads(loaders=(CompletionsByDealIdLoader,))
COMPETITORS = Reads(loaders=(CompetitorKeysByDealIdLoader,))
COMPLETIONS_AND_COMPETITORS = Reads(loaders=(CompletionsByDealIdLoader, CompetitorKeysByDealIdLoader))
EVENTS = Reads(loaders=(EventsByDealIdLoader,))
STRENGTH = Reads(loaders=(CompletionsByDealIdLoader,), events_if_lost=True)
OWNER = Reads(owner=True)
