"""`waymark export-schema`: write the GraphQL SDL that front-end teams build against."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"


def schema_sdl() -> str:
    from api.graphql.schema import schema

    return schema.as_str() + "\n"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `waymark` app."""

    @app.command("export-schema")
    def export_schema(
        output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the SDL.")] = SCHEMA_FILE,
    ) -> None:
        """Write the GraphQL schema (SDL) to api/schema.graphql; a test fails when it is stale."""
        output.write_text(schema_sdl(), encoding="utf-8")
        typer.echo(f"wrote {output}")
