"""What each process's recorded history says, once per request (and cached across requests until the
history changes: `api.services.history.cache`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from api.graphql.core.loaders import RequestLoader
from api.services.history.learned import LearnedHistory, learned_history


class LearnedHistoryByProcessKeyLoader(RequestLoader[str, LearnedHistory]):
    """By process key; the key must name a served process."""

    async def read(self, session: AsyncSession, keys: Sequence[str]) -> list[LearnedHistory]:
        today = datetime.now(UTC).date()
        learned = []
        for key in keys:
            process = self.context.definitions.process(key)
            if process is None:
                raise LookupError(f"process {key!r} is not served")
            learned.append(await learned_history(session, process=process, today=today))
        return learned
