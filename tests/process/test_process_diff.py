"""`waymark process diff OLD NEW`: every kind of change between two folders, in text, Markdown and JSON; and
OLD or NEW as a git revision of the process folder or a published version number."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from api.process import load_definitions
from api.process.diff import ChangeKind, Subject, diff_definitions

FIXTURE = Path(__file__).parents[1] / "api" / "fixtures" / "process_definitions"
PROCESS = "processes/new-business.yaml"

# Each pair: (edits to the process file, edits to other files, the change expected as (kind, subject, where, field)).
PAIRS = {
    "a stage added": (
        [
            (
                "  - key: closed-won",
                "  - key: legal\n    name: Legal\n    objective: Contract agreed.\n"
                "    probability: 0.8\n  - key: closed-won",
            )
        ],
        [],
        ("added", "stage", "new-business/legal", None),
    ),
    "a milestone removed": (
        [("      - key: budget-range\n", "      - key: budget-range-gone\n")],
        [],
        ("removed", "milestone", "new-business/sql/budget-range", None),
    ),
    "a milestone renamed through formerly": (
        [("      - key: budget-range\n", "      - key: budget-known\n        formerly: [budget-range]\n")],
        [],
        ("renamed", "milestone", "new-business/sql/budget-known", None),
    ),
    "a stage renamed through formerly": (
        [("  - key: sal\n", "  - key: accepted\n    formerly: [sal]\n")],
        [],
        ("renamed", "stage", "new-business/accepted", None),
    ),
    "a milestone made mandatory": (
        [("        title: Budget range known\n", "        title: Budget range known\n        mandatory: true\n")],
        [],
        ("changed", "milestone", "new-business/sql/budget-range", "mandatory"),
    ),
    "a weight changed": (
        [("        weight: 5\n", "        weight: 8\n")],
        [],
        ("changed", "milestone", "new-business/sal/finance-sign-off", "weight"),
    ),
    "typical days changed": (
        [("        typical_days: 10\n", "        typical_days: 14\n")],
        [],
        ("changed", "milestone", "new-business/sal/finance-sign-off", "typical_days"),
    ),
    "an ask changed": (
        [("ask: Ask for the budget range.", "ask: Ask which budget line pays for it.")],
        [],
        ("changed", "milestone", "new-business/sql/budget-range", "ask"),
    ),
    "a question added": (
        [("questions: [What range have you set aside?]", "questions: [What range have you set aside?, Who owns it?]")],
        [],
        ("changed", "milestone", "new-business/sql/budget-range", "questions"),
    ),
    "content changed": (
        [("send_when: before the finance meeting", "send_when: after the finance meeting")],
        [],
        ("changed", "milestone", "new-business/sal/finance-sign-off", "content"),
    ),
    "a play changed": (
        [("play: Compare three-year cost, not list price.", "play: Compare total cost over five years.")],
        [],
        ("changed", "milestone", "new-business/sal/finance-sign-off", "plays.acme"),
    ),
    "a competitor's battlecard changed": (
        [],
        [("competitors/acme.yaml", "name: Acme Spend", "name: Acme Corp")],
        ("changed", "competitor", "acme", "name"),
    ),
}


def _pair(tmp_path: Path, process_edits: list[tuple[str, str]], other_edits: list[tuple[str, str, str]]) -> Path:
    new = tmp_path / "new"
    shutil.copytree(FIXTURE, new)
    path = new / PROCESS
    text = path.read_text()
    for old, replacement in process_edits:
        assert old in text, old
        text = text.replace(old, replacement, 1)
    path.write_text(text)
    for relative, old, replacement in other_edits:
        other = new / relative
        assert old in other.read_text(), old
        other.write_text(other.read_text().replace(old, replacement, 1))
    return new


def waymark(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], capture_output=True, text=True, check=False, cwd=cwd
    )


@pytest.mark.parametrize("name", PAIRS)
def test_each_kind_of_change_is_found(tmp_path: Path, name: str) -> None:
    # given
    process_edits, other_edits, expected = PAIRS[name]
    new = _pair(tmp_path, process_edits, other_edits)

    # when
    changes = diff_definitions(load_definitions(FIXTURE), load_definitions(new))

    # then
    found = [(c.kind.value, c.subject.value, c.where, c.field) for c in changes]
    assert expected in found, found


def test_a_milestone_that_changes_stage_is_moved_not_removed_and_added(tmp_path: Path) -> None:
    # given: budget-range moves from SQL to MQL
    text = (FIXTURE / PROCESS).read_text()
    start = text.index("      - key: budget-range")
    end = text.index("  - key: sal")
    block = text[start:end]
    moved = text[:start] + text[end:]
    moved = moved.replace("  - key: sql\n", block + "  - key: sql\n", 1)
    new = tmp_path / "new"
    shutil.copytree(FIXTURE, new)
    (new / PROCESS).write_text(moved)

    # when
    changes = diff_definitions(load_definitions(FIXTURE), load_definitions(new))

    # then
    assert [(c.kind, c.subject, c.before, c.after) for c in changes] == [
        (ChangeKind.MOVED, Subject.MILESTONE, "sql", "mql")
    ]


def test_identical_folders_have_no_changes() -> None:
    assert diff_definitions(load_definitions(FIXTURE), load_definitions(FIXTURE)) == ()


@pytest.mark.parametrize("output", ["text", "markdown", "json"])
def test_the_command_reports_every_kind_of_change_in_each_format(tmp_path: Path, output: str) -> None:
    # given: one folder with every change of the table at once (SAL is renamed `accepted` among them)
    new = _pair(
        tmp_path,
        [
            edit
            for process_edits, _, _ in PAIRS.values()
            for edit in process_edits
            if "budget-range-gone" not in edit[1]
        ],
        [edit for _, other_edits, _ in PAIRS.values() for edit in other_edits],
    )

    # when
    result = waymark("process", "diff", str(FIXTURE), str(new), "--format", output)

    # then
    assert result.returncode == 0, result.stderr
    if output == "json":
        found = {(c["kind"], c["subject"], c["where"], c["field"]) for c in json.loads(result.stdout)["changes"]}
        assert ("added", "stage", "new-business/legal", None) in found
        assert ("renamed", "milestone", "new-business/sql/budget-known", None) in found
        assert ("changed", "competitor", "acme", "name") in found
    elif output == "markdown":
        assert result.stdout.startswith("## From ")
        assert "- **renamed** milestone new-business/sql/budget-known renamed from 'budget-range'" in result.stdout
        assert (
            "- **changed** milestone new-business/accepted/finance-sign-off: weight changed from 5 to 8"
            in result.stdout
        )
    else:
        assert "+ stage new-business/legal added" in result.stdout
        assert "~ milestone new-business/accepted/finance-sign-off: typical_days changed from 10 to 14" in result.stdout
        assert "~ competitor acme: name changed from 'Acme Spend' to 'Acme Corp'" in result.stdout


def test_old_may_be_a_git_revision_of_the_process_folder(tmp_path: Path) -> None:
    # given: a repository whose process folder changed since its last commit
    repository = tmp_path / "repository"
    shutil.copytree(FIXTURE, repository / "process_definitions")
    for command in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "x"],
    ):
        subprocess.run(["git", *command], cwd=repository, check=True)
    process = repository / "process_definitions" / PROCESS
    process.write_text(process.read_text().replace("        weight: 5\n", "        weight: 8\n"))

    # when
    result = waymark("process", "diff", "HEAD", "process_definitions", cwd=repository)
    unknown = waymark("process", "diff", "no-such-revision", "process_definitions", cwd=repository)

    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "~ milestone new-business/sal/finance-sign-off: weight changed from 5 to 8"
    assert unknown.returncode != 0
    assert "is not a folder, a version number or a git revision" in unknown.stderr
    assert "Traceback" not in unknown.stderr
