"""Who holds a token, remembered for a few seconds, so a request that is only signed in reads nothing.

Every server keeps its own copy and trusts an entry for `seconds` at most (`WAYMARK_TOKEN_CACHE_SECONDS`,
default 5), and never past the token's expiry. On PostgreSQL a revocation also notifies every server
(`tokens.TOKENS_CHANNEL`), which forgets everything at once; on a shared SQLite file the few seconds are the
bound. Unknown tokens are remembered as unknown for as long, so a stream of bad tokens costs one lookup each
per few seconds, not one per request.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from api.db.models import utc_now
from api.services.accounts.tokens import TokenHolder, hash_token
from api.services.accounts.viewer import Viewer


class ViewerCache:
    """Token holders by (database, token hash), each trusted for `seconds` after it was read."""

    def __init__(self, *, limit: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: dict[tuple[int, str], tuple[float, TokenHolder | None]] = {}
        self._limit = limit
        self._clock = clock

    async def viewer(
        self,
        *,
        database: object,
        token: str,
        seconds: float,
        look_up: Callable[[], Awaitable[TokenHolder | None]],
    ) -> Viewer | None:
        """The viewer holding `token`: remembered, or `look_up()`'s, remembered."""
        if not token:
            return None
        if seconds <= 0:
            return _working(await look_up())
        key = (id(database), hash_token(token))
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and now - entry[0] < seconds:
            return _working(entry[1])
        holder = await look_up()
        if key not in self._entries and len(self._entries) >= self._limit:
            self._entries.pop(next(iter(self._entries)))  # the oldest
        self._entries[key] = (now, holder)
        return _working(holder)

    def forget(self, _payload: str = "") -> None:
        """Forget every token (a revocation was heard, or notifications may have been missed)."""
        self._entries.clear()


def _working(holder: TokenHolder | None) -> Viewer | None:
    if holder is None or (holder.expires_at is not None and holder.expires_at <= utc_now()):
        return None
    return holder.viewer


viewer_cache = ViewerCache()
