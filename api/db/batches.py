"""Batch reads by key, built once and bound per batch.

Building a SQLAlchemy statement costs as much as running a small one (about 0.25 ms each on a 2-core machine,
measured against the same statement built once), and a request's loaders run several: each batch read is a
module-level statement whose keys are bound when it runs.

Running one costs twice its round trip again in SQLAlchemy's execution (its context, cursor, result and
rows: 0.2 to 0.3 ms against 0.1 ms for a deal's completions with asyncpg alone). `BatchRead` runs a read of
plain columns on asyncpg directly where that changes nothing: on PostgreSQL, outside a transaction (a query's
reads, see `api.graphql.core.unit_of_work`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Dialect,
    Select,
    any_,
    bindparam,
    func,
    literal_column,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import Connection, Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.types import NullType

AnySelect = Select[*tuple[Any, ...]]


def ids_param() -> BindParameter[Any]:
    """The keys of a batch, in a statement built once: bound when it runs, with `batch(ids)`."""
    return bindparam("ids", expanding=True)


def batch(ids: Iterable[Any]) -> dict[str, list[Any]]:
    """The parameters of a statement built with `ids_param`."""
    return {"ids": list(ids)}


KeyColumn = ColumnElement[Any] | QueryableAttribute[Any]
KeyCondition = Callable[[KeyColumn], ColumnElement[bool]]
"""Given the key column, the condition that it is one of the batch's keys."""


@dataclass(frozen=True, slots=True)
class _OnDriver:
    """A batch read as asyncpg runs it: its SQL, the names of its parameters in order, the values of those
    fixed when it was built, and a processor per column where SQLAlchemy's type has one."""

    sql: str
    names: tuple[str, ...]
    fixed: dict[str, Any]
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    """(column index, processor) for the columns whose type has one."""


class BatchRead:
    """Rows of plain columns for a batch of keys, from a statement built once by `build(keys)`, where `keys`
    gives the condition on the key column.

    On PostgreSQL outside a transaction (`read_outside_transactions`) the statement runs on asyncpg itself, with
    the keys as one array (`= ANY($1)`), compiled once by SQLAlchemy for the dialect, and its columns processed
    as SQLAlchemy's types would (`UtcDateTime`, say). Inside a transaction it runs through SQLAlchemy, which has
    begun the transaction on the connection; on SQLite it always does. Either way the engine's
    `before_cursor_execute` listeners see the statement, so statement counts stay true."""

    def __init__(self, build: Callable[[KeyCondition], AnySelect]) -> None:
        self.statement = build(lambda column: column.in_(ids_param()))
        self._as_array = build(lambda column: column == any_(bindparam("ids", type_=ARRAY(column.type))))
        self._compiled: tuple[Dialect, _OnDriver] | None = None

    async def rows(self, session: AsyncSession, ids: Sequence[Any]) -> Sequence[Sequence[Any]]:
        """The rows, each a sequence of the statement's columns in order."""
        held: _Held | None = session.info.get(_HELD)
        if held is None:  # in a transaction, or on SQLite
            connection = await session.connection()
            rows: Sequence[Row[*tuple[Any, ...]]] = (await connection.execute(self.statement, batch(ids))).all()
            return rows
        sync, driver = held
        if self._compiled is None or self._compiled[0] is not sync.dialect:
            self._compiled = (sync.dialect, await self._on_driver(sync.dialect, driver))
        read = self._compiled[1]
        arguments = tuple(list(ids) if name == "ids" else read.fixed[name] for name in read.names)
        for listener in sync.dispatch.before_cursor_execute:
            listener(sync, None, read.sql, arguments, None, False)
        records: list[Sequence[Any]] = await driver.fetch(read.sql, *arguments)
        if not read.processors:
            return records
        return [_processed(record, read.processors) for record in records]

    async def _on_driver(self, dialect: Dialect, driver: Any) -> _OnDriver:
        """Compiled for `dialect`, with SQLAlchemy's result processor of each column for the type the database
        says it has (as SQLAlchemy's cursor would describe it: asyncpg's type OID)."""
        compiled = self._as_array.compile(dialect=dialect)
        described = (await driver.prepare(compiled.string)).get_attributes()
        processors = tuple(
            (index, processor)
            for index, (column, attribute) in enumerate(zip(self._as_array.selected_columns, described, strict=True))
            if (processor := column.type.dialect_impl(dialect).result_processor(dialect, attribute.type.oid))
        )
        names = tuple(compiled.positiontup or ())
        fixed = {name: _bound(compiled.binds[name], value, dialect) for name, value in compiled.params.items()}
        return _OnDriver(compiled.string, names, fixed, processors)


