"""The learned history of each process, once per request (and cached across requests until it changes)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from api.graphql.core.context import WaymarkContext
from api.services.learned_history import LearnedHistory, learned_history


def learned_history_by_process_key_loader(context: WaymarkContext) -> DataLoader[str, LearnedHistory]:
    """By process key; the key must name a loaded process."""

    async def load(session: AsyncSession, keys: Sequence[str]) -> list[LearnedHistory]:
        today = datetime.now(UTC).date()
        learned = []
        for key in keys:
            process = context.definitions.process(key)
            if process is None:
                raise LookupError(f"process {key!r} is not loaded")
            learned.append(await learned_history(session, process=process, today=today))
        return learned

    return context.loader(load)
