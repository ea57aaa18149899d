"""Publishing the process over HTTP: versions in the database, checked against the recorded deals, served
whatever the server's own files say, and fixed for a request from its start to its end."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select

from api.db import Database
from api.db.models import DealEvent, MilestoneCompletion, ProcessVersion
from api.services.deals import queries as deal_queries
from tests.api.conftest import FIXTURE_DEFINITIONS, publish_definitions, started_app
from tests.api.factories import People, create_deal, deal_gid, gql
from tests.api.test_subscriptions import running_server

PUBLISH = """
mutation Publish($dryRun: Boolean!, $note: String, $acceptOrphans: Boolean! = false) {
  publishProcessDefinitions(dryRun: $dryRun, note: $note, acceptOrphans: $acceptOrphans) {
    __typename
    ... on PublishReport { ...report }
    ... on PublishRefused { message report { ...report } }
    ... on ProcessDefinitionsInvalid { message problems { path line message } }
    ... on PermissionDenied { message }
  }
}
fragment report on PublishReport {
  outcome previousVersion version { number note publishedBy acceptedOrphans { kind key deals } }
  changes { kind subject where field }
  impact {
    orphans { kind processKey key deals }
    strandedDeals { dealId }
    newlyBlockedDeals { dealId name }
    newlyUnblockedDeals { dealId }
    strengthChanges { dealId before after }
  }
  refusals
}
"""
DEAL = """
query Deal($id: ID!) { deal(id: $id) {
  strength milestones { milestone { key } completed }
  history { kind milestoneKey milestone { key } }
} }
"""
VERSIONS = "{ processVersions { number note publishedBy acceptedOrphans { key deals } } }"
ORPHANS = "{ orphanedWork { kind processKey key deals } }"
SERVED = '{ process(key: "new-business") { publishedVersion { number label } stages { key name } } }'


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An editable copy of the definitions the tests publish first."""
    copy = tmp_path / "definitions"
    shutil.copytree(FIXTURE_DEFINITIONS, copy)
    return copy


