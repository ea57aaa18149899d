"""Who may do what: every query, mutation and `node` type, asked by nine kinds of caller, on both databases.

The subject is a deal of a rep in team East. Callers: anonymous, an invalid token, that rep, a rep of the
same team, a rep of another team, the team's manager, another team's manager, enablement and admin.
`test_the_matrix_covers_every_root_field_and_node_type` fails when a field or a node type is added without a
row here."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import pytest

from api.db import Database
from api.db.models import Role
from api.graphql.schema import schema
from tests.api.factories import People, Person, add_person, count_rows, create_deal, deal_gid, snapshot

CALLERS = ["anonymous", "invalid token", "rep", "same-team rep", "other-team rep", "manager",
           "other-team manager", "enablement", "admin"]  # fmt: skip
SIGNED_IN = CALLERS[2:]
SEES_THE_DEAL = {"rep", "manager", "enablement", "admin"}
CHANGES_THE_DEAL = {"rep", "manager", "admin"}
SEES_THE_TEAM = {"rep", "same-team rep", "manager", "enablement", "admin"}
EDITS_THE_PROCESS = {"enablement", "admin"}


@dataclass(frozen=True)
class Subject:
    deal_id: int
    version: int
    owner: Person
    callers: dict[str, Person | None]
    team_gid: str
    ids: dict[str, str] = field(default_factory=dict)
    """A global ID of each `Node` type about the subject deal and its process, as the admin reads them."""

    def token(self, caller: str) -> str | None:
        if caller == "invalid token":
            return "wmk_not-a-token-anyone-holds"
        person = self.callers[caller]
        return None if person is None else person.token


async def _subject(database: Database, people: People) -> Subject:
    async with database.transaction() as session:
        west_manager = await add_person(session, name="Wen Manager", role=Role.MANAGER, team="West")
    deal = await create_deal(database, owner=people.rep_a, stage="sql", name="Subject deal", competitors=("acme",))
    callers: dict[str, Person | None] = {
        "anonymous": None,
        "invalid token": None,
        "rep": people.rep_a,
        "same-team rep": people.rep_b,
        "other-team rep": people.other_rep,
        "manager": people.manager,
        "other-team manager": west_manager,
        "enablement": people.enablement,
        "admin": people.admin,
    }
    team_gid = base64.b64encode(f"Team:{people.rep_a.team_id}".encode()).decode()
    return Subject(deal_id=deal.id, version=deal.version, owner=people.rep_a, callers=callers, team_gid=team_gid)


@dataclass(frozen=True)
class Row:
    document: str
    variables: Callable[[Subject], dict[str, Any]]
    expect: Callable[[str, Subject, Any], None]
    """Checks the answer's `data` for a signed-in caller."""
    forbidden: frozenset[str] = frozenset()
    """Signed-in callers answered with a `FORBIDDEN` error instead."""


NODE_IDS = """query($id: ID!) { deal(id: $id) {
  process { id stages { id milestones { id content { id } plays { id } } } }
  competitors { id } milestones { id } history { id } plays { id }
} }"""


async def _node_ids(client: httpx.AsyncClient, subject: Subject, admin: Person) -> dict[str, str]:
    body = (
        await client.post(
            "/graphql",
            json={"query": NODE_IDS, "variables": _deal_vars(subject)},
            headers={"authorization": f"Bearer {admin.token}"},
        )
    ).json()
    deal = body["data"]["deal"]
    milestones = [m for stage in deal["process"]["stages"] for m in stage["milestones"]]
    return {
        "Process": deal["process"]["id"],
        "Stage": deal["process"]["stages"][0]["id"],
        "Milestone": milestones[0]["id"],
        "Content": next(c["id"] for m in milestones for c in m["content"]),
        "Play": next(p["id"] for m in milestones for p in m["plays"]),
        "Competitor": deal["competitors"][0]["id"],
        "DealMilestone": deal["milestones"][0]["id"],
        "DealEvent": deal["history"][0]["id"],
        "DealPlay": deal["plays"][0]["id"],
    }


def _node(type_name: str, allowed: set[str]) -> Row:
    return Row(
        f"query($id: ID!) {{ node(id: $id) {{ ... on {type_name} {{ id }} }} }}",
        lambda s: {"id": s.ids[type_name]},
        _sees(allowed, lambda d: d["node"] is not None and d["node"]["id"] == d["node"]["id"]),
    )


def _deal_vars(subject: Subject) -> dict[str, Any]:
    return {"id": deal_gid(subject.deal_id)}


def _sees(allowed: set[str], seen: Callable[[Any], bool]) -> Callable[[str, Subject, Any], None]:
    def check(caller: str, subject: Subject, data: Any) -> None:
        assert seen(data) == (caller in allowed), (caller, data)

    return check


