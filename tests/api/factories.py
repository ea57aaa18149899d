"""Plain async factories: people with tokens, deals in a given stage, and `gql`, which posts a GraphQL document."""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import Database
from api.db.models import Base, Deal, Role
from api.process import ProcessDefinitions, load_definitions
from api.services.accounts.tokens import add_user
from api.services.accounts.viewer import Viewer
from api.services.deals import editing, working
from api.services.deals.access import DealWorked


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    role: Role
    team_id: int | None
    token: str

    @property
    def viewer(self) -> Viewer:
        return Viewer(id=self.id, name=self.name, role=self.role, team_id=self.team_id)

    @property
    def global_id(self) -> str:
        return base64.b64encode(f"User:{self.id}".encode()).decode()


@dataclass(frozen=True)
class People:
    rep_a: Person
    rep_b: Person
    manager: Person
    other_rep: Person
    enablement: Person
    admin: Person


async def add_person(session: AsyncSession, *, name: str, role: Role, team: str | None = None) -> Person:
    user, token = await add_user(session, name=name, role=role, team_name=team)
    return Person(id=user.id, name=name, role=role, team_id=user.team_id, token=token)


async def add_people(database: Database) -> People:
    async with database.transaction() as session:
        return People(
            rep_a=await add_person(session, name="Alice Rep", role=Role.REP, team="East"),
            rep_b=await add_person(session, name="Bob Rep", role=Role.REP, team="East"),
            manager=await add_person(session, name="Maya Manager", role=Role.MANAGER, team="East"),
            other_rep=await add_person(session, name="Wes Rep", role=Role.REP, team="West"),
            enablement=await add_person(session, name="Elena Enablement", role=Role.ENABLEMENT),
            admin=await add_person(session, name="Ada Admin", role=Role.ADMIN),
        )


def fixture_definitions() -> ProcessDefinitions:
    from tests.api.conftest import FIXTURE_DEFINITIONS

    return load_definitions(FIXTURE_DEFINITIONS)


async def create_deal(
    database: Database,
    *,
    owner: Person,
    stage: str = "mql",
    completed: tuple[str, ...] | None = None,
    name: str = "Spend platform",
    account_name: str = "Northwind",
    amount: str = "10000.00",
    close_date: date = date(2026, 12, 31),
    competitors: tuple[str, ...] = (),
    definitions: ProcessDefinitions | None = None,
    process_key: str | None = None,
) -> Deal:
    """A deal of `owner` in `stage`; `completed` defaults to every mandatory milestone before `stage`.

    The process is the test fixture's, unless `definitions` (and a `process_key` in them) say otherwise."""
    definitions = definitions or fixture_definitions()
    process = definitions.process(process_key) if process_key else definitions.processes[0]
    assert process is not None, process_key
    if completed is None:
        position = process.position(stage)
        completed = tuple(m.key for s in process.stages[:position] for m in s.mandatory_milestones)
    async with database.transaction() as session:
        draft = editing.DealDraft(
            name=name,
            account_name=account_name,
            process_key=process.key,
            amount=amount,
            currency="EUR",
            close_date=close_date,
            competitor_keys=list(competitors),
        )
        deal = await editing.create_deal(session, viewer=owner.viewer, definitions=definitions, draft=draft)
        assert isinstance(deal, Deal), deal
        for key in completed:
            done = await working.complete_milestone(
                session, viewer=owner.viewer, definitions=definitions, deal_id=deal.id, milestone_key=key
            )
            assert isinstance(done, DealWorked), done
        deal.stage_key = stage
        await session.flush()
        return deal


async def create_spread_of_deals(
    database: Database, *, owners: Sequence[Person], count: int, competitors: bool = True
) -> None:
    """`count` deals taking turns over `owners` and the four open stages, with amounts 1000.00, 1001.00, ...;
    every other one weighs Acme when `competitors`."""
    for index in range(count):
        await create_deal(
            database,
            owner=owners[index % len(owners)],
            stage=("mql", "sql", "sal", "commit")[index % 4],
            amount=f"{1000 + index}.00",
            competitors=("acme",) if competitors and index % 2 else (),
        )


def deal_gid(deal: Deal | int) -> str:
    pk = deal if isinstance(deal, int) else deal.id
    return base64.b64encode(f"Deal:{pk}".encode()).decode()


async def gql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to assert that a refused request changed nothing."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            result = await connection.execute(select(table).order_by(*table.primary_key.columns))
            rows[table.name] = [tuple(r) for r in result]
    return rows


async def count_rows(database: Database, table: str) -> int:
    async with database.engine.connect() as connection:
        query = select(func.count()).select_from(Base.metadata.tables[table])
        return int((await connection.execute(query)).scalar_one())


@contextmanager
def counting_statements(database: Database) -> Iterator[list[str]]:
    """The SQL statements the engine sends while the block runs."""
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
