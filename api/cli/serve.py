"""`waymark serve [--demo]`: the API with GraphiQL at /graphql, the guidebook at /guide, health at /healthz."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer

DEMO_DATABASE = Path("waymark-demo.sqlite3")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `waymark` app."""

    @app.command("serve")
    def serve(
        demo: Annotated[bool, typer.Option("--demo", help="Seed a fresh demo database; print tokens.")] = False,
        host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
        reload: Annotated[bool, typer.Option("--reload", help="Restart when the code changes.")] = False,
        build_guide: Annotated[
            bool,
            typer.Option(
                "--build-guide/--no-build-guide",
                help="Build the guidebook of the version served (in the background) and serve it at /guide; "
                "without it, /guide serves the site folder as it is.",
            ),
        ] = True,
    ) -> None:
        """Run the API server."""
        import uvicorn

        if demo:
            os.environ["DATABASE_URL"] = f"sqlite+aiosqlite:///{DEMO_DATABASE.resolve()}"
            _print_demo(asyncio.run(_seed_demo()), host=host, port=port)
        os.environ["WAYMARK_BUILD_GUIDE"] = "true" if build_guide else "false"
        uvicorn.run("api.app:create_app", factory=True, host=host, port=port, reload=reload, log_level="info")


async def _seed_demo() -> dict[str, str]:
    """A fresh demo database: the shipped folder published as version 1, then the demo team and deals."""
    from api.db import Database, upgrade
    from api.seed.demo import seed_demo
    from api.services.publishing.store import ServedProcess
    from api.services.publishing.watcher import start_serving
    from api.settings import default_database_url, default_process_dir

    DEMO_DATABASE.unlink(missing_ok=True)
    served = ServedProcess(directory=default_process_dir())
    database = Database(url=default_database_url())
    try:
        await upgrade(database.engine)
        await start_serving(database, served, published_by="waymark serve --demo")
        if not served.loaded:
            raise typer.BadParameter(f"the process definitions are invalid: {served.problems_text()}")
        async with database.transaction() as session:
            return await seed_demo(session, definitions=served.current, process_version=served.served.number)
    finally:
        await database.dispose()


def _print_demo(tokens: dict[str, str], *, host: str, port: int) -> None:
    typer.echo(f"demo database: {DEMO_DATABASE.resolve()}")
    typer.echo(f"GraphiQL:  http://{host}:{port}/graphql   (send `Authorization: Bearer <token>`)")
    typer.echo(f"guidebook: http://{host}:{port}/guide/")
    width = max((len(who) for who in tokens), default=0)
    for who, token in tokens.items():
        typer.echo(f"  {who:<{width}}  {token}")
