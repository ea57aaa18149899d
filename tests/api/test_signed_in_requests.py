"""A signed-in request that only asks who is asking reads nothing once its token is known (a revoked token is
refused by every server: `tests/hardening/test_tokens.py`)."""

from __future__ import annotations

from sqlalchemy import event

from tests.api.factories import gql

ME = "{ me { id name role } }"
TTL = 0.5


async def test_me_reads_the_token_once_and_then_nothing(client, database, people):
    # given
    statements: list[str] = []
    transactions: list[str] = []

    def statement(*args: object) -> None:
        statements.append(str(args[2]))

    def transaction(*_: object) -> None:
        transactions.append("begin")

    event.listen(database.engine.sync_engine, "before_cursor_execute", statement)
    event.listen(database.engine.sync_engine, "begin", transaction)
    try:
        # when
        first = await gql(client, ME, token=people.rep_b.token)
        cold = list(statements)
        statements.clear()
        transactions.clear()
        second = await gql(client, ME, token=people.rep_b.token)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", statement)
        event.remove(database.engine.sync_engine, "begin", transaction)

    # then: one statement (the token with its user) the first time, no round trip at all after
    assert first == second == {"data": {"me": {"id": people.rep_b.global_id, "name": "Bob Rep", "role": "REP"}}}
    assert len(cold) == 1, cold
    assert statements == []
    assert transactions == []
