"""The indentation mistakes people make in a YAML editor, found from the lines around a parser error.

The parser reports where it gave up, which is often a line after the mistake and always in its own
words ("mapping values are not allowed here"). These functions look at the indentation of the lines
around that place and say which line is off, in which column it starts and which column was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BLOCK_OPENER = re.compile(r":\s*([|>][-+0-9]*)?\s*(#.*)?$")
"""A line that ends in `key:` or a block scalar (`key: >-`), so the lines after it are indented further."""

Mistake = tuple[int, int, str]
"""1-based line, 1-based column, and the message."""


@dataclass(frozen=True)
class _Line:
    number: int
    """0-based."""
    indent: int
    is_item: bool
    """The line starts a list item (`- ...`)."""
    field_column: int
    """0-based column of the first field on the line: after `- ` for a list item."""
    opens_block: bool

    @property
    def kind(self) -> str:
        return "list item" if self.is_item else "field"


def _read(number: int, text: str) -> _Line | None:
    stripped = text.lstrip(" ")
    if not stripped.strip() or stripped.startswith("#"):
        return None
    indent = len(text) - len(stripped)
    is_item = stripped.startswith("- ") or stripped.rstrip() == "-"
    field_column = indent + 2 + len(stripped[2:]) - len(stripped[2:].lstrip(" ")) if is_item else indent
    return _Line(number, indent, is_item, field_column, bool(_BLOCK_OPENER.search(stripped)))


def _before(lines: list[str], number: int) -> list[_Line]:
    """The content lines before line `number` (0-based), nearest first."""
    found = (_read(n, lines[n]) for n in range(min(number, len(lines)) - 1, -1, -1))
    return [line for line in found if line is not None]


def tab_mistake(lines: list[str], upto: int) -> Mistake | None:
    """The first tab in the indentation of lines 0..`upto` (0-based), if any: YAML forbids tabs there."""
    for number, text in enumerate(lines[: upto + 1]):
        leading = text[: len(text) - len(text.lstrip(" \t"))]
        if "\t" in leading:
            column = leading.index("\t") + 1
            above = _before(lines, number)
            hint = f" (the line above starts in column {above[0].indent + 1})" if above else ""
            return number + 1, column, f"a tab character: indent with spaces, never tabs{hint}"
    return None


def indentation_mistake(lines: list[str], at: int) -> Mistake | None:
    """The misindented line near the parser error on line `at` (0-based), if the indentation explains it."""
    here = _read(at, lines[at]) if 0 <= at < len(lines) else None
    earlier = _before(lines, at)
    if here is None or not earlier:
        return None
    previous = earlier[0]
    if here.indent > previous.field_column and not previous.opens_block:
        return _too_far(here, previous, earlier[1:])
    return _not_enough(here, earlier)


def _too_far(here: _Line, previous: _Line, older: list[_Line]) -> Mistake:
    """`here` starts right of the field above, which cannot hold anything: one of the two lines is off."""
    if older and older[0].field_column == here.indent and previous.indent < here.indent:
        # The line above is the odd one out: the lines either side of it line up.
        return _message(previous, expected=here.indent, where="around it")
    return _message(here, expected=previous.field_column, where="above it")


def _not_enough(here: _Line, earlier: list[_Line]) -> Mistake | None:
    """`here` starts left of the lines above it, in a column no open block uses."""
    columns: set[int] = set()
    lowest = earlier[0].indent
    for line in earlier:
        if line.indent > lowest:
            continue
        lowest = line.indent
        if here.is_item and line.is_item:
            columns.add(line.indent)
        elif not here.is_item:
            columns.add(line.field_column)
    if not columns or here.indent in columns:
        return None
    # Indenting a line a little short is the usual slip: the line belongs to the nearest block to its right.
    right = [column for column in columns if column > here.indent]
    expected = min(right) if right else max(columns)
    return _message(here, expected=expected, where="above it")


def _message(line: _Line, *, expected: int, where: str) -> Mistake:
    how = "indented too far" if line.indent > expected else "not indented enough"
    rule = (
        "Every item of a list starts with '- ' in the same column."
        if line.is_item
        else "Fields of one thing start in the same column."
    )
    return (
        line.number + 1,
        line.indent + 1,
        f"this line is {how}: it starts in column {line.indent + 1}, but the {line.kind}s {where} start in "
        f"column {expected + 1}. {rule}",
    )
