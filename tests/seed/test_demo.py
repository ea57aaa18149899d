"""The demo as its people see it, seeded in-process (`api.seed.demo`) into a SQLite file: the manager's insights
learn from the team's own closed deals, and the article's deal cannot enter Commit without finance sign-off."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.db import Database, upgrade
from api.process import load_definitions
from api.seed.demo import seed_demo
from tests.api.conftest import started_app
from tests.api.factories import gql

SHIPPED_DIR = Path(__file__).parents[2] / "process_definitions"

INSIGHTS = """
query { processInsights(processKey: "new-business") {
  stages { stage { key } entered advanced lost conversionRate medianDaysInStage winRate }
  milestones { milestone { key } observedMedianDays observations winRateWith winRateWithout lift
               closedWith closedWithout }
} }
"""
OPEN_DEALS = """
query { deals(first: 100, filter: {statuses: [OPEN]}) {
  totalCount
  edges { node { id name stage { key position } milestones { completed milestone { key stage { position } } } } }
} }
"""
CLOSED_DEALS = "{ deals(first: 1, filter: {statuses: [WON, LOST]}) { totalCount } }"
ARTICLE_DEAL = """
query { deals(first: 5, filter: {search: "Enthusiastic champion"}) {
  edges { node { id stage { key } milestones { completed milestone { key stage { key } } } } }
} }
"""
TEAM_HISTORY = """
query { deals(first: 100, filter: {statuses: [OPEN]}) {
  totalCount
  edges { node { name owner { name } history { kind actor { name role } reason skippedMilestoneKeys } } }
} }
"""
ARTICLE_DEAL_HISTORY = """
query { deals(first: 5, filter: {search: "Enthusiastic champion"}) {
  edges { node { createdAt history { kind occurredAt toStageKey } } }
} }
"""
EXPANSION_BOARD = """
query { deals(first: 50, filter: {processKey: "expansion", statuses: [OPEN]}) {
  edges { node { name owner { name } stage { key position }
                 milestones { completed milestone { key mandatory stage { position } } } } }
} }
"""
MOVE_TO_COMMIT = """
mutation Move($dealId: ID!) { moveDeal(dealId: $dealId, toStage: "commit") {
  __typename
  ... on StageGateBlocked { toStage { key } missingMilestones { key } }
} }
"""


@dataclass(frozen=True, slots=True)
class Demo:
    client: httpx.AsyncClient
    tokens: dict[str, str]

    @property
    def manager(self) -> str:
        return self.tokens["manager (Maya Manager)"]

    @property
    def ravi(self) -> str:
        return self.tokens["rep (Ravi Rep)"]


@pytest.fixture(scope="module")
async def demo(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Demo]:
    database = Database(url=f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite3'}")
    try:
        await upgrade(database.engine)
        async with database.transaction() as session:
            tokens = await seed_demo(session, definitions=load_definitions(SHIPPED_DIR))
        async for app in started_app(database=database, process_dir=SHIPPED_DIR):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo.test") as c:
                yield Demo(client=c, tokens=tokens)
    finally:
        await database.dispose()


async def _data(demo: Demo, query: str, variables: dict[str, Any] | None = None, *, token: str) -> dict[str, Any]:
    body = await gql(demo.client, query, variables, token=token)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def test_the_demo_team_owns_closed_deals_of_its_own(demo: Demo) -> None:
    # when
    closed = await _data(demo, CLOSED_DEALS, token=demo.manager)
    # then: two reps of the eight simulated own about a quarter of the ~1,500 closed deals
    assert closed["deals"]["totalCount"] > 200


async def test_the_demo_managers_insights_learn_from_the_teams_closed_deals(demo: Demo) -> None:
    # when
    insights = (await _data(demo, INSIGHTS, token=demo.manager))["processInsights"]
    # then every open stage was entered, converted and measured
    for stage in insights["stages"]:
        assert stage["entered"] > 0, stage
        assert stage["conversionRate"] is not None, stage
        assert stage["medianDaysInStage"] is not None, stage
        assert stage["winRate"] is not None, stage
    milestones = {m["milestone"]["key"]: m for m in insights["milestones"]}
    for key, m in milestones.items():
        assert m["closedWith"] + m["closedWithout"] > 200, (key, m)
    observed = [m for m in milestones.values() if m["observations"] >= 20 and m["observedMedianDays"] is not None]
    assert len(observed) >= 10, milestones
    lifts = [m for m in milestones.values() if m["lift"] is not None and m["closedWith"] >= 20]
    assert any(m["lift"] > 0.05 for m in lifts), milestones


async def test_the_demo_teams_open_deals_do_no_work_of_stages_they_have_not_reached(demo: Demo) -> None:
    # when
    board = (await _data(demo, OPEN_DEALS, token=demo.manager))["deals"]
    # then
    assert board["totalCount"] >= 12
    nodes = [e["node"] for e in board["edges"]]
    assert {n["stage"]["key"] for n in nodes} >= {"mql", "sql", "sal", "commit"}
    for node in nodes:
        ahead = [
            m["milestone"]["key"]
            for m in node["milestones"]
            if m["completed"] and m["milestone"]["stage"]["position"] > node["stage"]["position"]
        ]
        assert ahead == [], node["name"]


async def test_the_enthusiastic_champion_without_finance_sign_off_cannot_enter_commit(demo: Demo) -> None:
    # given the article's deal, as Ravi who owns it
    [edge] = (await _data(demo, ARTICLE_DEAL, token=demo.ravi))["deals"]["edges"]
    deal = edge["node"]
    done = {m["milestone"]["key"] for m in deal["milestones"] if m["completed"]}
    stage_of = {m["milestone"]["key"]: m["milestone"]["stage"]["key"] for m in deal["milestones"]}
    assert deal["stage"]["key"] == "sal"
    assert {"decision-maker-agrees", "champion-identified", "discovery-booked"} <= done
    assert "finance-sign-off" not in done
    assert [k for k in done if stage_of[k] == "commit"] == []

    # when
    moved = (await _data(demo, MOVE_TO_COMMIT, {"dealId": deal["id"]}, token=demo.ravi))["moveDeal"]

    # then
    assert moved == {
        "__typename": "StageGateBlocked",
        "toStage": {"key": "commit"},
        "missingMilestones": [{"key": "finance-sign-off"}],
    }


async def test_the_article_deal_was_worked_over_weeks_not_in_one_second(demo: Demo) -> None:
    # when
    [edge] = (await _data(demo, ARTICLE_DEAL_HISTORY, token=demo.ravi))["deals"]["edges"]
    history = edge["node"]["history"]
    # then: created weeks ago, its milestones done on many days since, and into SAL some days ago
    now = datetime.now(UTC)
    at = [datetime.fromisoformat(e["occurredAt"]) for e in history]
    assert at == sorted(at)
    assert now - at[0] > timedelta(days=21)
    assert len({a.date() for a in at}) > 8
    [into_sal] = [a for a, e in zip(at, history, strict=True) if e["kind"] == "MOVED" and e["toStageKey"] == "sal"]
    assert timedelta(days=2) < now - into_sal < timedelta(days=21)
    assert all(a < now for a in at)


async def test_the_demo_team_has_a_gate_override_by_its_manager_with_a_reason(demo: Demo) -> None:
    # when
    board = (await _data(demo, TEAM_HISTORY, token=demo.manager))["deals"]
    assert board["totalCount"] <= 100
    overrides = [
        event for edge in board["edges"] for event in edge["node"]["history"] if event["kind"] == "GATE_OVERRIDDEN"
    ]
    # then
    assert overrides
    for event in overrides:
        assert event["actor"] == {"name": "Maya Manager", "role": "MANAGER"}
        assert event["reason"]
        assert event["skippedMilestoneKeys"]


async def test_the_demo_shows_open_expansion_deals_with_their_earlier_work_done(demo: Demo) -> None:
    # when
    nodes = [e["node"] for e in (await _data(demo, EXPANSION_BOARD, token=demo.manager))["deals"]["edges"]]
    # then: a handful, for both reps, over the process's open stages
    assert 3 <= len(nodes) <= 8
    assert {n["owner"]["name"] for n in nodes} == {"Ravi Rep", "Rosa Rep"}
    assert len({n["stage"]["key"] for n in nodes}) >= 3
    for node in nodes:
        position = node["stage"]["position"]
        for m in node["milestones"]:
            behind = m["milestone"]["stage"]["position"] < position
            assert not (behind and m["milestone"]["mandatory"] and not m["completed"]), node["name"]
            assert not (m["milestone"]["stage"]["position"] > position and m["completed"]), node["name"]