_Held = tuple[Connection, Any]
_HELD = "waymark.outside_transactions"
"""In a session's `info` while it reads outside transactions on asyncpg: its connection and the driver's."""


async def read_outside_transactions(session: AsyncSession) -> None:
    """Begin the session's reads outside transactions (AUTOCOMMIT). On asyncpg its connection is kept with the
    session, so each batch read goes straight to the driver (asking SQLAlchemy for the session's connection
    and its driver connection again costs about 0.1 ms a read). `done_outside_transactions` forgets it."""
    connection = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    sync = _sync(connection)
    driver = await _driver_outside_transactions(connection, sync)
    if driver is not None:
        session.info[_HELD] = (sync, driver)


def done_outside_transactions(session: AsyncSession) -> None:
    session.info.pop(_HELD, None)


def _processed(record: Sequence[Any], processors: tuple[tuple[int, Callable[[Any], Any]], ...]) -> list[Any]:
    values = list(record)
    for index, processor in processors:
        values[index] = processor(values[index])
    return values


def _bound(parameter: BindParameter[Any], value: Any, dialect: Dialect) -> Any:
    """`value` as SQLAlchemy would send it for `parameter`."""
    processor = parameter.type.dialect_impl(dialect).bind_processor(dialect)
    return value if processor is None else processor(value)


def _sync(connection: AsyncConnection) -> Connection:
    sync = connection.sync_connection
    if sync is None:
        raise RuntimeError("the session's connection is closed")
    return sync


async def _driver_outside_transactions(connection: AsyncConnection, sync: Connection) -> Any | None:
    """The asyncpg connection under `connection` when it runs outside transactions (AUTOCOMMIT), else None."""
    if connection.dialect.driver != "asyncpg":
        return None
    if sync.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        return None
    return (await connection.get_raw_connection()).driver_connection


def reads_on_driver(session: AsyncSession) -> bool:
    """Whether the session's batch reads go to asyncpg itself (`read_outside_transactions` held its connection):
    only then may a read use PostgreSQL's own constructs, such as `NestedRows`."""
    return _HELD in session.info


class NestedRows:
    """Rows of `columns` nested in one column of a read, as PostgreSQL's `array_agg` of records: a page that
    needs a deal's completions and its history reads them with the deal, in one statement (PostgreSQL only:
    see `reads_on_driver`).

    asyncpg decodes the records with the connection's codecs (JSON's among them, as SQLAlchemy set them up), and
    each value then goes through its column type's result processor, as `BatchRead` does for top-level
    columns. Unlike `BatchRead`, the processors are chosen without the database's type of the value (a record's
    fields are not described): a type whose processor needs it (`Numeric` on asyncpg) fails here, when the
    read is built at import, not when it runs."""

    def __init__(self, columns: Sequence[KeyColumn]) -> None:
        self.columns = tuple(columns)
        self._decoders = _nested_decoders(self.columns)

    def aggregated(self, *, order_by: KeyColumn) -> ColumnElement[Any]:
        """The records, in order, as one array value; an empty array when there are none."""
        return array_of(tuple_(*self.columns), order_by=order_by)

    def decode(self, records: Sequence[Sequence[Any]]) -> list[list[Any]]:
        decoders = self._decoders
        rows = []
        for record in records:
            values = list(record)
            for index, decode in decoders:
                if values[index] is not None:
                    values[index] = decode(values[index])
            rows.append(values)
        return rows


def array_of(value: ColumnElement[Any] | KeyColumn, *, order_by: KeyColumn) -> ColumnElement[Any]:
    """PostgreSQL's `array_agg` of `value` in order, as one array value; an empty array when there is none."""
    return func.coalesce(func.array_agg(aggregate_order_by(value, order_by)), literal_column("'{}'"), type_=NullType())


def _nested_decoders(columns: Sequence[KeyColumn]) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    dialect = asyncpg_dialect()  # type: ignore[no-untyped-call]
    decoders: list[tuple[int, Callable[[Any], Any]]] = []
    for index, column in enumerate(columns):
        if processor := column.type.dialect_impl(dialect).result_processor(dialect, None):
            decoders.append((index, processor))
    return tuple(decoders)
