"""Each fixture under fixtures/broken/ overlays the valid definitions with one class of mistake;
its expected.txt holds the exact `file:line:column: field: message` lines `waymark check` must print."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from api.process import read_definitions
from tests.process.conftest import FIXTURES

BROKEN = sorted(p.name for p in (FIXTURES / "broken").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", BROKEN)
def test_each_broken_fixture_reports_exact_file_line_and_field(case: str, definitions_copy: Path) -> None:
    # given
    overlay = FIXTURES / "broken" / case
    for source in overlay.rglob("*.yaml"):
        target = definitions_copy / source.relative_to(overlay)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    expected = (overlay / "expected.txt").read_text().splitlines()

    # when
    report = read_definitions(definitions_copy)

    # then
    assert report.definitions is None
    assert [str(p) for p in report.errors] == expected


def test_every_error_class_has_a_fixture() -> None:
    assert set(BROKEN) >= {
        "malformed-yaml",
        "wrong-types",
        "missing-fields",
        "unknown-field",
        "duplicate-keys",
        "unknown-references",
        "terminal-stages",
        "ambiguous-formerly",
    }


def test_a_problem_in_one_file_does_not_hide_problems_in_others(definitions_copy: Path) -> None:
    # given
    (definitions_copy / "competitors" / "rival.yaml").write_text("key: rival\nname: Rival\n")
    starter = definitions_copy / "processes" / "starter.yaml"
    starter.write_text(starter.read_text().replace("competitor: rival", "competitor: rivals"))

    # when
    report = read_definitions(definitions_copy)

    # then
    assert [str(p) for p in report.errors] == [
        "process_definitions/competitors/rival.yaml:1:1: required field 'summary' is missing",
        "process_definitions/processes/starter.yaml:24:25: stages[0].milestones[0].plays[0].competitor: "
        "unknown competitor 'rivals' (known: rival, status-quo)",
    ]


def test_a_yaml_file_outside_the_known_folders_is_reported(definitions_copy: Path) -> None:
    (definitions_copy / "notes.yaml").write_text("key: x\n")

    report = read_definitions(definitions_copy)

    assert [str(p) for p in report.errors] == [
        "process_definitions/notes.yaml: YAML files belong in processes/, competitors/ or content/ "
        "(branding.yaml is the only one allowed here)"
    ]


def test_a_missing_folder_is_an_error_not_a_crash(tmp_path: Path) -> None:
    report = read_definitions(tmp_path / "nowhere")

    assert report.definitions is None
    assert report.errors[0].message == "no such folder"
