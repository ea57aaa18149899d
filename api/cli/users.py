"""`waymark user add NAME --role ROLE [--team TEAM]`: create a user and print their API token once."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from api.db import Database, upgrade
from api.db.models import Role
from api.services.accounts.tokens import add_user
from api.services.deals.failures import InvalidInput
from api.services.deals.input import parse_name
from api.settings import default_database_url, is_sqlite

user_app = typer.Typer(help="Manage users and their API tokens.", no_args_is_help=True)


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


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `waymark` app."""
    app.add_typer(user_app, name="user")
