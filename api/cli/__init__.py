"""The `waymark` command line. Each command group lives in its own module and registers itself here."""

from __future__ import annotations

import typer

from api.cli import check, db, export_schema, guide, process, report, seed, serve, users

app = typer.Typer(
    name="waymark",
    help="Run a B2B sales process: process files, a GraphQL API for deals, and a guidebook for reps.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Run a B2B sales process: process files, a GraphQL API for deals, and a guidebook for reps."""


for module in (check, serve, guide, process, db, users, seed, report, export_schema):
    module.register(app)


def main() -> None:
    app()
