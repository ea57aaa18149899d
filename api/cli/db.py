"""`waymark db upgrade`: bring the database schema up to date."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from api.db import Database, upgrade
from api.db.migrate import current_revision
from api.settings import default_database_url

db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_command(
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Defaults to $DATABASE_URL or the SQLite file.")
    ] = None,
) -> None:
    """Apply every pending migration (run this before starting a new release against PostgreSQL)."""
    url = database_url or default_database_url()

    async def run() -> str | None:
        database = Database(url=url)
        try:
            await upgrade(database.engine)
            return await current_revision(database.engine)
        finally:
            await database.dispose()

    revision = asyncio.run(run())
    typer.echo(f"database at revision {revision}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `waymark` app."""
    app.add_typer(db_app, name="db")
