"""What a server remembers of a token: trusted for a few seconds, never past the token's expiry, forgotten at
once when a revocation is heard."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from api.db.models import Role, utc_now
from api.services.accounts.token_cache import ViewerCache
from api.services.accounts.tokens import TokenHolder
from api.services.accounts.viewer import Viewer

REP = Viewer(id=1, name="Alice Rep", role=Role.REP, team_id=1)
DATABASE = object()


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Database:
    """Stands in for the token table: counts lookups and answers what it holds now."""

    def __init__(self, holder: TokenHolder | None) -> None:
        self.holder = holder
        self.lookups = 0

    async def look_up(self) -> TokenHolder | None:
        self.lookups += 1
        return self.holder


async def test_a_token_is_read_once_then_trusted_for_the_seconds_given():
    clock, tokens = Clock(), Database(TokenHolder(viewer=REP, expires_at=None))
    cache = ViewerCache(clock=clock)

    first = await cache.viewer(database=DATABASE, token="wmk_a", seconds=5, look_up=tokens.look_up)
    tokens.holder = None  # revoked in the database
    clock.now += 4.9
    within = await cache.viewer(database=DATABASE, token="wmk_a", seconds=5, look_up=tokens.look_up)
    clock.now += 0.2
    after = await cache.viewer(database=DATABASE, token="wmk_a", seconds=5, look_up=tokens.look_up)

    assert (first, within, after) == (REP, REP, None)
    assert tokens.lookups == 2


async def test_a_remembered_token_is_refused_once_it_expires():
    tokens = Database(TokenHolder(viewer=REP, expires_at=utc_now() + timedelta(milliseconds=50)))
    cache = ViewerCache(clock=Clock())  # the clock stands still: only the expiry can end the trust

    before = await cache.viewer(database=DATABASE, token="wmk_a", seconds=60, look_up=tokens.look_up)
    await asyncio.sleep(0.1)
    after = await cache.viewer(database=DATABASE, token="wmk_a", seconds=60, look_up=tokens.look_up)

    assert (before, after) == (REP, None)
    assert tokens.lookups == 1


async def test_forgetting_makes_the_next_request_read_again():
    tokens = Database(TokenHolder(viewer=REP, expires_at=None))
    cache = ViewerCache(clock=Clock())
    await cache.viewer(database=DATABASE, token="wmk_a", seconds=60, look_up=tokens.look_up)

    tokens.holder = None
    cache.forget("a revocation was heard")

    assert await cache.viewer(database=DATABASE, token="wmk_a", seconds=60, look_up=tokens.look_up) is None
    assert tokens.lookups == 2


async def test_unknown_tokens_are_remembered_too_and_no_caching_reads_every_time():
    unknown = Database(None)
    cache = ViewerCache(clock=Clock())
    for _ in range(3):
        assert await cache.viewer(database=DATABASE, token="wmk_bad", seconds=60, look_up=unknown.look_up) is None
    uncached = Database(TokenHolder(viewer=REP, expires_at=None))
    for _ in range(3):
        assert await cache.viewer(database=DATABASE, token="wmk_a", seconds=0, look_up=uncached.look_up) == REP

    assert (unknown.lookups, uncached.lookups) == (1, 3)


async def test_the_oldest_entry_makes_room_at_the_limit():
    cache = ViewerCache(limit=2, clock=Clock())
    tokens = Database(TokenHolder(viewer=REP, expires_at=None))
    for token in ("wmk_a", "wmk_b", "wmk_c", "wmk_c", "wmk_b", "wmk_a"):
        await cache.viewer(database=DATABASE, token=token, seconds=60, look_up=tokens.look_up)

    assert tokens.lookups == 4  # a, b, c read; then a again, as it made room for c