def _everyone(seen: Callable[[Any], bool]) -> Callable[[str, Subject, Any], None]:
    return _sees(set(SIGNED_IN), seen)


def _changes(allowed: set[str], success: str) -> Callable[[str, Subject, Any], None]:
    def check(caller: str, subject: Subject, data: Any) -> None:
        [result] = data.values()
        expected = success if caller in allowed else ("PermissionDenied" if caller == "enablement" else "DealNotFound")
        assert result["__typename"] == expected, (caller, result)

    return check


def _me(caller: str, subject: Subject, data: Any) -> None:
    person = subject.callers[caller]
    assert person is not None
    assert data["me"]["name"] == person.name


def _creates(caller: str, subject: Subject, data: Any) -> None:
    result = data["createDeal"]["__typename"]
    if caller in CHANGES_THE_DEAL:
        assert result == "CreateDealSuccess", (caller, result)
    else:
        assert result == "PermissionDenied", (caller, result)


def _pipeline_count(d: Any) -> bool:
    return sum(x["count"] for x in d["pipeline"]["stages"]) == 1


def _ranked(d: Any) -> bool:
    return [x["deal"]["name"] for x in d["prioritizedDeals"]["deals"]] == ["Subject deal"]


def _entered(d: Any) -> bool:
    return sum(x["entered"] for x in d["processInsights"]["stages"]) > 0


def _found(d: Any) -> bool:
    return next(iter(d.values())) is not None


def _none(subject: Subject) -> dict[str, Any]:
    return {}


def _reloaded(d: Any) -> bool:
    return d["reloadProcessDefinitions"]["__typename"] == "ReloadProcessDefinitionsSuccess"


QUERIES: dict[str, Row] = {
    "me": Row("{ me { name } }", _none, _me),
    "processes": Row("{ processes { key } }", _none, _everyone(lambda d: len(d["processes"]) > 0)),
    "process": Row('{ process(key: "new-business") { key } }', _none, _everyone(_found)),
    "competitors": Row("{ competitors { key } }", _none, _everyone(lambda d: len(d["competitors"]) > 0)),
    "deal": Row("query($id: ID!) { deal(id: $id) { name } }", _deal_vars, _sees(SEES_THE_DEAL, _found)),
    "deals": Row("{ deals { totalCount } }", _none, _sees(SEES_THE_DEAL, lambda d: d["deals"]["totalCount"] == 1)),
    "pipeline": Row("{ pipeline { stages { count } } }", _none, _sees(SEES_THE_DEAL, _pipeline_count)),
    "prioritizedDeals": Row("{ prioritizedDeals { deals { deal { name } } } }", _none, _sees(SEES_THE_DEAL, _ranked)),
    "processInsights": Row(
        '{ processInsights(processKey: "new-business") { stages { entered } } }', _none, _sees(SEES_THE_DEAL, _entered)
    ),
    "node": Row("query($id: ID!) { node(id: $id) { id } }", _deal_vars, _sees(SEES_THE_DEAL, _found)),
    "processVersions": Row(
        "{ processVersions { number } }",
        _none,
        _sees(EDITS_THE_PROCESS, lambda d: [v["number"] for v in d["processVersions"]] == [1]),
        forbidden=frozenset(set(SIGNED_IN) - EDITS_THE_PROCESS),
    ),
    "orphanedWork": Row(
        "{ orphanedWork { key } }",
        _none,
        _sees(EDITS_THE_PROCESS, lambda d: d["orphanedWork"] == []),
        forbidden=frozenset(set(SIGNED_IN) - EDITS_THE_PROCESS),
    ),
}

NODES: dict[str, Row] = {
    "Deal": Row("query($id: ID!) { node(id: $id) { ... on Deal { name } } }", _deal_vars, _sees(SEES_THE_DEAL, _found)),
    "User": Row(
        "query($id: ID!) { node(id: $id) { ... on User { name } } }",
        lambda s: {"id": s.owner.global_id},
        _sees(SEES_THE_DEAL, _found),
    ),
    "Team": Row(
        "query($id: ID!) { node(id: $id) { ... on Team { name } } }",
        lambda s: {"id": s.team_gid},
        _sees(SEES_THE_TEAM, _found),
    ),
    **{
        name: _node(name, set(SIGNED_IN)) for name in ("Process", "Stage", "Milestone", "Content", "Play", "Competitor")
    },
    **{name: _node(name, SEES_THE_DEAL) for name in ("DealMilestone", "DealEvent", "DealPlay")},
}

