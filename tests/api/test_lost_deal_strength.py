"""A lost deal's strength counts the stages it reached before it was lost, not the whole process: a deal lost
from MQL with every MQL milestone done is as strong as it could have been there."""

from __future__ import annotations

from sqlalchemy import update

from api.db.models import Deal
from tests.api.factories import create_deal, deal_gid, gql
from tests.api.test_statement_count import counting_statements

CLOSE_LOST = """
mutation($dealId: ID!) {
  closeDeal(dealId: $dealId, outcome: LOST, reason: "No budget this year") {
    __typename ... on CloseDealSuccess { deal { status strength } }
  }
}
"""
DEAL_PAGE = "query($id: ID!) { deal(id: $id) { status strength } }"
BOARD = "query($first: Int!) { deals(first: $first, filter: {statuses: [LOST]}) { edges { node { id strength } } } }"


async def _lost(client, database, people, *, stage: str, completed: tuple[str, ...]):
    deal = await create_deal(database, owner=people.rep_a, stage=stage, completed=completed)
    body = await gql(client, CLOSE_LOST, {"dealId": deal_gid(deal)}, token=people.rep_a.token)
    assert body["data"]["closeDeal"]["__typename"] == "CloseDealSuccess", body
    return deal, body["data"]["closeDeal"]["deal"]


async def test_deal_lost_from_mql_with_every_mql_milestone_done_has_full_strength(client, database, people):
    # given / when
    deal, closed = await _lost(client, database, people, stage="mql", completed=("icp-fit", "intro-call"))

    # then
    assert closed == {"status": "LOST", "strength": 1.0}
    page = await gql(client, DEAL_PAGE, {"id": deal_gid(deal)}, token=people.rep_a.token)
    assert page["data"]["deal"] == {"status": "LOST", "strength": 1.0}


async def test_lost_deal_strength_counts_stages_up_to_the_one_it_was_lost_from(client, database, people):
    # given: lost from SQL with MQL done and half of SQL's weight (pain 3 of 4); a later milestone done early
    deal, closed = await _lost(
        client, database, people, stage="sql", completed=("icp-fit", "intro-call", "pain-confirmed", "order-form-sent")
    )

    # then: (2 + 1 + 3) / (2 + 1 + 3 + 1)
    assert closed["strength"] == round(6 / 7, 4)


async def test_lost_deal_without_a_close_event_counts_up_to_its_furthest_worked_stage(client, database, people):
    # given: a deal put in the lost stage without a closed-lost event saying where from
    deal = await create_deal(database, owner=people.rep_a, stage="closed-lost", completed=("icp-fit", "pain-confirmed"))
    async with database.transaction() as session:
        await session.execute(update(Deal).where(Deal.id == deal.id).values(status="lost"))

    # when
    page = await gql(client, DEAL_PAGE, {"id": deal_gid(deal)}, token=people.rep_a.token)

    # then: MQL and SQL reached, (2 + 3) / (3 + 4)
    assert page["data"]["deal"] == {"status": "LOST", "strength": round(5 / 7, 4)}


async def test_board_and_deal_page_agree_on_lost_deals_at_a_constant_statement_count(client, database, people):
    # given
    deals = [
        (await _lost(client, database, people, stage=stage, completed=("icp-fit",)))[0]
        for stage in ("mql", "sql", "sal") * 4
    ]

    # when
    with counting_statements(database) as small:
        two = await gql(client, BOARD, {"first": 2}, token=people.rep_a.token)
    with counting_statements(database) as large:
        board = await gql(client, BOARD, {"first": 12}, token=people.rep_a.token)

    # then
    assert len(small) == len(large), (small, large)
    assert len(two["data"]["deals"]["edges"]) == 2
    on_board = {edge["node"]["id"]: edge["node"]["strength"] for edge in board["data"]["deals"]["edges"]}
    for deal in deals:
        page = await gql(client, DEAL_PAGE, {"id": deal_gid(deal)}, token=people.rep_a.token)
        assert on_board[deal_gid(deal)] == page["data"]["deal"]["strength"]
    assert sorted(set(on_board.values())) == [round(2 / 17, 4), round(2 / 7, 4), round(2 / 3, 4)]
