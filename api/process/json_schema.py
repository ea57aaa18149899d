"""JSON Schemas for the process files, generated from the models so editors can autocomplete.

Each YAML file names its schema on its first line (`# yaml-language-server: $schema=...`), which
VS Code's YAML extension and other language-server editors follow. Regenerate with
`python -m api.process.json_schema` after changing the models; a test fails while they are stale.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from pydantic import BaseModel

from api.process.models import Branding, Competitor, ContentLibrary, Process

SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "process.schema.json": (Process, "A Waymark sales process: its stages and their milestones."),
    "competitor.schema.json": (Competitor, "A Waymark battlecard for one competitor, or the status quo."),
    "content.schema.json": (ContentLibrary, "The Waymark content library: what reps can send."),
    "branding.schema.json": (Branding, "The Waymark guidebook's name, colours and logo."),
}


def render_json_schemas() -> dict[str, str]:
    """File name → schema text, exactly as committed."""
    rendered: dict[str, str] = {}
    for name, (model, title) in SCHEMAS.items():
        schema = model.model_json_schema()
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": title}
        rendered[name] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return rendered


def write_json_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_json_schemas().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    # The same default folder as the `waymark` commands, without importing them: api.process stands alone.
    default = Path(os.environ.get("WAYMARK_PROCESS_DIR", "process_definitions")) / "schema"
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    for path in write_json_schemas(target):
        print(f"wrote {path}")
