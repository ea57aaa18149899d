"""The article's scenarios over HTTP: the gate, overrides, moves back, closing, out-of-order work."""

from __future__ import annotations

from tests.api.factories import count_rows, create_deal, deal_gid, gql, snapshot

MOVE_DEAL = """
mutation Move($dealId: ID!, $toStage: String!, $reason: String, $override: Boolean! = false) {
  moveDeal(dealId: $dealId, toStage: $toStage, reason: $reason, override: $override) {
    __typename
    ... on MoveDealSuccess { deal { stage { key } version } overriddenMilestones { key } }
    ... on StageGateBlocked { message toStage { key } missingMilestones { key ask guideUrl } }
    ... on PermissionDenied { message }
    ... on InvalidInput { field message }
  }
}
"""

COMPLETE_MILESTONE = """
mutation Complete($dealId: ID!, $key: String!, $note: String) {
  completeMilestone(dealId: $dealId, milestoneKey: $key, note: $note) {
    __typename
    ... on CompleteMilestoneSuccess { deal { version milestones { milestone { key } completed note } } }
  }
}
"""

REOPEN_MILESTONE = """
mutation Reopen($dealId: ID!, $key: String!) {
  reopenMilestone(dealId: $dealId, milestoneKey: $key, reason: "booked by mistake") {
    __typename
    ... on ReopenMilestoneSuccess { deal { blockers { key } } }
  }
}
"""

CLOSE_DEAL = """
mutation Close($dealId: ID!, $outcome: CloseOutcome!, $reason: String, $override: Boolean! = false) {
  closeDeal(dealId: $dealId, outcome: $outcome, reason: $reason, override: $override) {
    __typename
    ... on CloseDealSuccess { deal { status stage { key } } }
    ... on StageGateBlocked { missingMilestones { key } }
    ... on InvalidInput { field message }
  }
}
"""

DEAL_STATE = """
query($id: ID!) {
  deal(id: $id) {
    stage { key } status canAdvance strength estimatedDaysToClose
    nextStage { key }
    blockers { key }
    nextSteps { key mandatory ask }
    remainingMilestones { key }
    plays { milestone { key } play { competitor { key isStatusQuo } play } }
    history { kind fromStageKey toStageKey milestoneKey reason skippedMilestoneKeys
              skippedMilestones { key stage { key } } actor { name } }
  }
}
"""


async def test_deal_without_finance_sign_off_cannot_enter_commit(client, database, people):
    # given: the champion loves it (decision maker agrees) but finance has not signed off
    deal = await create_deal(
        database,
        owner=people.rep_a,
        stage="sal",
        completed=(
            "icp-fit",
            "pain-confirmed",
            "decision-maker-agrees",
        ),
    )
    before = await snapshot(database)

    # when
    refused = await gql(client, MOVE_DEAL, {"dealId": deal_gid(deal), "toStage": "commit"}, token=people.rep_a.token)

    # then: refused, naming the finance milestone with its ask and guide link, and nothing changed
    result = refused["data"]["moveDeal"]
    assert result["__typename"] == "StageGateBlocked"
    assert result["toStage"]["key"] == "commit"
    assert [m["key"] for m in result["missingMilestones"]] == ["finance-sign-off"]
    assert result["missingMilestones"][0]["ask"] == "Ask the CFO's team to confirm the budget in writing."
    assert result["missingMilestones"][0]["guideUrl"] == "/guide/new-business/sal/#finance-sign-off"
    assert "Finance signs off" in result["message"]
    assert await snapshot(database) == before

    # when: finance signs off, and the move is tried again
    done = await gql(
        client,
        COMPLETE_MILESTONE,
        {"dealId": deal_gid(deal), "key": "finance-sign-off", "note": "CFO emailed"},
        token=people.rep_a.token,
    )
    moved = await gql(client, MOVE_DEAL, {"dealId": deal_gid(deal), "toStage": "commit"}, token=people.rep_a.token)

    # then
    assert done["data"]["completeMilestone"]["__typename"] == "CompleteMilestoneSuccess"
    assert moved["data"]["moveDeal"]["__typename"] == "MoveDealSuccess"
    assert moved["data"]["moveDeal"]["deal"]["stage"]["key"] == "commit"
    state = (await gql(client, DEAL_STATE, {"id": deal_gid(deal)}, token=people.rep_a.token))["data"]["deal"]
    kinds = [(e["kind"], e["milestoneKey"], e["fromStageKey"], e["toStageKey"]) for e in state["history"]]
    assert kinds[-2:] == [
        ("MILESTONE_COMPLETED", "finance-sign-off", None, None),
        ("MOVED", None, "sal", "commit"),
    ]
    assert state["history"][-2]["reason"] == "CFO emailed"