MUTATIONS: dict[str, Row] = {
    "createDeal": Row(
        """mutation($owner: ID!) { createDeal(input: {name: "New", accountName: "Acme", processKey: "new-business",
           amount: "10.00", currency: "EUR", closeDate: "2026-12-31", ownerId: $owner}) { __typename } }""",
        lambda s: {"owner": s.owner.global_id},
        _creates,
    ),
    "updateDeal": Row(
        """mutation($id: ID!, $version: Int!) {
           updateDeal(input: {dealId: $id, expectedVersion: $version, name: "Renamed"}) { __typename } }""",
        lambda s: {**_deal_vars(s), "version": s.version},
        _changes(CHANGES_THE_DEAL, "UpdateDealSuccess"),
    ),
    "completeMilestone": Row(
        'mutation($id: ID!) { completeMilestone(dealId: $id, milestoneKey: "pain-confirmed") { __typename } }',
        _deal_vars,
        _changes(CHANGES_THE_DEAL, "CompleteMilestoneSuccess"),
    ),
    "reopenMilestone": Row(
        """mutation($id: ID!) {
           reopenMilestone(dealId: $id, milestoneKey: "icp-fit", reason: "re-check") { __typename } }""",
        _deal_vars,
        _changes(CHANGES_THE_DEAL, "ReopenMilestoneSuccess"),
    ),
    "moveDeal": Row(
        'mutation($id: ID!) { moveDeal(dealId: $id, toStage: "mql", reason: "back to nurture") { __typename } }',
        _deal_vars,
        _changes(CHANGES_THE_DEAL, "MoveDealSuccess"),
    ),
    "closeDeal": Row(
        'mutation($id: ID!) { closeDeal(dealId: $id, outcome: LOST, reason: "no budget") { __typename } }',
        _deal_vars,
        _changes(CHANGES_THE_DEAL, "CloseDealSuccess"),
    ),
    "reloadProcessDefinitions": Row(
        "mutation { reloadProcessDefinitions { __typename } }", _none, _sees(EDITS_THE_PROCESS, _reloaded)
    ),
    "publishProcessDefinitions": Row(
        "mutation { publishProcessDefinitions(dryRun: true) { __typename } }",
        _none,
        _sees(EDITS_THE_PROCESS, lambda d: d["publishProcessDefinitions"]["__typename"] == "PublishReport"),
    ),
}


async def _ask(client: httpx.AsyncClient, subject: Subject, caller: str, row: Row) -> httpx.Response:
    token = subject.token(caller)
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await client.post(
        "/graphql", json={"query": row.document, "variables": row.variables(subject)}, headers=headers
    )


def _check(response: httpx.Response, caller: str, subject: Subject, row: Row) -> None:
    if caller in ("anonymous", "invalid token"):
        assert response.status_code == 401, response.text
        assert "data" not in response.json()
        return
    body = response.json()
    assert response.status_code == 200, (caller, body)
    if caller in row.forbidden:
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], (caller, body)
        return
    assert "errors" not in body, (caller, body)
    row.expect(caller, subject, body["data"])


@pytest.mark.parametrize("field", [*QUERIES, *(f"node:{t}" for t in NODES)])
async def test_reading(client, database, people, field):
    # given
    subject = await _subject(database, people)
    subject = replace(subject, ids=await _node_ids(client, subject, people.admin))
    row = QUERIES[field] if field in QUERIES else NODES[field.removeprefix("node:")]
    before = await snapshot(database)

    for caller in CALLERS:
        # when
        response = await _ask(client, subject, caller, row)

        # then
        _check(response, caller, subject, row)
    assert await snapshot(database) == before


@pytest.mark.parametrize("field", MUTATIONS)
async def test_changing(client, database, people, field):
    # given: a fresh subject deal for each caller, so one caller's change does not decide the next one's
    row = MUTATIONS[field]
    first = await _subject(database, people)
    for caller in CALLERS:
        subject = first if caller == "anonymous" else await _fresh(database, first)
        deals_before = await count_rows(database, "deals")
        events_before = await count_rows(database, "deal_events")

        # when
        response = await _ask(client, subject, caller, row)

        # then
        _check(response, caller, subject, row)
        if caller not in CHANGES_THE_DEAL and field != "reloadProcessDefinitions":
            assert (await count_rows(database, "deals"), await count_rows(database, "deal_events")) == (
                deals_before,
                events_before,
            ), caller


async def _fresh(database: Database, first: Subject) -> Subject:
    deal = await create_deal(database, owner=first.owner, stage="sql", name="Subject deal")
    return Subject(
        deal_id=deal.id, version=deal.version, owner=first.owner, callers=first.callers, team_gid=first.team_gid
    )


def test_the_matrix_covers_every_root_field_and_node_type():
    graphql_schema = schema._schema
    assert graphql_schema.query_type is not None
    assert graphql_schema.mutation_type is not None
    assert set(graphql_schema.query_type.fields) == set(QUERIES)
    assert set(graphql_schema.mutation_type.fields) == set(MUTATIONS)
    node = graphql_schema.get_type("Node")
    assert {t.name for t in graphql_schema.get_possible_types(node)} == set(NODES)  # type: ignore[arg-type]
