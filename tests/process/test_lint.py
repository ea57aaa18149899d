"""Lint warnings: what loads but makes the process harder to sell with."""

from __future__ import annotations

from pathlib import Path

from api.process import read_definitions

EXTRA_MILESTONE = """\
      - key: step-{n}
        title: Step {n}
        typical_days: 1
        why: A step.
        ask: Ask for step {n}.
        questions: [One?, Two?]
"""


def _warnings(folder: Path) -> list[str]:
    report = read_definitions(folder)
    assert report.definitions is not None, [str(p) for p in report.errors]
    return [p.message for p in report.warnings]


def test_too_many_milestones_in_a_stage_is_milestone_crazy(definitions_copy: Path) -> None:
    starter = definitions_copy / "processes" / "starter.yaml"
    extra = "".join(EXTRA_MILESTONE.format(n=n) for n in range(7))
    text = starter.read_text().replace("  - key: won\n", extra + "  - key: won\n")
    starter.write_text(text)

    assert _warnings(definitions_copy) == [
        "stage 'decide' has 8 milestones, more than the limit of 7: don't go milestone crazy "
        "(raise `milestone_limit` if you must)"
    ]


def test_the_milestone_limit_is_configurable_per_process(definitions_copy: Path) -> None:
    starter = definitions_copy / "processes" / "starter.yaml"
    text = starter.read_text().replace("stages:\n", "milestone_limit: 1\nstages:\n", 1)
    text = text.replace("  - key: won\n", EXTRA_MILESTONE.format(n=1) + "  - key: won\n")
    starter.write_text(text)

    assert _warnings(definitions_copy) == [
        "stage 'decide' has 2 milestones, more than the limit of 1: don't go milestone crazy "
        "(raise `milestone_limit` if you must)"
    ]


def test_missing_ask_questions_mandatory_link_and_unused_competitor(definitions_copy: Path) -> None:
    starter = definitions_copy / "processes" / "starter.yaml"
    text = starter.read_text()
    text = text.replace("        ask: Ask the finance lead to confirm the budget line.\n", "")
    text = text.replace("          - Which budget does this come from?\n          - Who signs off?\n", "")
    text = text.replace("        questions:\n  - key: won", "  - key: won")
    text = text.replace("        mandatory: true\n        typical_days: 10", "        typical_days: 10")
    text = text.replace("          - competitor: rival\n            play: Show the setup time side by side.\n", "")
    starter.write_text(text)
    library = definitions_copy / "content" / "library.yaml"
    library.write_text(library.read_text().replace("    url: https://content.example/cost-calculator\n", ""))

    assert _warnings(definitions_copy) == [
        "no milestone has a play against 'rival'",
        "content 'cost-calculator' has no link; reps cannot send it",
        "open stage 'decide' has no mandatory milestone, so nothing gates the stage after it",
        "milestone 'budget-approved' has no ask: every milestone must tell the rep the next step",
        "milestone 'budget-approved' has no questions to ask",
    ]


def test_an_empty_ask_is_reported_on_the_ask_line(definitions_copy: Path) -> None:
    starter = definitions_copy / "processes" / "starter.yaml"
    starter.write_text(starter.read_text().replace("ask: Ask the finance lead to confirm the budget line.", "ask:"))

    report = read_definitions(definitions_copy)

    [warning] = report.warnings
    assert (warning.line, warning.field) == (38, "stages[1].milestones[0].ask")


def test_an_open_stage_less_likely_than_the_one_before_is_flagged_on_its_probability(definitions_copy: Path) -> None:
    # given: Decide (0.6) falls to 0.05, below Discover's 0.1
    starter = definitions_copy / "processes" / "starter.yaml"
    starter.write_text(starter.read_text().replace("probability: 0.6", "probability: 0.05"))

    # when
    report = read_definitions(definitions_copy)

    # then
    [warning] = report.warnings
    assert (warning.line, warning.field) == (31, "stages[1].probability")
    assert warning.message == (
        "stage 'decide' has a probability of 0.05, not higher than the 0.1 of 'discover' before it: "
        "open stages must rise"
    )


def test_equal_probabilities_do_not_rise_either(definitions_copy: Path) -> None:
    starter = definitions_copy / "processes" / "starter.yaml"
    starter.write_text(starter.read_text().replace("probability: 0.6", "probability: 0.1"))

    assert _warnings(definitions_copy) == [
        "stage 'decide' has a probability of 0.1, not higher than the 0.1 of 'discover' before it: "
        "open stages must rise"
    ]


def test_two_competitors_with_the_same_tab_label_are_flagged(definitions_copy: Path) -> None:
    rival = definitions_copy / "competitors" / "rival.yaml"
    rival.write_text(rival.read_text() + "short_name: Status quo\n")

    report = read_definitions(definitions_copy)

    [warning] = report.warnings
    assert (warning.path, warning.field) == ("process_definitions/competitors/status-quo.yaml", "name")
    assert warning.message == (
        "'status-quo' and 'rival' are both labelled 'Status quo' on tabs and buttons: give one a different short_name"
    )
