"""All DataLoaders of one request, created lazily on first use."""

from __future__ import annotations

from contextlib import suppress
from functools import cached_property

from strawberry.dataloader import DataLoader

from api.db.models import Deal, DealEvent, MilestoneCompletion, Team, User
from api.graphql.accounts.dataloaders import team_by_id_loader, user_by_id_loader
from api.graphql.core.context import WaymarkContext
from api.graphql.deals.dataloaders import (
    competitor_keys_by_deal_id_loader,
    completions_by_deal_id_loader,
    deal_by_id_loader,
    events_by_deal_id_loader,
)
from api.graphql.insights.dataloaders import learned_history_by_process_key_loader
from api.services.learned_history import LearnedHistory


class Loaders:
    def __init__(self, context: WaymarkContext) -> None:
        self._context = context

    @cached_property
    def deal_by_id(self) -> DataLoader[int, Deal | None]:
        return deal_by_id_loader(self._context)

    @cached_property
    def completions_by_deal_id(self) -> DataLoader[int, list[MilestoneCompletion]]:
        return completions_by_deal_id_loader(self._context)

    @cached_property
    def events_by_deal_id(self) -> DataLoader[int, list[DealEvent]]:
        return events_by_deal_id_loader(self._context)

    @cached_property
    def competitor_keys_by_deal_id(self) -> DataLoader[int, list[str]]:
        return competitor_keys_by_deal_id_loader(self._context)

    @cached_property
    def user_by_id(self) -> DataLoader[int, User | None]:
        return user_by_id_loader(self._context)

    @cached_property
    def team_by_id(self) -> DataLoader[int, Team | None]:
        return team_by_id_loader(self._context)

    @cached_property
    def learned_history_by_process_key(self) -> DataLoader[str, LearnedHistory]:
        return learned_history_by_process_key_loader(self._context)

    def forget_deal(self, deal_id: int) -> None:
        """Drop cached rows of a deal a mutation just changed, so its result shows the change."""
        for name in ("completions_by_deal_id", "events_by_deal_id", "competitor_keys_by_deal_id", "deal_by_id"):
            loader = self.__dict__.get(name)
            if loader is not None:
                with suppress(KeyError):
                    loader.clear(deal_id)
