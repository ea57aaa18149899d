"""The mistakes enablement staff make by hand in a YAML editor, on the shipped process: each is reported on
the line where it was made, in plain English."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from api.process import read_definitions

Edit = Callable[[list[str], int], None]


def _line_of(lines: list[str], text: str) -> int:
    """The 0-based index of the first line containing `text`."""
    return next(index for index, line in enumerate(lines) if text in line)


def _drop_colon(lines: list[str], at: int) -> None:
    lines[at] = lines[at].replace("questions:", "questions", 1)


def _tab_indent(lines: list[str], at: int) -> None:
    lines[at] = "\t" + lines[at].lstrip(" ")


def _space_instead_of_colon(lines: list[str], at: int) -> None:
    lines[at] = lines[at].replace("weight: ", "weight ", 1)


NEEDS_COLON = "a field name needs a colon after it"
MISTAKES = [
    pytest.param("        questions:\n", _drop_colon, NEEDS_COLON, id="missing-colon"),
    pytest.param("        weight: ", _space_instead_of_colon, NEEDS_COLON, id="space-not-colon"),
    pytest.param("          - What ", _tab_indent, "a tab character: indent with spaces, never tabs", id="tab"),
]


@pytest.mark.parametrize(("marker", "edit", "message"), MISTAKES)
def test_a_hand_edit_mistake_points_at_its_own_line(marker: str, edit: Edit, message: str, shipped_copy: Path) -> None:
    # given
    path = shipped_copy / "processes" / "new-business.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = _line_of(lines, marker)
    edit(lines, at)
    path.write_text("".join(lines), encoding="utf-8")

    # when
    report = read_definitions(shipped_copy)

    # then
    [error] = report.errors
    assert (error.path, error.line) == ("process_definitions/processes/new-business.yaml", at + 1)
    assert message in error.message
