"""`waymark user add NAME --role ROLE [--team TEAM]`: create a user and print their API token once."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from api.db import Database, upgrade
from api.db.models import Role
from api.services.auth import add_user
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


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `waymark` app."""
    app.add_typer(user_app, name="user")
