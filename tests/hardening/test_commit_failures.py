"""A commit that fails (the connection died at the last moment, or a bug) reaches the client as a clear error,
never as the driver's words, and leaves nothing half written."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.factories import create_deal, deal_gid, snapshot

RENAME = """mutation($id: ID!, $version: Int!) {
  updateDeal(input: {dealId: $id, expectedVersion: $version, name: "Never saved"}) { __typename } }"""
DRIVER_WORDS = "server closed the connection unexpectedly"


@pytest.mark.parametrize(
    ("failure", "status", "message"),
    [
        (OperationalError("COMMIT", {}, Exception(DRIVER_WORDS)), 503, "the service is unavailable"),
        (RuntimeError(f"a bug at commit: {DRIVER_WORDS}"), 200, "Unexpected error."),
    ],
    ids=["connection lost", "bug"],
)
async def test_a_failed_commit_is_a_clear_error_and_saves_nothing(
    client, database, people, monkeypatch, caplog, failure, status, message
):
    # given: a commit that fails
    deal = await create_deal(database, owner=people.rep_a, completed=())
    before = await snapshot(database)

    async def failing_commit(self):  # noqa: ANN001, ANN202
        raise failure

    monkeypatch.setattr(AsyncSession, "commit", failing_commit)
    caplog.set_level(logging.WARNING)

    # when
    response = await client.post(
        "/graphql",
        json={"query": RENAME, "variables": {"id": deal_gid(deal), "version": deal.version}},
        headers={"authorization": f"Bearer {people.rep_a.token}"},
    )
    monkeypatch.undo()

    # then
    assert response.status_code == status
    assert response.json()["errors"][0]["message"].startswith(message)
    assert DRIVER_WORDS not in response.text
    assert DRIVER_WORDS in caplog.text  # the operator still learns what happened
    assert await snapshot(database) == before
