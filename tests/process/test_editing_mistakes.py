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


def _indent_by(spaces: int) -> Edit:
    """Move the line `spaces` columns right (or left, when negative)."""

    def edit(lines: list[str], at: int) -> None:
        text = lines[at]
        lines[at] = " " * spaces + text if spaces > 0 else text[-spaces:]

    return edit


NEEDS_COLON = "a field name needs a colon after it"
FIELD_RULE = "Fields of one thing start in the same column."
MISTAKES = [
    pytest.param("        questions:\n", _drop_colon, NEEDS_COLON, id="missing-colon"),
    pytest.param("        weight: ", _space_instead_of_colon, NEEDS_COLON, id="space-not-colon"),
    pytest.param(
        "          - What ",
        _tab_indent,
        "a tab character: indent with spaces, never tabs (the line above starts in column 9)",
        id="tab",
    ),
    pytest.param(
        "        weight: ",
        _indent_by(1),
        f"this line is indented too far: it starts in column 10, but the fields above it start in column 9. "
        f"{FIELD_RULE}",
        id="field-one-space-too-far",
    ),
    pytest.param(
        "        weight: ",
        _indent_by(2),
        f"this line is indented too far: it starts in column 11, but the fields above it start in column 9. "
        f"{FIELD_RULE}",
        id="field-two-spaces-too-far",
    ),
    pytest.param(
        "        weight: ",
        _indent_by(-1),
        f"this line is not indented enough: it starts in column 8, but the fields above it start in column 9. "
        f"{FIELD_RULE}",
        id="field-one-space-short",
    ),
    pytest.param(
        "        weight: ",
        _indent_by(-4),
        f"this line is not indented enough: it starts in column 5, but the fields around it start in column 9. "
        f"{FIELD_RULE}",
        id="field-a-level-short",
    ),
    pytest.param(
        "          - Which ERP",
        _indent_by(-1),
        "this line is not indented enough: it starts in column 10, but the list items above it start in column 11. "
        "Every item of a list starts with '- ' in the same column.",
        id="list-item-one-space-short",
    ),
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


def test_a_tab_inside_a_line_is_still_named(shipped_copy: Path) -> None:
    path = shipped_copy / "processes" / "new-business.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = _line_of(lines, "          - What ")
    lines[at] = lines[at].replace("- What", "-\tWhat", 1)
    path.write_text("".join(lines), encoding="utf-8")

    [error] = read_definitions(shipped_copy).errors

    assert (error.line, error.column) == (at + 1, 12)
    assert error.message == "invalid YAML: a tab character: use spaces, never tabs"


def test_a_colon_inside_a_value_is_still_a_second_colon(shipped_copy: Path) -> None:
    path = shipped_copy / "processes" / "new-business.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = _line_of(lines, "        title: ")
    lines[at] = lines[at].rstrip("\n") + ": the sequel\n"
    path.write_text("".join(lines), encoding="utf-8")

    [error] = read_definitions(shipped_copy).errors

    assert error.line == at + 1
    assert "a second ': ' on this line" in error.message
