"""Server logs: a client's mistakes stay below WARNING; a bug is one ERROR record with its traceback."""

from __future__ import annotations

import logging

import pytest

from api.graphql.deals.types import DealType
from tests.api.factories import create_deal, deal_gid

DEAL_STAGE = "query($id: ID!) { deal(id: $id) { stage { key } } }"

CLIENT_MISTAKES = {
    "missing token": ("{ processes { key } }", {}, False),
    "unknown field": ("{ noSuchField }", {}, True),
    "syntax error": ("{ processes { key ", {}, True),
    "bad user input": ("{ deals(first: -1) { totalCount } }", {}, True),
    "bad variable": ("query($n: Int!) { deals(first: $n) { totalCount } }", {"n": "ten"}, True),
    "too deep": (
        "{ processes { stages { milestones { stage { milestones { stage { milestones { stage { "
        "milestones { stage { milestones { stage { key } } } } } } } } } } } }",
        {},
        True,
    ),
}


@pytest.mark.parametrize("mistake", CLIENT_MISTAKES)
async def test_a_client_mistake_is_not_logged_as_an_error(client, people, caplog, mistake):
    # given
    query, variables, with_token = CLIENT_MISTAKES[mistake]
    headers = {"Authorization": f"Bearer {people.rep_a.token}"} if with_token else {}
    caplog.set_level(logging.DEBUG)

    # when
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)

    # then: the client is told, the log stays quiet above DEBUG/INFO
    assert response.json()["errors"], response.text
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert loud == [], [r.getMessage() for r in loud]


async def test_a_bug_is_logged_once_at_error_with_its_traceback(client, database, people, monkeypatch, caplog):
    # given: a bug inside a resolver
    deal = await create_deal(database, owner=people.rep_a)

    def broken(self, info):  # noqa: ANN001
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(DealType, "_process", broken)

    # when
    response = await client.post(
        "/graphql",
        json={"query": DEAL_STAGE, "variables": {"id": deal_gid(deal)}},
        headers={"Authorization": f"Bearer {people.rep_a.token}"},
    )

    # then: masked for the client; one ERROR record server-side, with the exception attached
    assert response.json()["errors"][0]["message"] == "Unexpected error."
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].exc_info is not None
    assert isinstance(errors[0].exc_info[1], RuntimeError)
    assert "hunter2" in caplog.text
    assert "Traceback" in caplog.text
