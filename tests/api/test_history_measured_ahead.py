"""A server measures the whole-history figures (learned durations and win rates, insights) in the background
when it starts serving a version, so that the first period-end or insights request of an admin does not wait
for them: at 100,000 deals they take seconds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from api.app import create_app
from api.db import Database
from api.graphql.core.unit_of_work import ServiceUnavailable, UnitOfWork
from api.process import read_definitions
from api.services.history.cache import HistoryCache, Question, history_cache
from tests.api.conftest import FIXTURE_DEFINITIONS, make_settings
from tests.api.factories import create_deal, gql
from tests.api.test_statement_count import counting_statements

PIPELINE = "{ pipeline { stages { stage { key } count } strength { count } } }"
INSIGHTS = '{ processInsights(processKey: "new-business") { stages { entered } milestones { observations } } }'


@asynccontextmanager
async def started(database: Database, *, ahead: bool) -> AsyncIterator[httpx.AsyncClient]:
    app: Starlette = create_app(replace(make_settings(), measure_history_ahead=ahead), database=database)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
    ):
        yield client


async def _first_requests(database: Database, token: str, *, ahead: bool) -> tuple[list[str], list[str], dict]:
    history_cache.forget()  # as a server that just started: nothing measured yet
    async with started(database, ahead=ahead) as client:
        await history_cache.settle()  # what it measures in the background, done
        await gql(client, "{ me { id } }", token=token)  # the token, known
        with counting_statements(database) as by_pipeline:
            pipeline = await gql(client, PIPELINE, token=token)
        with counting_statements(database) as by_insights:
            insights = await gql(client, INSIGHTS, token=token)
    return by_pipeline, by_insights, {"pipeline": pipeline, "insights": insights}


async def test_an_admins_first_period_end_requests_find_the_history_measured(database, people):
    # given
    for stage in ("mql", "sql", "sal", "commit"):
        await create_deal(database, owner=people.rep_a, stage=stage)

    # when
    ahead_pipeline, ahead_insights, ahead = await _first_requests(database, people.admin.token, ahead=True)
    cold_pipeline, cold_insights, cold = await _first_requests(database, people.admin.token, ahead=False)

    # then: the same answers; measured ahead, the requests ran only their own statements
    assert ahead == cold
    assert "errors" not in ahead["pipeline"]
    assert "errors" not in ahead["insights"]
    assert len(ahead_pipeline) < len(cold_pipeline)
    assert len(ahead_insights) < len(cold_insights)
    assert len(ahead_insights) <= 1  # the history's stamp, to know the figures are current


async def test_a_request_that_gives_up_waiting_leaves_the_measure_running(database):
    # given: a measure ahead under way, and a request waiting for it
    cache = HistoryCache()
    process = read_definitions(FIXTURE_DEFINITIONS).definitions.processes[0]  # type: ignore[union-attr]
    release = asyncio.Event()
    measured: list[str] = []

    async def slow(_: AsyncSession) -> str:
        await release.wait()
        measured.append("once")
        return "figures"

    async def on_the_path(_: AsyncSession) -> str:
        measured.append("on the path")
        return "measured again"

    cache.measure_ahead(database.engine, [Question(question="figures", process=process, compute=slow)])
    async with database.sessions() as session:
        waiting = asyncio.create_task(cache.get(session, question="figures", process=process, compute=on_the_path))
        await asyncio.sleep(0.05)

        # when: the request gives up (its time ran out, its client left)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
    release.set()
    await cache.settle()
    async with database.sessions() as session:
        answer = await cache.get(session, question="figures", process=process, compute=on_the_path)

    # then: the measure went on, and the next request has its answer
    assert answer == "figures"
    assert measured == ["once"]


async def test_a_request_waits_for_the_measure_ahead_past_its_database_bound_which_then_applies_again(database):
    # given: a measure ahead that takes longer than a request's database work may
    cache = HistoryCache()
    process = read_definitions(FIXTURE_DEFINITIONS).definitions.processes[0]  # type: ignore[union-attr]

    async def slow(_: AsyncSession) -> str:
        await asyncio.sleep(0.6)
        return "figures"

    async def on_the_path(_: AsyncSession) -> str:
        return "measured on the path"

    async def asks(session: AsyncSession) -> str:
        return await cache.get(session, question="figures", process=process, compute=on_the_path)

    async def asks_then_takes_long(session: AsyncSession) -> str:
        answer = await asks(session)
        await asyncio.sleep(0.6)  # the request's own work, after the wait: bounded again
        return answer

    # when
    cache.measure_ahead(database.engine, [Question(question="figures", process=process, compute=slow)])
    async with database.sessions() as session:
        answer = await UnitOfWork(session, wait_seconds=0.3).read(asks)
    cache.forget()
    cache.measure_ahead(database.engine, [Question(question="figures", process=process, compute=slow)])
    async with database.sessions() as session:
        with pytest.raises(ServiceUnavailable):
            await UnitOfWork(session, wait_seconds=0.3).read(asks_then_takes_long)
    await cache.settle()

    # then: the wait for the server's own measure did not count as the database failing to answer
    assert answer == "figures"
