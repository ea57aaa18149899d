"""Every object a client may cache has a global ID and implements `Node`; `node(id)` finds each again, with the
visibility of the queries that list it (process content for anyone signed in, what hangs off a deal only for
whoever may see the deal)."""

from __future__ import annotations

import base64
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from api.db import Database
from tests.api.conftest import FIXTURE_DEFINITIONS, started_app
from tests.api.factories import create_deal, deal_gid, gql

SHIPPED = Path(__file__).parents[2] / "process_definitions"

NODE_TYPES = '{ __type(name: "Node") { possibleTypes { name } } }'
DEAL_PAGE = """
query DealPage($id: ID!) {
  me { id team { id } }
  deal(id: $id) {
    id
    process { id stages { id milestones { id content { id } plays { id competitor { id } } } } }
    stage { id process { id } }
    milestones { id milestone { id } }
    plays { id }
    history { id }
  }
}
"""
NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Stage { key process { key } }
    ... on Milestone { key }
  }
}
"""


def ids_by_type(value: Any, found: dict[str, set[str]] | None = None) -> dict[str, set[str]]:
    """Every `id` in a response, by the `__typename` Apollo and urql would key it with."""
    found = {} if found is None else found
    if isinstance(value, dict):
        if "id" in value and "__typename" in value:
            found.setdefault(value["__typename"], set()).add(value["id"])
        for item in value.values():
            ids_by_type(item, found)
    elif isinstance(value, list):
        for item in value:
            ids_by_type(item, found)
    return found


def with_typenames(query: str) -> str:
    """The query with `__typename` beside every `id`, as the clients add it."""
    return query.replace(" id", " __typename id")


async def test_every_node_type_round_trips_through_node(client, database, people):
    # given: a deal with done milestones, a competitor (so plays), history, and a team owner
    deal = await create_deal(database, owner=people.rep_a, stage="sal", competitors=("acme",))
    node_types = await gql(client, NODE_TYPES, token=people.rep_a.token)
    page = await gql(client, with_typenames(DEAL_PAGE), {"id": deal_gid(deal)}, token=people.rep_a.token)
    found = ids_by_type(page["data"])

    # then: the page reaches one of every Node type
    every_type = {t["name"] for t in node_types["data"]["__type"]["possibleTypes"]}
    assert set(found) == every_type
    assert {"Stage", "Milestone", "Process", "Competitor", "Content", "DealEvent", "Play"} <= every_type

    # when / then: each ID comes back as the same object, under the same ID
    for type_name, ids in found.items():
        for global_id in ids:
            body = await gql(client, NODE, {"id": global_id}, token=people.rep_a.token)
            assert body["data"]["node"] is not None, (type_name, global_id)
            assert (body["data"]["node"]["__typename"], body["data"]["node"]["id"]) == (type_name, global_id)


async def test_what_hangs_off_a_deal_is_null_for_a_viewer_who_may_not_see_the_deal(client, database, people):
    # given: Alice's deal, its events, checklist entries and plays
    deal = await create_deal(database, owner=people.rep_a, stage="sal", competitors=("acme",))
    page = await gql(client, with_typenames(DEAL_PAGE), {"id": deal_gid(deal)}, token=people.rep_a.token)
    found = ids_by_type(page["data"]["deal"])
    parts = [i for t in ("Deal", "DealEvent", "DealMilestone", "DealPlay") for i in sorted(found[t])]

    for global_id in parts:
        # when
        other_rep = await gql(client, NODE, {"id": global_id}, token=people.other_rep.token)
        team_rep = await gql(client, NODE, {"id": global_id}, token=people.rep_b.token)
        manager = await gql(client, NODE, {"id": global_id}, token=people.manager.token)
        enablement = await gql(client, NODE, {"id": global_id}, token=people.enablement.token)

        # then: as `deal(id)`: the owner, the team's manager and enablement see it; other reps do not
        assert other_rep["data"]["node"] is None, global_id
        assert team_rep["data"]["node"] is None, global_id
        assert manager["data"]["node"]["id"] == global_id
        assert enablement["data"]["node"]["id"] == global_id


async def test_process_content_is_found_for_anyone_signed_in_and_nobody_else(client, database, people):
    # given
    deal = await create_deal(database, owner=people.rep_a, stage="sal", competitors=("acme",))
    page = await gql(client, with_typenames(DEAL_PAGE), {"id": deal_gid(deal)}, token=people.rep_a.token)
    found = ids_by_type(page["data"]["deal"]["process"])
    content = [i for t in ("Process", "Stage", "Milestone", "Content", "Play", "Competitor") for i in sorted(found[t])]

    for global_id in content:
        # when
        someone_else = await gql(client, NODE, {"id": global_id}, token=people.other_rep.token)
        nobody = await client.post("/graphql", json={"query": NODE, "variables": {"id": global_id}})

        # then
        assert someone_else["data"]["node"]["id"] == global_id
        assert nobody.status_code == 401  # refused before the document is read
        assert nobody.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_ids_that_name_nothing_are_null_not_errors(client, people):
    # given: IDs of things that are not there, in shapes a client might send
    def encoded(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    names = [
        "Stage:new-business/nope",
        "Stage:nope/sal",
        "Stage:new-business",
        "Stage:new-business/sal/extra",
        "Milestone:new-business/nope",
        "Content:new-business/finance-sign-off/nope",
        "Content:new-business/finance-sign-off/roi-calculator/2",
        "Play:new-business/finance-sign-off/nope",
        "Competitor:nope",
        "Process:nope",
        "DealEvent:999999",
        "DealMilestone:999999/finance-sign-off",
        "DealPlay:abc/finance-sign-off/acme",
        "Nothing:new-business/sal",
        "Stage:",
        "Stage:new-business/pain-confirmed",
        "Milestone:new-business/pain-confirmed",  # its current key: the milestone is known by its first, pain-found
    ]
    given = [encoded(n) for n in names] + ["", "not base64!", "x" * 5000, encoded("Stage:" + "a/" * 400)]

    for global_id in given:
        # when
        body = await gql(client, NODE, {"id": global_id}, token=people.rep_a.token)

        # then
        assert body == {"data": {"node": None}}, global_id


STAGES = "{ processes { key stages { id key milestones { id key } } } }"


async def test_a_stage_key_in_two_processes_gives_two_ids(database, people):
    # given: the shipped definitions, where both processes have a `commit` stage
    async with shipped_client(database) as client:
        # when
        body = await gql(client, STAGES, token=people.rep_a.token)
        commits = {
            p["key"]: next(s["id"] for s in p["stages"] if s["key"] == "commit") for p in body["data"]["processes"]
        }
        found = {key: await gql(client, NODE, {"id": i}, token=people.rep_a.token) for key, i in commits.items()}

    # then: two IDs, each finding its own process's stage
    assert set(commits) == {"new-business", "expansion"}
    assert commits["new-business"] != commits["expansion"]
    assert {k: b["data"]["node"]["process"]["key"] for k, b in found.items()} == {k: k for k in commits}
    every_id = [i for p in body["data"]["processes"] for s in p["stages"] for i in (s["id"], *_ids(s["milestones"]))]
    assert len(every_id) == len(set(every_id))


async def test_a_rename_through_formerly_keeps_every_id_a_client_cached(database, people, tmp_path):
    # given: the fixture definitions, and the same with a stage, a milestone and a renamed milestone renamed again
    renamed = _renamed_copy(tmp_path)
    deal = await create_deal(database, owner=people.rep_a, stage="sal", competitors=("acme",))
    before = await _ids_of_deal_page(database, FIXTURE_DEFINITIONS, deal.id, people.rep_a.token)

    # when
    after = await _ids_of_deal_page(database, renamed, deal.id, people.rep_a.token)

    # then: the same IDs (the deal's stage and milestones now carry their new keys)
    assert after.ids == before.ids
    assert (before.stage_key, after.stage_key) == ("sal", "accepted")
    assert ("finance-sign-off" in before.milestone_keys, "cfo-approval" in after.milestone_keys) == (True, True)
    assert "pain-quantified" in after.milestone_keys


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


@asynccontextmanager
async def shipped_client(database: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(database, SHIPPED) as client:
        yield client


@asynccontextmanager
async def app_client(database: Database, process_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for app in started_app(database=database, process_dir=process_dir):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://waymark.test") as client:
            yield client


@dataclass(frozen=True)
class SeenIds:
    ids: dict[str, set[str]]
    stage_key: str
    milestone_keys: set[str]


async def _ids_of_deal_page(database: Database, process_dir: Path, deal_id: int, token: str) -> SeenIds:
    async with app_client(database, process_dir) as client:
        body = await gql(client, with_typenames(DEAL_PAGE_KEYS), {"id": deal_gid(deal_id)}, token=token)
    deal = body["data"]["deal"]
    return SeenIds(
        ids=ids_by_type(deal),
        stage_key=deal["stage"]["key"],
        milestone_keys={m["milestone"]["key"] for m in deal["milestones"]},
    )


DEAL_PAGE_KEYS = DEAL_PAGE.replace("stage { id process { id } }", "stage { id key }").replace(
    "milestones { id milestone { id } }", "milestones { id milestone { id key } }"
)


def _renamed_copy(tmp_path: Path) -> Path:
    """The fixture definitions with `sal` renamed `accepted`, `finance-sign-off` renamed `cfo-approval`, and
    `pain-confirmed` (formerly `pain-found`) renamed again, to `pain-quantified`: each old key appended under
    `formerly`."""
    copy = tmp_path / "renamed"
    shutil.copytree(FIXTURE_DEFINITIONS, copy)
    path = copy / "processes" / "new-business.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  - key: sal\n    name: SAL\n", "  - key: accepted\n    formerly: [sal]\n    name: SAL\n")
    text = text.replace(
        "      - key: finance-sign-off\n", "      - key: cfo-approval\n        formerly: [finance-sign-off]\n"
    )
    text = text.replace("      - key: pain-confirmed\n", "      - key: pain-quantified\n")
    text = text.replace("formerly: [pain-found]", "formerly: [pain-found, pain-confirmed]")
    assert text.count("formerly") == 3, "the fixture changed: update the renames"
    path.write_text(text, encoding="utf-8")
    return copy