async def test_two_mandatory_milestones_missing_are_listed_in_process_order(client, database, people):
    # given: a deal in sal with nothing of sal done
    deal = await create_deal(database, owner=people.rep_a, stage="sal")

    # when
    body = await gql(client, MOVE_DEAL, {"dealId": deal_gid(deal), "toStage": "commit"}, token=people.rep_a.token)

    # then
    missing = [m["key"] for m in body["data"]["moveDeal"]["missingMilestones"]]
    assert missing == ["decision-maker-agrees", "finance-sign-off"]


async def test_manager_override_is_recorded_with_reason_and_skipped_milestones(client, database, people):
    # given
    deal = await create_deal(database, owner=people.rep_a, stage="sal", completed=("icp-fit", "pain-confirmed"))

    # when
    body = await gql(
        client,
        MOVE_DEAL,
        {
            "dealId": deal_gid(deal),
            "toStage": "commit",
            "override": True,
            "reason": "CFO verbally approved; paperwork next week",
        },
        token=people.manager.token,
    )

    # then
    result = body["data"]["moveDeal"]
    assert result["__typename"] == "MoveDealSuccess"
    assert [m["key"] for m in result["overriddenMilestones"]] == ["decision-maker-agrees", "finance-sign-off"]
    history = (await gql(client, DEAL_STATE, {"id": deal_gid(deal)}, token=people.manager.token))["data"]["deal"]
    override = history["history"][-2]
    assert override["kind"] == "GATE_OVERRIDDEN"
    assert override["reason"] == "CFO verbally approved; paperwork next week"
    assert override["skippedMilestoneKeys"] == ["decision-maker-agrees", "finance-sign-off"]
    assert override["skippedMilestones"] == [
        {"key": "decision-maker-agrees", "stage": {"key": "sal"}},
        {"key": "finance-sign-off", "stage": {"key": "sal"}},
    ]
    assert override["actor"]["name"] == "Maya Manager"
    assert history["history"][-1]["kind"] == "MOVED"


async def test_rep_override_attempt_is_refused_and_changes_nothing(client, database, people):
    # given
    deal = await create_deal(database, owner=people.rep_a, stage="sal", completed=("icp-fit", "pain-confirmed"))
    before = await snapshot(database)

    # when
    body = await gql(
        client,
        MOVE_DEAL,
        {"dealId": deal_gid(deal), "toStage": "commit", "override": True, "reason": "trust me"},
        token=people.rep_a.token,
    )

    # then
    assert body["data"]["moveDeal"]["__typename"] == "PermissionDenied"
    assert await snapshot(database) == before


async def test_manager_override_without_reason_is_invalid(client, database, people):
    deal = await create_deal(database, owner=people.rep_a, stage="sal", completed=("icp-fit", "pain-confirmed"))

    body = await gql(
        client, MOVE_DEAL, {"dealId": deal_gid(deal), "toStage": "commit", "override": True}, token=people.manager.token
    )

    assert body["data"]["moveDeal"] == {
        "__typename": "InvalidInput",
        "field": "reason",
        "message": "a written reason is required",
    }


async def test_backward_move_needs_a_reason_and_skips_the_gate(client, database, people):
    # given
    deal = await create_deal(database, owner=people.rep_a, stage="commit")

    # when
    without = await gql(client, MOVE_DEAL, {"dealId": deal_gid(deal), "toStage": "sql"}, token=people.rep_a.token)
    with_reason = await gql(
        client,
        MOVE_DEAL,
        {"dealId": deal_gid(deal), "toStage": "sql", "reason": "new decision maker"},
        token=people.rep_a.token,
    )

    # then
    assert without["data"]["moveDeal"]["__typename"] == "InvalidInput"
    assert with_reason["data"]["moveDeal"]["deal"]["stage"]["key"] == "sql"


async def test_deal_may_skip_ahead_when_the_gate_allows(client, database, people):
    deal = await create_deal(
        database,
        owner=people.rep_a,
        stage="mql",
        completed=(
            "icp-fit",
            "pain-confirmed",
            "decision-maker-agrees",
            "finance-sign-off",
        ),
    )

    body = await gql(client, MOVE_DEAL, {"dealId": deal_gid(deal), "toStage": "commit"}, token=people.rep_a.token)

    assert body["data"]["moveDeal"]["deal"]["stage"]["key"] == "commit"


