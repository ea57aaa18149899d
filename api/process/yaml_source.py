"""Read one YAML file defensively and find where a field sits in it.

Enablement staff edit these files by hand, and a server may reload them while running, so a broken or
hostile file must end in a clear problem, never a traceback: oversized files, bytes that are not UTF-8,
anchor/alias bombs, custom tags, deep nesting and duplicate keys are all refused before anything is built.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from api.process.problems import Problem

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 24
_DUPLICATE = "duplicate key"

Loc = Sequence[str | int]


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A parsed YAML document and the name to report problems against."""

    name: str
    document: Any

    def locate(self, loc: Loc, *, at_key: bool = False) -> tuple[int, int, str]:
        """The 1-based line and column of the field at `loc`, and its printable path.

        Follows `loc` as far as the document allows; a missing field points at the mapping that
        should hold it. With `at_key`, a mapping entry points at its key rather than its value.
        """
        node = self.document
        line, column = _start_of(node)
        walked: list[str | int] = []
        for position, step in enumerate(loc):
            last = position == len(loc) - 1
            if isinstance(node, CommentedMap) and isinstance(step, str) and step in node:
                key_line, key_col = node.lc.key(step)
                value_line, value_col = node.lc.value(step)
                line, column = (key_line, key_col) if at_key and last else (value_line, value_col)
                node = node[step]
                if isinstance(node, CommentedMap | CommentedSeq) and not (at_key and last):
                    line, column = _start_of(node, default=(value_line, value_col))
            elif isinstance(node, CommentedSeq) and isinstance(step, int) and 0 <= step < len(node):
                line, column = node.lc.item(step)
                node = node[step]
                if isinstance(node, CommentedMap | CommentedSeq):
                    line, column = _start_of(node, default=(line, column))
            else:
                walked.extend(loc[position:])
                break
            walked.append(step)
        return line + 1, column + 1, field_path(walked)


def field_path(loc: Loc) -> str:
    """`('stages', 3, 'milestones', 1, 'key')` → `stages[3].milestones[1].key`."""
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def _start_of(node: Any, default: tuple[int, int] = (0, 0)) -> tuple[int, int]:
    if isinstance(node, CommentedMap | CommentedSeq) and node.lc.line is not None:
        return node.lc.line, node.lc.col
    return default


def read_yaml(raw: bytes, name: str) -> tuple[SourceFile | None, list[Problem]]:
    """Parse `raw` into a document, or explain every reason it cannot be used."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            Problem(name, 1, 1, "", f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,} (split it)")
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return None, [
            Problem(name, line, column, "", f"byte 0x{raw[error.start]:02x} is not UTF-8; save the file as UTF-8")
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip() or all(
        not stripped or stripped.startswith("#") for stripped in (ln.strip() for ln in text.splitlines())
    ):
        return None, [Problem(name, 1, 1, "", "file is empty")]

    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = True
    problems = list(_screen(yaml, text, name))
    if any(not p.message.startswith(_DUPLICATE) for p in problems):
        return None, problems
    try:
        document = yaml.load(text)
    except MarkedYAMLError as error:
        return None, [_marked(error, name)]
    except (YAMLError, RecursionError, ValueError) as error:
        return None, [Problem(name, 1, 1, "", f"cannot read YAML: {error}")]
    if not isinstance(document, CommentedMap):
        kind = "a list" if isinstance(document, CommentedSeq) else "a single value"
        return None, [Problem(name, 1, 1, "", f"the file must be a mapping of fields (`key: value`), not {kind}")]
    # Duplicate keys are reported but the file is still checked, so every other problem shows too.
    return SourceFile(name, document), problems


def _screen(yaml: YAML, text: str, name: str) -> Iterator[Problem]:
    """Walk the parser's events (no objects built yet) and report what we refuse to build."""
    # Each open collection: (is_mapping, keys seen, expecting a key next).
    stack: list[tuple[bool, set[str], list[bool]]] = []
    documents = 0
    try:
        for event in yaml.parse(text):
            mark = event.start_mark
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents == 2:
                    yield Problem(name, mark.line + 1, mark.column + 1, "", "only one YAML document per file")
                    return
            if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
                yield Problem(
                    name, mark.line + 1, mark.column + 1, "",
                    "anchors and aliases (`&name`, `*name`) are not supported; write the value out in full",
                )
                return
            tag = getattr(event, "tag", None)
            if tag is not None and not _implicit(event):
                yield Problem(name, mark.line + 1, mark.column + 1, "", f"YAML tags such as `{tag}` are not supported")
                return
            is_key = bool(stack) and stack[-1][0] and stack[-1][2][0]
            if stack and stack[-1][0]:
                stack[-1][2][0] = not stack[-1][2][0]
            if is_key and isinstance(event, ScalarEvent):
                seen = stack[-1][1]
                if event.value in seen:
                    yield Problem(
                        name, mark.line + 1, mark.column + 1, "",
                        f"{_DUPLICATE} '{event.value}' in the same mapping; keep only one",
                    )
                seen.add(event.value)
            if isinstance(event, CollectionStartEvent):
                if is_key:
                    yield Problem(name, mark.line + 1, mark.column + 1, "", "a key must be plain text")
                    return
                stack.append((isinstance(event, MappingStartEvent), set(), [True]))
                if len(stack) > MAX_DEPTH:
                    yield Problem(
                        name, mark.line + 1, mark.column + 1, "", f"nested more than {MAX_DEPTH} levels deep"
                    )
                    return
            elif isinstance(event, MappingEndEvent | SequenceEndEvent):
                stack.pop()
    except MarkedYAMLError as error:
        yield _marked(error, name)
    except YAMLError as error:
        yield Problem(name, 1, 1, "", f"cannot read YAML: {error}")


def _implicit(event: Any) -> bool:
    implicit = getattr(event, "implicit", None)
    if isinstance(event, ScalarEvent):
        return bool(implicit and (implicit[0] or implicit[1]))
    if isinstance(event, MappingStartEvent | SequenceStartEvent):
        return bool(implicit)
    return True


def _marked(error: MarkedYAMLError, name: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    message = " ".join(part for part in (error.context, error.problem) if part) or str(error)
    return Problem(name, line, column, "", f"invalid YAML: {message}")
