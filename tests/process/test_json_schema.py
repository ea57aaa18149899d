from __future__ import annotations

import json

import pytest

from api.process.json_schema import SCHEMAS, render_json_schemas
from tests.process.conftest import SHIPPED


def test_committed_json_schemas_match_the_models() -> None:
    for name, text in render_json_schemas().items():
        committed = (SHIPPED / "schema" / name).read_text(encoding="utf-8")
        assert committed == text, f"{name} is stale: run `python -m api.process.json_schema`"


@pytest.mark.parametrize(
    ("folder", "schema"),
    [
        ("processes", "process.schema.json"),
        ("competitors", "competitor.schema.json"),
        ("content", "content.schema.json"),
    ],
)
def test_every_shipped_file_points_editors_at_its_schema(folder: str, schema: str) -> None:
    files = sorted((SHIPPED / folder).glob("*.yaml"))
    assert files
    for path in files:
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        assert first_line == f"# yaml-language-server: $schema=../schema/{schema}", path


def test_schema_tells_editors_about_fields_and_rejects_unknown_ones() -> None:
    process = json.loads(render_json_schemas()["process.schema.json"])
    milestone = process["$defs"]["Milestone"]
    assert milestone["additionalProperties"] is False
    assert set(milestone["required"]) == {"key", "title", "typical_days", "why"}
    assert "next step" in milestone["properties"]["ask"]["description"]
    assert set(SCHEMAS) == {
        "process.schema.json",
        "competitor.schema.json",
        "content.schema.json",
        "branding.schema.json",
    }


def test_the_branding_file_points_editors_at_its_schema() -> None:
    first_line = (SHIPPED / "branding.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=schema/branding.schema.json"


def test_editor_help_lists_the_content_kinds_and_the_colours() -> None:
    schemas = {name: json.loads(text) for name, text in render_json_schemas().items()}
    kind = schemas["content.schema.json"]["$defs"]["ContentItem"]["properties"]["kind"]
    assert "use `other` for anything else" in kind["description"]
    colour = schemas["branding.schema.json"]["properties"]["primary_color"]
    assert "deep-purple" in colour["description"]
