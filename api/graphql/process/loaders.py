"""What each process's recorded history says, once per request (and cached across requests until the
history changes: `api.services.history.cache`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from api.graphql.core.loaders import RequestLoader
from api.services.accounts.viewer import Viewer
from api.services.history.learned import LearnedHistory, learned_history


class LearnedHistoryByProcessKeyLoader(RequestLoader[str, LearnedHistory]):
    """By process key; the key must name a served process. Learned from what the viewer may see."""

    viewer: Viewer | None = None

    async def _load_batch(self, keys: list[str]) -> Sequence[LearnedHistory]:
        self.viewer = await self.context.viewer()
        return await super()._load_batch(keys)

    async def read(self, session: AsyncSession, keys: Sequence[str]) -> list[LearnedHistory]:
        today = datetime.now(UTC).date()
        learned = []
        for key in keys:
            process = self.context.definitions.process(key)
            if process is None:
                raise LookupError(f"process {key!r} is not served")
            learned.append(await learned_history(session, process=process, today=today, viewer=self.viewer))
        return learned
