"""`waymark user add|list|revoke` and `waymark token rotate`: people and their API tokens.

`add` prints a new user's token once; `list` shows who has working tokens, never a token or its hash;
`revoke` stops every token of a user; `token rotate` gives a user a new token (optionally expiring) and
revokes the old ones. Every server looks a token up on each request, so a revocation holds everywhere at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import Database, upgrade
from api.db.models import Role, utc_now
from api.services.accounts.directory import PersonNotFound, find_person, list_people
from api.services.accounts.tokens import add_user, revoke_tokens, rotate_token
from api.services.deals.failures import InvalidInput
from api.services.deals.input import parse_name
from api.settings import default_database_url, is_sqlite

user_app = typer.Typer(help="Manage users and their API tokens.", no_args_is_help=True)
token_app = typer.Typer(help="Rotate API tokens.", no_args_is_help=True)
T = TypeVar("T")
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Defaults to $DATABASE_URL or the SQLite file.")
]
Who = Annotated[str, typer.Argument(help="The user's ID (as `waymark user list` shows it) or exact name.")]


def _in_transaction(url: str | None, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    database_url = url or default_database_url()

    async def run() -> T:
        database = Database(url=database_url)
        try:
            if is_sqlite(database_url):
                await upgrade(database.engine)
            async with database.transaction() as session:
                return await work(session)
        finally:
            await database.dispose()

    try:
        return asyncio.run(run())
    except PersonNotFound as error:
        raise typer.BadParameter(str(error), param_hint="USER") from None


@user_app.command("add")
def add_command(
    name: Annotated[str, typer.Argument(help="The user's name.")],
    role: Annotated[Role, typer.Option("--role", help="rep, manager, enablement or admin.")],
    team: Annotated[
        str | None, typer.Option("--team", help="The team (created if new); a manager sees its deals.")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Defaults to $DATABASE_URL or the SQLite file.")
    ] = None,
) -> None:
    """Create a user and print their API token. The token is shown once; only its hash is stored."""
    name, team = _checked(name, role=role, team=team)
    url = database_url or default_database_url()

    async def run() -> str:
        database = Database(url=url)
        try:
            if is_sqlite(url):
                await upgrade(database.engine)
            async with database.transaction() as session:
                _, token = await add_user(session, name=name, role=role, team_name=team)
            return token
        finally:
            await database.dispose()

    token = asyncio.run(run())
    typer.echo(f"created {role.value} {name!r}{f' in team {team!r}' if team else ''}")
    typer.echo(f"API token (shown once): {token}")


def _checked(name: str, *, role: Role, team: str | None) -> tuple[str, str | None]:
    """The name and team, trimmed; a usage error (exit code 2) when either is unusable."""
    parsed = parse_name(name, field="NAME")
    if isinstance(parsed, InvalidInput):
        raise typer.BadParameter(f"the user's name {parsed.message}", param_hint="NAME")
    team_name = None
    if team is not None:
        parsed_team = parse_name(team, field="--team")
        if isinstance(parsed_team, InvalidInput):
            raise typer.BadParameter(f"the team's name {parsed_team.message}", param_hint="--team")
        team_name = parsed_team
    if role is Role.MANAGER and team_name is None:
        raise typer.BadParameter(
            "a manager needs a team (a manager sees and changes their team's deals, so without one they see none)",
            param_hint="--team",
        )
    return parsed, team_name


@user_app.command("list")
def list_command(database_url: DatabaseUrl = None) -> None:
    """List users: ID, name, role, team, and how many tokens work for them (no token is ever shown)."""
    people = _in_transaction(database_url, list_people)
    typer.echo(f"{'ID':>5}  {'NAME':<30} {'ROLE':<10} {'TEAM':<20} {'TOKENS':>6}  EXPIRES")
    for person in people:
        expiry = person.next_expiry.strftime("%Y-%m-%d %H:%M UTC") if person.next_expiry else "-"
        team, name = (person.team or "-")[:20], person.name[:30]
        typer.echo(f"{person.id:>5}  {name:<30} {person.role:<10} {team:<20} {person.working_tokens:>6}  {expiry}")


@user_app.command("revoke")
def revoke_command(who: Who, database_url: DatabaseUrl = None) -> None:
    """Revoke every token of a user; requests with them are refused from now on, on every server."""

    async def revoke(session: AsyncSession) -> tuple[str, int]:
        person = await find_person(session, who=who)
        return person.name, await revoke_tokens(session, user=person)

    name, count = _in_transaction(database_url, revoke)
    typer.echo(f"revoked {count} token{'s' if count != 1 else ''} of {name!r}")


@token_app.command("rotate")
def rotate_command(
    who: Who,
    expires_in_days: Annotated[
        int | None, typer.Option("--expires-in-days", min=1, help="The new token stops working after this many days.")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Give a user a new API token and revoke their old ones; the new token is shown once."""
    expires_at = None if expires_in_days is None else utc_now() + timedelta(days=expires_in_days)

    async def rotate(session: AsyncSession) -> tuple[str, str]:
        person = await find_person(session, who=who)
        return person.name, await rotate_token(session, user=person, expires_at=expires_at)

    name, token = _in_transaction(database_url, rotate)
    until = f", working until {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else ""
    typer.echo(f"new token for {name!r}{until}; every older token of theirs is revoked")
    typer.echo(f"API token (shown once): {token}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `waymark` app."""
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
