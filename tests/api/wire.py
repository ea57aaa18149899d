"""What the requests' pooled connections send to PostgreSQL, as asyncpg's query logger sees it: statements sent
by `execute` (BEGIN, the ping `;` ...; prepared statements are not listed), and the server processes behind
them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from api.db import Database


@dataclass
class Wire:
    sent: list[str] = field(default_factory=list)
    pids: set[int] = field(default_factory=set)

    def began(self) -> bool:
        return any(sql.startswith("BEGIN") for sql in self.sent)


@contextmanager
def watching_the_wire(database: Database) -> Iterator[Wire]:
    wire = Wire()
    logged: list[Any] = []

    def log(query: Any) -> None:
        wire.sent.append(query.query)

    def taken(dbapi_connection: Any, *_: Any) -> None:
        driver = dbapi_connection.driver_connection
        driver.add_query_logger(log)
        wire.pids.add(driver.get_server_pid())
        logged.append(driver)

    pool = database.engine.sync_engine.pool
    event.listen(pool, "checkout", taken, insert=True)  # before the ping, so that the ping is seen
    try:
        yield wire
    finally:
        event.remove(pool, "checkout", taken)
        for driver in logged:
            driver.remove_query_logger(log)