async def test_milestone_of_a_later_stage_counts_once_the_deal_gets_there(client, database, people):
    # given: finance signed off early, while the deal is still in sql
    deal = await create_deal(database, owner=people.rep_a, stage="sql", completed=("icp-fit", "finance-sign-off"))

    # when
    state = (await gql(client, DEAL_STATE, {"id": deal_gid(deal)}, token=people.rep_a.token))["data"]["deal"]

    # then: it is not remaining, and does not count toward strength yet (sal not reached)
    assert "finance-sign-off" not in [m["key"] for m in state["remainingMilestones"]]
    assert state["strength"] == round(2 / 7, 4)
    assert [m["key"] for m in state["blockers"]] == ["pain-confirmed"]
    assert state["canAdvance"] is False
    next_steps = [(s["key"], s["mandatory"]) for s in state["nextSteps"]]
    assert next_steps == [("pain-confirmed", True), ("budget-range", False)]


async def test_complete_is_idempotent_and_reopen_undoes_it(client, database, people):
    # given
    deal = await create_deal(
        database,
        owner=people.rep_a,
        stage="sal",
        completed=(
            "icp-fit",
            "pain-confirmed",
            "decision-maker-agrees",
        ),
    )
    variables = {"dealId": deal_gid(deal), "key": "finance-sign-off"}

    # when
    first = await gql(client, COMPLETE_MILESTONE, variables, token=people.rep_a.token)
    events_after_first = await count_rows(database, "deal_events")
    second = await gql(client, COMPLETE_MILESTONE, variables, token=people.rep_a.token)

    # then
    versions = [body["data"]["completeMilestone"]["deal"]["version"] for body in (first, second)]
    assert versions[0] == versions[1]
    assert await count_rows(database, "deal_events") == events_after_first
    reopened = await gql(client, REOPEN_MILESTONE, variables, token=people.rep_a.token)
    assert reopened["data"]["reopenMilestone"]["deal"]["blockers"] == [{"key": "finance-sign-off"}]
    state = (await gql(client, DEAL_STATE, {"id": deal_gid(deal)}, token=people.rep_a.token))["data"]["deal"]
    assert state["history"][-1]["kind"] == "MILESTONE_REOPENED"
    assert state["history"][-1]["reason"] == "booked by mistake"


async def test_former_milestone_key_keeps_recorded_work(client, database, people):
    # given: work recorded under the old key `pain-found`
    deal = await create_deal(database, owner=people.rep_a, stage="sql", completed=("icp-fit", "pain-found"))

    # when
    state = (await gql(client, DEAL_STATE, {"id": deal_gid(deal)}, token=people.rep_a.token))["data"]["deal"]

    # then
    assert state["canAdvance"] is True
    assert "pain-confirmed" not in [m["key"] for m in state["remainingMilestones"]]


async def test_closing_won_goes_through_the_gate_and_lost_needs_a_reason(client, database, people):
    # given
    deal = await create_deal(database, owner=people.rep_a, stage="commit")
    other = await create_deal(database, owner=people.rep_a, stage="sql")

    # when
    blocked = await gql(client, CLOSE_DEAL, {"dealId": deal_gid(deal), "outcome": "WON"}, token=people.rep_a.token)
    no_reason = await gql(client, CLOSE_DEAL, {"dealId": deal_gid(other), "outcome": "LOST"}, token=people.rep_a.token)
    lost = await gql(
        client,
        CLOSE_DEAL,
        {"dealId": deal_gid(other), "outcome": "LOST", "reason": "no budget"},
        token=people.rep_a.token,
    )

    # then
    assert [m["key"] for m in blocked["data"]["closeDeal"]["missingMilestones"]] == ["order-form-sent"]
    assert no_reason["data"]["closeDeal"]["__typename"] == "InvalidInput"
    assert lost["data"]["closeDeal"]["deal"] == {"status": "LOST", "stage": {"key": "closed-lost"}}
    paper = {"dealId": deal_gid(deal), "key": "order-form-sent"}
    await gql(client, COMPLETE_MILESTONE, paper, token=people.rep_a.token)
    won = await gql(client, CLOSE_DEAL, {"dealId": deal_gid(deal), "outcome": "WON"}, token=people.rep_a.token)
    assert won["data"]["closeDeal"]["deal"] == {"status": "WON", "stage": {"key": "closed-won"}}


async def test_plays_cover_the_deals_competitors_and_the_status_quo(client, database, people):
    deal = await create_deal(database, owner=people.rep_a, stage="sal", competitors=("acme",))

    state = (await gql(client, DEAL_STATE, {"id": deal_gid(deal)}, token=people.rep_a.token))["data"]["deal"]

    plays = [(p["milestone"]["key"], p["play"]["competitor"]["key"]) for p in state["plays"]]
    assert plays == [
        ("decision-maker-agrees", "status-quo"),
        ("finance-sign-off", "acme"),
        ("finance-sign-off", "status-quo"),
    ]
    assert state["estimatedDaysToClose"] == 10 + 3
