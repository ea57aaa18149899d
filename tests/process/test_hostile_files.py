"""Broken or hostile files end in one clear problem each, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.process import read_definitions
from api.process.yaml_source import MAX_DEPTH, MAX_FILE_BYTES

BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: [*f, *f, *f, *f, *f, *f, *f, *f, *f]
"""

CASES = [
    pytest.param(b"key: rival\nname: Caf\xe9\n", "2:10: byte 0xe9 is not UTF-8; save the file as UTF-8", id="not-utf8"),
    pytest.param(
        BOMB.encode(),
        "1:4: anchors and aliases (`&name`, `*name`) are not supported; write the value out in full",
        id="alias-bomb",
    ),
    pytest.param(
        b"key: !!python/object/apply:os.system ['echo hi']\n",
        "1:6: YAML tags such as `tag:yaml.org,2002:python/object/apply:os.system` are not supported",
        id="python-tag",
    ),
    pytest.param(
        ("key:\n" + "".join("  " * i + "- \n" for i in range(1, MAX_DEPTH + 5))).encode(),
        f"{MAX_DEPTH + 1}:{2 * MAX_DEPTH + 1}: nested more than {MAX_DEPTH} levels deep",
        id="deep-nesting",
    ),
    pytest.param(b"[" * 500, f"1:{MAX_DEPTH + 1}: nested more than {MAX_DEPTH} levels deep", id="deep-flow-nesting"),
    pytest.param(
        b"x" * (MAX_FILE_BYTES + 1), "1:1: file is 1,048,577 bytes; the limit is 1,048,576 (split it)", id="huge"
    ),
    pytest.param(b"# only a comment\n", "1:1: file is empty", id="empty"),
    pytest.param(
        b"- key: rival\n", "1:1: the file must be a mapping of fields (`key: value`), not a list", id="a-list"
    ),
    pytest.param(b"key: rival\n---\nkey: other\n", "2:1: only one YAML document per file", id="two-documents"),
    pytest.param(
        b"key: [unclosed\n",
        "2:1: invalid YAML: a list in [ ] or a mapping in { } is not closed, or has a stray comma",
        id="unclosed-bracket",
    ),
]


@pytest.mark.parametrize(("content", "expected"), CASES)
def test_hostile_competitor_file_gets_one_clear_problem(content: bytes, expected: str, definitions_copy: Path) -> None:
    # given
    (definitions_copy / "competitors" / "hostile.yaml").write_bytes(content)

    # when
    report = read_definitions(definitions_copy)

    # then
    assert [str(p) for p in report.errors] == [f"process_definitions/competitors/hostile.yaml:{expected}"]


def test_a_hundred_thousand_open_brackets_end_in_a_problem_not_a_crash(definitions_copy: Path) -> None:
    (definitions_copy / "competitors" / "hostile.yaml").write_bytes(b"[" * 100_000)

    report = read_definitions(definitions_copy)

    [problem] = report.errors
    assert (problem.path, problem.line) == ("process_definitions/competitors/hostile.yaml", 1)
    assert "nest" in problem.message


def test_yes_and_no_are_text_not_booleans_as_in_yaml_1_2(definitions_copy: Path) -> None:
    # given: YAML 1.1 would silently read `yes` as true
    rival = definitions_copy / "competitors" / "rival.yaml"
    rival.write_text("key: rival\nname: Rival\nsummary: s\nstatus_quo: yes\n")

    # when
    report = read_definitions(definitions_copy)

    # then
    assert [str(p) for p in report.errors] == [
        "process_definitions/competitors/rival.yaml:4:13: status_quo: expected true or false, got 'yes'"
    ]
