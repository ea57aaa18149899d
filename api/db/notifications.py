"""Hearing what other servers did: PostgreSQL `LISTEN` on one dedicated connection, kept open and reopened
after a loss. Payloads carry ids only; the listener reads the data itself. (`NOTIFY` is sent inside the
writer's transaction, so it is delivered only if that commits.)"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("waymark.notifications")

RECONNECT_SECONDS = 1.0


class Listener:
    """Calls `on_message(payload)` for every notification on `channel`, and `on_reconnect()` each time the
    connection is (re)opened, since notifications sent while it was down are lost: the caller re-checks."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        channel: str,
        on_message: Callable[[str], None],
        on_reconnect: Callable[[], None],
    ) -> None:
        self._engine = engine
        self._channel = channel
        self._on_message = on_message
        self._on_reconnect = on_reconnect
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"listen {self._channel}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await self._listen_until_lost()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a lost connection, a database restart: try again
                log.warning("listening on %s failed (%s); retrying in %s s", self._channel, error, RECONNECT_SECONDS)
            self.connected.clear()
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen_until_lost(self) -> None:
        async with self._engine.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            if raw is None:
                raise RuntimeError("the connection has no driver connection to listen on")
            lost = asyncio.Event()

            def heard(_connection: Any, _pid: int, _channel: str, payload: str) -> None:
                self._on_message(payload)

            raw.add_termination_listener(lambda _connection: lost.set())
            await raw.add_listener(self._channel, heard)
            self.connected.set()
            self._on_reconnect()
            try:
                await lost.wait()
            finally:
                with contextlib.suppress(Exception):
                    await raw.remove_listener(self._channel, heard)
