"""`waymark serve [--demo]`: the API with GraphiQL at /graphql, the guidebook at /guide, health at /healthz."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import socket
from pathlib import Path
from typing import IO, Annotated

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
        workers: Annotated[
            int,
            typer.Option(
                "--workers", min=1, help="Worker processes sharing the port, each a server of its own (PostgreSQL)."
            ),
        ] = 1,
        access_log: Annotated[
            bool, typer.Option("--access-log/--no-access-log", help="Log a line per request.")
        ] = True,
        build_guide: Annotated[
            bool,
            typer.Option(
                "--build-guide/--no-build-guide",
                help="Build the guidebook of the version served (in the background) and serve it at /guide; "
                "without it, /guide serves the site folder as it is.",
            ),
        ] = True,
    ) -> None:
        """Run the API server. With WAYMARK_ENV=production: no GraphiQL or introspection unless enabled
        (WAYMARK_GRAPHIQL, WAYMARK_INTROSPECTION), JSON log lines, and DATABASE_URL must be set."""
        from api.cli.listening import run as run_server
        from api.settings import DEFAULT_DATABASE_URL, Settings, SettingsInvalid, is_sqlite

        _refuse_if_taken(host, port)
        if demo:
            _hold_the_demo_database()
            os.environ["DATABASE_URL"] = f"sqlite+aiosqlite:///{DEMO_DATABASE.resolve()}"
        try:
            Settings.from_env()
        except SettingsInvalid as invalid:
            raise typer.BadParameter(str(invalid)) from None
        if demo:
            tokens = asyncio.run(_seed_demo())
            _print_demo(tokens, host=host, port=port)
            os.environ["WAYMARK_DEMO_TOKENS"] = json.dumps(tokens)
        if workers > 1 and is_sqlite(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)):
            typer.echo(
                f"note: {workers} workers share one SQLite file; they take turns to write through SQLite's lock. "
                "For several workers, use PostgreSQL (DATABASE_URL=postgresql+asyncpg://...).",
                err=True,
            )
        os.environ["WAYMARK_BUILD_GUIDE"] = "true" if build_guide else "false"
        run_server(host=host, port=port, reload=reload, workers=workers, access_log=access_log)


_demo_lock: IO[str] | None = None
"""Held for the life of a `--demo` server, so a second one cannot replace its database under it."""


def _hold_the_demo_database() -> None:
    global _demo_lock
    lock = open(f"{DEMO_DATABASE}.lock", "a")  # noqa: SIM115 - held open until the process ends
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        typer.echo(
            f"another `waymark serve --demo` is using {DEMO_DATABASE.resolve()}; stop it first, or run this one "
            "from another folder",
            err=True,
        )
        raise typer.Exit(1) from None
    _demo_lock = lock


def _refuse_if_taken(host: str, port: int) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            typer.echo(f"port {port} on {host} is taken (another server?); choose another with --port", err=True)
            raise typer.Exit(1) from None


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
