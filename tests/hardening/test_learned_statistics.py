"""Learned statistics shown to a rep or a manager follow only the deals they may see: another team's activity
does not move them (`api.services.history.learned` states the rule)."""

from __future__ import annotations

from api.services.history.cache import history_cache
from tests.api.factories import create_deal, deal_gid, gql

ESTIMATE = """query($id: ID!) { deal(id: $id) { closeEstimate { remainingMilestones {
  milestone { key } observations } } } }"""


def _observations(body: dict, milestone: str) -> int:
    remaining = body["data"]["deal"]["closeEstimate"]["remainingMilestones"]
    return next(r["observations"] for r in remaining if r["milestone"]["key"] == milestone)


async def test_another_teams_completion_does_not_move_a_reps_or_managers_figures(client, database, people):
    # given: a West rep's open deal, and what the West rep and an admin see of its estimate
    west_deal = await create_deal(database, owner=people.other_rep, completed=())
    variables = {"id": deal_gid(west_deal)}
    west_before = _observations(await gql(client, ESTIMATE, variables, token=people.other_rep.token), "icp-fit")
    admin_before = _observations(await gql(client, ESTIMATE, variables, token=people.admin.token), "icp-fit")

    # when: a rep of team East completes that milestone on a deal of theirs
    await create_deal(database, owner=people.rep_a, completed=("icp-fit",))
    history_cache.forget()

    # then: the admin, who sees every deal, sees one more observation; the West rep sees none
    west_after = _observations(await gql(client, ESTIMATE, variables, token=people.other_rep.token), "icp-fit")
    admin_after = _observations(await gql(client, ESTIMATE, variables, token=people.admin.token), "icp-fit")
    assert admin_after == admin_before + 1
    assert west_after == west_before


async def test_a_managers_figures_follow_their_team_only(client, database, people):
    # given: a deal of the East manager's team
    east_deal = await create_deal(database, owner=people.rep_b, completed=())
    variables = {"id": deal_gid(east_deal)}
    before = _observations(await gql(client, ESTIMATE, variables, token=people.manager.token), "icp-fit")

    # when: West completes the milestone, then East does (each time measured afresh, not from the figures
    # remembered before the change)
    await create_deal(database, owner=people.other_rep, completed=("icp-fit",))
    history_cache.forget()
    after_west = _observations(await gql(client, ESTIMATE, variables, token=people.manager.token), "icp-fit")
    await create_deal(database, owner=people.rep_a, completed=("icp-fit",))
    history_cache.forget()
    after_east = _observations(await gql(client, ESTIMATE, variables, token=people.manager.token), "icp-fit")

    # then
    assert after_west == before
    assert after_east == before + 1
