"""`waymark check` as enablement staff run it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()


def test_check_passes_on_valid_definitions_with_a_one_line_summary(definitions_copy: Path) -> None:
    result = runner.invoke(app, ["check", str(definitions_copy)])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "1 process, 4 stages, 2 milestones, 2 competitors, 1 content item: 0 errors, 0 warnings"
    )


def test_check_fails_with_exit_1_and_lists_the_errors(definitions_copy: Path) -> None:
    starter = definitions_copy / "processes" / "starter.yaml"
    starter.write_text(starter.read_text().replace("probability: 0.6", "probability: 60"))

    result = runner.invoke(app, ["check", str(definitions_copy)])

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "process_definitions/processes/starter.yaml:31:18: stages[1].probability: "
        "60 must be at most 1.0 (write 60% as 0.6)",
        "process definitions are invalid: 1 error, 0 warnings",
    ]


def test_warnings_exit_0_unless_strict(definitions_copy: Path) -> None:
    starter = definitions_copy / "processes" / "starter.yaml"
    starter.write_text(
        starter.read_text().replace("        ask: Ask the finance lead to confirm the budget line.\n", "")
    )

    relaxed = runner.invoke(app, ["check", str(definitions_copy)])
    strict = runner.invoke(app, ["check", "--strict", str(definitions_copy)])

    warning = (
        "process_definitions/processes/starter.yaml:33:9: stages[1].milestones[0].ask: warning: "
        "milestone 'budget-approved' has no ask: every milestone must tell the rep the next step"
    )
    assert relaxed.exit_code == 0
    assert warning in relaxed.output.splitlines()
    assert strict.exit_code == 1


def test_json_output_for_editors_and_ci(definitions_copy: Path) -> None:
    (definitions_copy / "competitors" / "rival.yaml").write_text("key: Rival\nname: Rival\nsummary: s\n")

    result = runner.invoke(app, ["check", "--json", str(definitions_copy)])

    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False
    assert report["problems"][0] == {
        "path": "process_definitions/competitors/rival.yaml",
        "line": 1,
        "column": 6,
        "field": "key",
        "severity": "error",
        "message": "'Rival' is not a valid key: use lower-case letters, digits and dashes, e.g. 'finance-sign-off'",
    }


def test_problems_name_the_file_as_the_folder_was_given_so_it_opens_from_here(
    definitions_copy: Path, tmp_path: Path
) -> None:
    (definitions_copy / "competitors" / "rival.yaml").write_text("key: rival\nname: Rival\n")

    relative = runner.invoke(app, ["check", "./process_definitions"])
    absolute = runner.invoke(app, ["check", str(tmp_path / "process_definitions")])

    assert relative.output.splitlines()[0] == (
        "process_definitions/competitors/rival.yaml:1:1: required field 'summary' is missing"
    )
    assert absolute.output.splitlines()[0] == (
        f"{tmp_path.as_posix()}/process_definitions/competitors/rival.yaml:1:1: required field 'summary' is missing"
    )
