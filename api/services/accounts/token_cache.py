"""Who holds a token, remembered for a few seconds, so a request that is only signed in reads nothing.

Every server keeps its own copy and trusts it for `seconds` at most (`WAYMARK_TOKEN_CACHE_SECONDS`, default 5):
a token revoked (or a user changed) in the database is refused by every server sharing it within that time,
without any message between them. Unknown tokens are remembered as unknown for as long.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from api.services.accounts.tokens import hash_token
from api.services.accounts.viewer import Viewer


class ViewerCache:
    """Viewers by (database, token hash), each trusted for `seconds` after it was read."""

    def __init__(self, *, limit: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: dict[tuple[int, str], tuple[float, Viewer | None]] = {}
        self._limit = limit
        self._clock = clock

    async def viewer(
        self, *, database: object, token: str, seconds: float, look_up: Callable[[], Awaitable[Viewer | None]]
    ) -> Viewer | None:
        """The cached viewer of `token`, or `look_up()`'s, remembered."""
        if not token:
            return None
        if seconds <= 0:
            return await look_up()
        key = (id(database), hash_token(token))
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and now - entry[0] < seconds:
            return entry[1]
        viewer = await look_up()
        if len(self._entries) >= self._limit:
            self._entries.pop(next(iter(self._entries)))  # the oldest
        self._entries[key] = (now, viewer)
        return viewer

    def forget(self) -> None:
        self._entries.clear()


viewer_cache = ViewerCache()
