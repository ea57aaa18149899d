"""`waymark serve [--demo]`: the API with GraphiQL at /graphql, the guidebook at /guide, health at /healthz."""

from __future__ import annotations

import asyncio
import os
import time
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
            bool, typer.Option("--build-guide/--no-build-guide", help="Build the guidebook first if missing or stale.")
        ] = True,
    ) -> None:
        """Run the API server. With WAYMARK_ENV=production: no GraphiQL or introspection unless enabled
        (WAYMARK_GRAPHIQL, WAYMARK_INTROSPECTION), JSON log lines, and DATABASE_URL must be set."""
        import uvicorn

        from api.settings import Settings, SettingsInvalid

        if demo:
            os.environ["DATABASE_URL"] = f"sqlite+aiosqlite:///{DEMO_DATABASE.resolve()}"
        try:
            Settings.from_env()
        except SettingsInvalid as invalid:
            raise typer.BadParameter(str(invalid)) from None
        if demo:
            _print_demo(asyncio.run(_seed_demo()), host=host, port=port)
        if build_guide:
            _ensure_guidebook()
        uvicorn.run("api.app:create_app", factory=True, host=host, port=port, reload=reload, log_level="info")


async def _seed_demo() -> dict[str, str]:
    from api.db import Database, upgrade
    from api.seed.demo import seed_demo
    from api.services.publishing.store import DefinitionsStore
    from api.settings import default_database_url, default_process_dir

    DEMO_DATABASE.unlink(missing_ok=True)
    store = DefinitionsStore(directory=default_process_dir())
    outcome = store.reload()
    if not outcome.loaded:
        raise typer.BadParameter(f"the process definitions are invalid: {store.problems_text()}")
    database = Database(url=default_database_url())
    try:
        await upgrade(database.engine)
        async with database.transaction() as session:
            return await seed_demo(session, definitions=store.current)
    finally:
        await database.dispose()


def _ensure_guidebook() -> None:
    """Build the guidebook into the site folder the app will serve at /guide, unless it is up to date.

    Here rather than in the app factory, so every worker (and every test) starts without building. A failed
    build is reported and the API starts anyway, without /guide.
    """
    from api.process import DefinitionsInvalid
    from api.settings import Settings

    settings = Settings.from_env()
    typer.echo(f"guidebook: checking {settings.site_dir}/ (built when missing or older than the process files)")
    started = time.perf_counter()
    try:
        from guidebook.build import GuidebookBuildFailed, ensure_built
    except ImportError as error:
        typer.echo(f"guidebook: not available ({error}); serving the API without /guide", err=True)
        return
    try:
        built = ensure_built(settings.site_dir, process_dir=settings.process_dir)
    except (DefinitionsInvalid, GuidebookBuildFailed) as error:
        typer.echo(f"guidebook: build failed, serving the API without /guide:\n{error}", err=True)
        return
    if built:
        typer.echo(f"guidebook: built {settings.site_dir}/ in {time.perf_counter() - started:.1f} s")


def _print_demo(tokens: dict[str, str], *, host: str, port: int) -> None:
    typer.echo(f"demo database: {DEMO_DATABASE.resolve()}")
    typer.echo(f"GraphiQL:  http://{host}:{port}/graphql   (send `Authorization: Bearer <token>`)")
    typer.echo(f"guidebook: http://{host}:{port}/guide/")
    width = max((len(who) for who in tokens), default=0)
    for who, token in tokens.items():
        typer.echo(f"  {who:<{width}}  {token}")
