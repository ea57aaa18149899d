"""Without a processKey, `prioritizedDeals` and `pipeline` cover every process (the shipped definitions have
two: expansion first, new-business second); with one, only that process; `processInsights` needs one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from api.db import Database
from api.db.models import Deal
from api.process import load_definitions
from tests.api.conftest import started_app
from tests.api.factories import People, Person, create_deal, deal_gid, gql

SHIPPED_DIR = Path(__file__).parents[2] / "process_definitions"
SHIPPED = load_definitions(SHIPPED_DIR)

PRIORITIZED = """
query Prioritized($processKey: String) {
  prioritizedDeals(periodEnd: "2035-12-31", quota: "1000000", processKey: $processKey) {
    deals { rank deal { id process { key } estimatedDaysToClose } estimatedDaysToClose
            nextMilestone { milestone { key } } }
    plan { deals { deal { id } } }
  }
}
"""
PIPELINE = """
query Pipeline($processKey: String) { pipeline(filter: {processKey: $processKey}) {
  stages { process { key } stage { key } count amount }
  blockedCount blocked { deal { id } nextStage { key } missingMilestones { key } }
  strength { count }
  processes { process { key } stages { stage { key } count } blockedCount blocked { deal { id } } staleCount
              strength { count } }
} }
"""
INSIGHTS_WITHOUT_PROCESS = "{ processInsights { stages { entered } } }"


@pytest.fixture
async def shipped_client(database: Database) -> AsyncIterator[httpx.AsyncClient]:
    async for app in started_app(database=database, process_dir=SHIPPED_DIR):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://waymark.test") as client:
            yield client


async def open_deal(database: Database, *, owner: Person, process_key: str, stage: str, amount: str) -> Deal:
    """A deal in `stage` with every mandatory milestone of the stages before it done (so the gate into the
    next stage is missing `stage`'s own)."""
    return await create_deal(
        database,
        owner=owner,
        stage=stage,
        name=f"{process_key} {stage}",
        amount=amount,
        close_date=date(2035, 6, 30),
        definitions=SHIPPED,
        process_key=process_key,
    )


async def test_without_a_process_a_reps_deals_of_both_processes_are_ranked_together(
    shipped_client: httpx.AsyncClient, database: Database, people: People
) -> None:
    # given rep A's deals in both processes, and rep B's
    expansion = await open_deal(
        database, owner=people.rep_a, process_key="expansion", stage="commit", amount="40000.00"
    )
    new_business = await open_deal(
        database, owner=people.rep_a, process_key="new-business", stage="sal", amount="90000.00"
    )
    await open_deal(database, owner=people.rep_b, process_key="new-business", stage="mql", amount="5000.00")
    # when
    body = await gql(shipped_client, PRIORITIZED, token=people.rep_a.token)
    only_new_business = await gql(shipped_client, PRIORITIZED, {"processKey": "new-business"}, token=people.rep_a.token)
    # then both of rep A's deals, each estimated against its own process, as on the deal page
    assert "errors" not in body, body
    ranked = body["data"]["prioritizedDeals"]["deals"]
    assert {(d["deal"]["id"], d["deal"]["process"]["key"]) for d in ranked} == {
        (deal_gid(expansion), "expansion"),
        (deal_gid(new_business), "new-business"),
    }
    assert [d["rank"] for d in ranked] == [1, 2]
    for entry in ranked:
        assert entry["estimatedDaysToClose"] == entry["deal"]["estimatedDaysToClose"], entry
    next_keys = {d["deal"]["process"]["key"]: d["nextMilestone"]["milestone"]["key"] for d in ranked}
    assert next_keys["expansion"] in {"commercial-terms-agreed", "order-form-signed"}
    assert next_keys["new-business"] in {
        "tailored-demo-delivered",
        "mutual-action-plan-agreed",
        "decision-maker-agrees",
        "finance-sign-off",
    }
    assert {d["deal"]["id"] for d in body["data"]["prioritizedDeals"]["plan"]["deals"]} == {
        deal_gid(expansion),
        deal_gid(new_business),
    }
    assert [d["deal"]["id"] for d in only_new_business["data"]["prioritizedDeals"]["deals"]] == [deal_gid(new_business)]


async def test_without_a_process_the_pipeline_has_a_section_per_process_the_viewer_has_deals_in(
    shipped_client: httpx.AsyncClient, database: Database, people: People
) -> None:
    # given the team's deals in both processes; rep B's only in new-business
    await open_deal(database, owner=people.rep_a, process_key="expansion", stage="business-case", amount="30000.00")
    await open_deal(database, owner=people.rep_a, process_key="new-business", stage="sql", amount="20000.00")
    await open_deal(database, owner=people.rep_b, process_key="new-business", stage="sql", amount="7000.00")
    # when
    manager = await gql(shipped_client, PIPELINE, token=people.manager.token)
    rep_b = await gql(shipped_client, PIPELINE, token=people.rep_b.token)
    named = await gql(shipped_client, PIPELINE, {"processKey": "expansion"}, token=people.rep_b.token)
    # then the manager sees both processes, in the definitions' order, and the totals cover both
    assert "errors" not in manager, manager
    pipeline = manager["data"]["pipeline"]
    assert [p["process"]["key"] for p in pipeline["processes"]] == ["expansion", "new-business"]
    counts = {(s["process"]["key"], s["stage"]["key"]): (s["count"], s["amount"]) for s in pipeline["stages"]}
    assert counts[("expansion", "business-case")] == (1, "30000.00")
    assert counts[("new-business", "sql")] == (2, "27000.00")
    assert sum(n for n, _ in counts.values()) == 3
    assert pipeline["blockedCount"] == 3 == sum(p["blockedCount"] for p in pipeline["processes"])
    assert {m["key"] for b in pipeline["blocked"] for m in b["missingMilestones"]} >= {
        "value-review-held",
        "discovery-completed",
    }
    assert sum(b["count"] for b in pipeline["strength"]) == 3
    for section in pipeline["processes"]:
        assert sum(b["count"] for b in section["strength"]) == sum(s["count"] for s in section["stages"])
    # and rep B only the process they have deals in; a named process even without any
    assert [p["process"]["key"] for p in rep_b["data"]["pipeline"]["processes"]] == ["new-business"]
    expansion_only = named["data"]["pipeline"]
    assert [p["process"]["key"] for p in expansion_only["processes"]] == ["expansion"]
    assert [s["stage"]["key"] for s in expansion_only["stages"]] == ["qualified-expansion", "business-case", "commit"]
    assert (expansion_only["blockedCount"], sum(s["count"] for s in expansion_only["stages"])) == (0, 0)


async def test_process_insights_needs_a_process(shipped_client: httpx.AsyncClient, people: People) -> None:
    # when
    response = await shipped_client.post(
        "/graphql", json={"query": INSIGHTS_WITHOUT_PROCESS}, headers={"Authorization": f"Bearer {people.admin.token}"}
    )
    # then
    errors = response.json()["errors"]
    assert "processKey" in errors[0]["message"], errors