@pytest.fixture
async def editor_client(database: Database, folder: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for app in started_app(database=database, process_dir=folder):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            yield client


def edit(folder: Path, old: str, new: str) -> None:
    path = folder / "processes" / "new-business.yaml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


async def publish(client: httpx.AsyncClient, people: People, **variables: Any) -> dict[str, Any]:
    body = await gql(client, PUBLISH, {"dryRun": False, **variables}, token=people.enablement.token)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["publishProcessDefinitions"]
    return result


def completed(deal_body: dict[str, Any]) -> set[str]:
    return {m["milestone"]["key"] for m in deal_body["data"]["deal"]["milestones"] if m["completed"]}


async def test_a_rename_without_formerly_is_refused_naming_the_key_and_the_deals_holding_it(
    database, people, folder, editor_client
):
    # given: a deal that has done budget-range
    deal = await create_deal(database, owner=people.rep_a, stage="sql", completed=("icp-fit", "budget-range"))
    before = await gql(editor_client, DEAL, {"id": deal_gid(deal)}, token=people.rep_a.token)

    # when: budget-range is renamed without `formerly:`
    edit(folder, "key: budget-range", "key: budget-known")
    refused = await publish(editor_client, people)

    # then: refused, naming the key and how many deals hold it; nothing changed
    assert refused["__typename"] == "PublishRefused"
    assert "milestone new-business/budget-range would no longer resolve: 1 deal(s) hold it" in refused["message"]
    assert refused["report"]["impact"]["orphans"] == [
        {"kind": "milestone", "processKey": "new-business", "key": "budget-range", "deals": 1}
    ]
    assert refused["report"]["outcome"] == "REFUSED"
    after = await gql(editor_client, DEAL, {"id": deal_gid(deal)}, token=people.rep_a.token)
    assert after == before
    assert [
        v["number"] for v in (await gql(editor_client, VERSIONS, token=people.admin.token))["data"]["processVersions"]
    ] == [1]


async def test_with_formerly_the_rename_is_published_and_the_completion_follows_the_new_key(
    database, people, folder, editor_client
):
    # given
    deal = await create_deal(database, owner=people.rep_a, stage="sql", completed=("icp-fit", "budget-range"))
    before = await gql(editor_client, DEAL, {"id": deal_gid(deal)}, token=people.rep_a.token)

    # when
    edit(folder, "key: budget-range", "key: budget-known\n        formerly: [budget-range]")
    published = await publish(editor_client, people, note="Budget is known, not a range")

    # then
    assert published["__typename"] == "PublishReport"
    assert published["outcome"] == "PUBLISHED"
    assert published["previousVersion"] == 1
    assert published["version"]["number"] == 2
    assert published["version"]["note"] == "Budget is known, not a range"
    assert published["version"]["publishedBy"] == "Elena Enablement"
    assert {"kind": "renamed", "subject": "milestone", "where": "new-business/sql/budget-known", "field": None} in (
        published["changes"]
    )
    after = await gql(editor_client, DEAL, {"id": deal_gid(deal)}, token=people.rep_a.token)
    assert completed(after) == {"icp-fit", "budget-known"}
    assert after["data"]["deal"]["strength"] == before["data"]["deal"]["strength"]


async def test_accepted_orphans_are_published_recorded_and_listed_never_deleted(
    database, people, folder, editor_client
):
    # given
    deal = await create_deal(database, owner=people.rep_a, stage="sql", completed=("icp-fit", "intro-call"))

    # when: intro-call is removed, and the publisher accepts the loss
    edit(folder, "key: intro-call", "key: first-meeting")
    published = await publish(editor_client, people, acceptOrphans=True, note="Intro calls are now first meetings")

    # then: published, the acceptance recorded on the version, the work listed and still stored
    assert published["outcome"] == "PUBLISHED"
    assert published["version"]["acceptedOrphans"] == [{"kind": "milestone", "key": "intro-call", "deals": 1}]
    orphans = await gql(editor_client, ORPHANS, token=people.enablement.token)
    assert orphans["data"]["orphanedWork"] == [
        {"kind": "milestone", "processKey": "new-business", "key": "intro-call", "deals": 1}
    ]
    async with database.sessions() as session:
        stored = set(
            await session.scalars(
                select(MilestoneCompletion.milestone_key).where(MilestoneCompletion.deal_id == deal.id)
            )
        )
    assert stored == {"icp-fit", "intro-call"}
    history = (await gql(editor_client, DEAL, {"id": deal_gid(deal)}, token=people.rep_a.token))["data"]["deal"]
    assert {"kind": "MILESTONE_COMPLETED", "milestoneKey": "intro-call", "milestone": None} in history["history"]


async def test_making_a_milestone_mandatory_reports_exactly_the_open_deals_it_blocks(
    database, people, folder, editor_client
):
    # given: open deals with and without budget-range, and a closed one without it
    sql_without = await create_deal(
        database, owner=people.rep_a, stage="sql", completed=("icp-fit", "pain-confirmed"), name="SQL, no budget"
    )
    await create_deal(
        database,
        owner=people.rep_a,
        stage="sql",
        completed=("icp-fit", "pain-confirmed", "budget-range"),
        name="SQL ok",
    )
    sal_ready = ("icp-fit", "pain-confirmed", "decision-maker-agrees", "finance-sign-off")
    sal_without = await create_deal(
        database, owner=people.rep_b, stage="sal", completed=sal_ready, name="SAL, no budget"
    )
    lost = await create_deal(database, owner=people.rep_b, stage="sql", name="Lost")
    async with database.transaction() as session:
        (await session.get(type(lost), lost.id)).status = "lost"  # type: ignore[union-attr]

    # when: budget-range becomes mandatory (a dry run)
    edit(
        folder,
        "key: budget-range\n        title: Budget range known\n",
        "key: budget-range\n        title: Budget range known\n        mandatory: true\n",
    )
    report = await publish(editor_client, people, dryRun=True)

    # then: exactly the two open deals without it; nothing published
    assert report["outcome"] == "PREVIEW"
    blocked = {d["dealId"] for d in report["impact"]["newlyBlockedDeals"]}
    assert blocked == {deal_gid(sql_without), deal_gid(sal_without)}
    assert report["impact"]["newlyUnblockedDeals"] == []
    versions = await gql(editor_client, VERSIONS, token=people.admin.token)
    assert [v["number"] for v in versions["data"]["processVersions"]] == [1]


async def test_removing_a_stage_that_holds_open_deals_is_refused_even_accepting_orphans(
    database, people, folder, editor_client
):
    # given
    deal = await create_deal(database, owner=people.rep_a, stage="commit")

    # when: commit is renamed without formerly, orphans accepted
    edit(folder, "key: commit", "key: committed")
    refused = await publish(editor_client, people, acceptOrphans=True)

    # then
    assert refused["__typename"] == "PublishRefused"
    assert [d["dealId"] for d in refused["report"]["impact"]["strandedDeals"]] == [deal_gid(deal)]
    assert "open deal(s) sit in a stage or process the new definitions remove" in refused["message"]


async def test_a_rep_may_not_publish_or_list_versions(people, editor_client):
    body = await gql(editor_client, PUBLISH, {"dryRun": True}, token=people.rep_a.token)
    versions = await gql(editor_client, VERSIONS, token=people.manager.token)

    assert body["data"]["publishProcessDefinitions"]["__typename"] == "PermissionDenied"
    assert versions["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_events_record_the_version_they_happened_under(database, people, folder, editor_client):
    # given: a deal created under version 1
    create = (
        'mutation { createDeal(input: {name: "Versioned", accountName: "Contoso", processKey: "new-business", '
        'amount: "1000.00", currency: "EUR", closeDate: "2027-01-31"}) { ... on CreateDealSuccess { deal { id } } } }'
    )
    created = await gql(editor_client, create, token=people.rep_a.token)
    deal_id = created["data"]["createDeal"]["deal"]["id"]

    # when: version 2 is published and the deal is worked
    edit(folder, "name: SAL", "name: Sales accepted")
    assert (await publish(editor_client, people))["outcome"] == "PUBLISHED"
    complete = 'mutation($id: ID!) { completeMilestone(dealId: $id, milestoneKey: "icp-fit") { __typename } }'
    await gql(editor_client, complete, {"id": deal_id}, token=people.rep_a.token)

    # then
    async with database.sessions() as session:
        kinds = (await session.execute(select(DealEvent.kind, DealEvent.process_version).order_by(DealEvent.id))).all()
    assert [tuple(row) for row in kinds] == [("created", 1), ("milestone-completed", 2)]


async def test_a_server_whose_files_are_invalid_serves_the_active_version(database, people, tmp_path):
    # given: version 1 is published (every test starts so), and the server's files are broken
    broken = tmp_path / "broken"
    shutil.copytree(FIXTURE_DEFINITIONS, broken)
    process = broken / "processes" / "new-business.yaml"
    process.write_text(process.read_text().replace("probability: 0.35", "probability: 35"))
    deal = await create_deal(database, owner=people.rep_a, stage="sal")

    # when: it starts
    async for app in started_app(database=database, process_dir=broken):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            ready = await client.get("/readyz")
            served = await gql(client, SERVED, token=people.rep_a.token)
            board = await gql(
                client, "{ deals(first: 5) { edges { node { id stage { key } blocked } } } }", token=people.rep_a.token
            )

    # then: ready, naming the version, and every query works
    assert ready.status_code == 200
    assert ready.json()["processVersion"]["number"] == 1
    assert served["data"]["process"]["publishedVersion"]["number"] == 1
    assert "errors" not in board, board
    assert board["data"]["deals"]["edges"][0]["node"]["id"] == deal_gid(deal)


async def test_a_server_with_nothing_published_and_no_files_is_not_ready(database, people, tmp_path):
    async with database.transaction() as session:
        await session.execute(delete(ProcessVersion))

    async for app in started_app(database=database, process_dir=tmp_path / "missing"):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            ready = await client.get("/readyz")
            body = await gql(client, SERVED, token=people.rep_a.token)

    assert ready.status_code == 503
    assert ready.json()["checks"]["processDefinitions"] is False
    assert "no such folder" in ready.json()["problems"]
    assert body["errors"][0]["extensions"]["code"] == "PROCESS_UNAVAILABLE"


@pytest.mark.parametrize("token_known", [False, True], ids=["first request", "token known"])
async def test_a_request_that_started_before_a_publish_finishes_on_the_version_it_started_with(
    database, people, folder, monkeypatch: pytest.MonkeyPatch, token_known
):
    # given: a request held open while it loads its deal (once its token is known, on PostgreSQL, in the one
    # statement that reads a deal page; before, in a transaction, one statement per part)
    deal = await create_deal(database, owner=people.rep_a, stage="sal")
    loading, release = asyncio.Event(), asyncio.Event()
    reads = {name: getattr(deal_queries, name) for name in ("deals_by_ids", "deal_pages_by_ids")}

    def held(read: Any) -> Any:
        async def held_read(*args: Any, **kwargs: Any) -> Any:
            loading.set()
            await release.wait()
            return await read(*args, **kwargs)

        return held_read

    for name, read in reads.items():
        monkeypatch.setattr(deal_queries, name, held(read))
    query = """query($id: ID!) { deal(id: $id) { stage { key name } process { publishedVersion { number } } } }"""
    async for app in started_app(database=database, process_dir=folder):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            if token_known:
                assert "errors" not in await gql(client, "{ me { id } }", token=people.rep_a.token)
            in_flight = asyncio.create_task(gql(client, query, {"id": deal_gid(deal)}, token=people.rep_a.token))
            await asyncio.wait_for(loading.wait(), timeout=30)
            # when: version 2 is published meanwhile
            edit(folder, "name: SAL", "name: Sales accepted")
            for name, read in reads.items():
                monkeypatch.setattr(deal_queries, name, read)
            assert (await publish(client, people))["outcome"] == "PUBLISHED"
            release.set()
            started_before = await in_flight
            started_after = await gql(client, query, {"id": deal_gid(deal)}, token=people.rep_a.token)

    # then
    assert started_before["data"]["deal"] == {
        "stage": {"key": "sal", "name": "SAL"},
        "process": {"publishedVersion": {"number": 1}},
    }
    assert started_after["data"]["deal"] == {
        "stage": {"key": "sal", "name": "Sales accepted"},
        "process": {"publishedVersion": {"number": 2}},
    }


async def test_a_version_published_elsewhere_reaches_a_running_server_by_its_periodic_check(database, people, folder):
    # given: a server that checks for a new version every 0.2 s (SQLite has no notifications)
    async with (
        running_server(database, version_check_seconds=0.2) as server,
        httpx.AsyncClient(base_url=f"http://{server.url}") as client,
    ):
        assert (await client.get("/readyz")).json()["processVersion"]["number"] == 1
        # when: another process publishes (here the command line's use case, on a session of its own)
        edit(folder, "name: SAL", "name: Sales accepted")
        await publish_definitions(database, folder)
        # then: the server switches without a restart
        seen = 1
        for _ in range(200):
            seen = (await client.get("/readyz")).json()["processVersion"]["number"]
            if seen == 2:
                break
            await asyncio.sleep(0.05)
        served = await gql(client, SERVED, token=people.rep_a.token)
    assert seen == 2
    assert {"key": "sal", "name": "Sales accepted"} in served["data"]["process"]["stages"]


PAGE = "query Page($id: ID!) { deal(id: $id) { milestones { milestone { key title guideUrl } } } }"


async def test_a_document_read_before_a_publish_shows_the_process_as_published_after_it(
    database, people, folder, editor_client
):
    # given: a deal page read twice, so its milestones' completions are kept for the requests that follow
    deal = await create_deal(database, owner=people.rep_a, stage="sql", completed=("icp-fit",))
    for _ in range(2):
        before = await gql(editor_client, PAGE, {"id": deal_gid(deal)}, token=people.rep_a.token)

    # when: a milestone's title is edited and published
    edit(folder, "title: Budget range known", "title: Budget range agreed")
    assert (await publish(editor_client, people))["outcome"] == "PUBLISHED"
    after = await gql(editor_client, PAGE, {"id": deal_gid(deal)}, token=people.rep_a.token)

    # then: the same document shows the new title, and nothing else changed
    def titles(body: dict[str, Any]) -> dict[str, str]:
        return {m["milestone"]["key"]: m["milestone"]["title"] for m in body["data"]["deal"]["milestones"]}

    assert titles(before)["budget-range"] == "Budget range known"
    assert titles(after) == {**titles(before), "budget-range": "Budget range agreed"}
