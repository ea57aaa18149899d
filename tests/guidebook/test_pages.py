"""The generated pages, as Markdown, straight from the process model (no MkDocs involved)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from api.process import ProcessDefinitions, load_definitions
from api.process import guide_urls as urls
from guidebook.pages import HAND_WRITTEN, KeyClash, render_pages, write_markdown

DOCS = Path(__file__).parents[2] / "guidebook" / "docs"
TAB = re.compile(r'^=== "(.*)"$', re.MULTILINE)


def test_rendering_does_not_need_mkdocs() -> None:
    code = "import sys, guidebook.pages; sys.exit(any(m.split('.')[0] in ('mkdocs', 'material') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_every_stage_has_a_page_and_a_call_sheet(definitions: ProcessDefinitions) -> None:
    pages = render_pages(definitions)
    for process in definitions.processes:
        assert urls.process_page(process.key) in pages
        for stage in process.stages:
            assert urls.stage_page(process.key, stage.key) in pages
            sheet = pages[urls.call_sheet_page(process.key, stage.key)]
            assert sheet.startswith(f'---\ntitle: "Call sheet: {stage.name} · {process.name}"\n')
            assert ("exclude: true" in sheet.split("---")[1]) == (not stage.milestones)
    for competitor in definitions.competitors:
        assert urls.battlecard_page(competitor.key) in pages
    assert urls.CONTENT_PAGE in pages


def test_each_milestone_section_is_anchored_by_its_key(definitions: ProcessDefinitions) -> None:
    pages = render_pages(definitions)
    for process in definitions.processes:
        for stage in process.stages:
            page = pages[urls.stage_page(process.key, stage.key)]
            for milestone in stage.milestones:
                assert f"{{ #{milestone.key} }}" in page, f"{process.key}/{stage.key}: no anchor {milestone.key}"


def test_the_ask_is_an_admonition(definitions: ProcessDefinitions) -> None:
    pages = render_pages(definitions)
    process = definitions.processes[0]
    stage = process.open_stages[0]
    milestone = next(m for m in stage.milestones if m.ask)
    assert '!!! tip waymark-ask "The ask"' in pages[urls.stage_page(process.key, stage.key)]
    assert " ".join(milestone.ask.split()[:4]) in pages[urls.stage_page(process.key, stage.key)]


def test_a_milestone_has_a_tab_per_competitor_it_has_a_play_against_in_the_process_order(
    definitions: ProcessDefinitions,
) -> None:
    pages = render_pages(definitions)
    for process in definitions.processes:
        order = [c for c in definitions.competitors_in_order(process)]
        assert order[0].status_quo
        for stage in process.stages:
            page = pages[urls.stage_page(process.key, stage.key)]
            sections = page.split("\n### ")[1:]
            assert len(sections) == len(stage.milestones)
            for milestone, section in zip(stage.milestones, sections, strict=True):
                against = {p.competitor for p in milestone.plays}
                expected = [c.label for c in order if c.key in against]
                assert TAB.findall(section) == expected, milestone.key


def test_a_battlecard_links_every_play_against_the_competitor(definitions: ProcessDefinitions) -> None:
    pages = render_pages(definitions)
    for competitor in definitions.competitors:
        card = pages[urls.battlecard_page(competitor.key)]
        for process in definitions.processes:
            for stage in process.stages:
                for milestone in stage.milestones:
                    if any(p.competitor == competitor.key for p in milestone.plays):
                        assert f"(../{process.key}/{stage.key}/index.md#{milestone.key})" in card


def test_pages_can_be_written_to_disk_for_another_generator(tmp_path: Path, synthetic_dir: Path) -> None:
    pages = render_pages(load_definitions(synthetic_dir))
    written = write_markdown(pages, tmp_path)
    assert len(written) == len(pages)
    assert (tmp_path / "synthetic" / "stage-2" / "index.md").read_text() == pages["synthetic/stage-2/index.md"]


def test_a_process_key_that_clashes_with_a_guidebook_page_is_refused(tmp_path: Path) -> None:
    from tests.guidebook.synthetic import write_definitions

    definitions = load_definitions(write_definitions(tmp_path, process_key="content"))
    with pytest.raises(KeyClash, match="process key 'content'"):
        render_pages(definitions)


def test_no_generated_or_copied_process_content_in_the_docs_folder(definitions: ProcessDefinitions) -> None:
    markdown = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    assert markdown == sorted(HAND_WRITTEN)
    hand_written = " ".join(" ".join((DOCS / name).read_text().split()) for name in HAND_WRITTEN)
    for process in definitions.processes:
        for milestone in process.milestones:
            for text in (milestone.why, milestone.ask or ""):
                assert not text or " ".join(text.split()) not in hand_written


def test_the_cli_writes_a_complete_markdown_docs_folder(tmp_path: Path, synthetic_dir: Path) -> None:
    from typer.testing import CliRunner

    from api.cli import app

    out = tmp_path / "docs"
    result = CliRunner().invoke(app, ["guide", "markdown", "--process-dir", str(synthetic_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "synthetic" / "stage-1" / "call-sheet.md").is_file()
    assert (out / "assets" / "print.css").is_file()
    home = (out / "index.md").read_text()
    assert "waymark:processes" not in home
    assert "(synthetic/index.md)" in home


def test_long_stage_names_wrap_onto_two_lines_in_the_flow_diagram() -> None:
    from guidebook.flow import name_lines

    assert name_lines("Commit") == ["Commit"]
    assert name_lines("Marketing qualified lead (MQL)") == ["Marketing qualified", "lead (MQL)"]
    assert name_lines("A stage whose name goes on far longer than any box") == [
        "A stage whose name",
        "goes on far longer…",
    ]


def test_a_competitor_with_few_plays_gets_no_empty_tabs_and_one_line_per_milestone(tmp_path: Path) -> None:
    # given Pactly, whose key sorts first, with a play on 2 of the 12 milestones only
    from tests.guidebook.synthetic import add_competitor, write_definitions

    folder = write_definitions(tmp_path / "defs")
    add_competitor(folder, "pactly", "Pactly AP Automation", short_name="Pactly AP", plays_on=("s1-m1", "s2-m1"))

    # when
    pages = render_pages(load_definitions(folder))

    # then the status quo comes first, Pactly has no tab where it has no play, and each milestone says so once
    sections = pages["synthetic/stage-3/index.md"].split("\n### ")[1:]
    assert [TAB.findall(section) for section in sections] == [["Status quo", "Acme", "Globex"]] * 3
    assert [section.count("Pactly AP") for section in sections] == [1, 1, 1]
    assert all("No specific play here against [Pactly AP]" in section for section in sections)
    first = pages["synthetic/stage-1/index.md"].split("\n### ")[1]
    assert TAB.findall(first) == ["Status quo", "Acme", "Globex", "Pactly AP"]


def test_a_stage_page_leads_each_milestone_with_the_ask_then_the_plays_then_the_questions(
    definitions: ProcessDefinitions,
) -> None:
    pages = render_pages(definitions)
    process = definitions.process("new-business")
    assert process is not None
    page = pages[urls.stage_page(process.key, "sal")]
    section = page.split("{ #finance-sign-off }")[1].split("\n### ")[0]
    order = [section.index(marker) for marker in ("The ask", "**Plays**", "**Questions to ask**", "**Why it matters")]
    assert order == sorted(order)


def test_a_battlecard_leads_with_the_objections_each_a_section_with_how_else_buyers_say_it(
    definitions: ProcessDefinitions,
) -> None:
    pages = render_pages(definitions)
    status_quo = definitions.competitor("status-quo")
    assert status_quo is not None
    card = pages[urls.battlecard_page(status_quo.key)]
    headings = re.findall(r"^## (.+)$", card, re.MULTILINE)
    assert headings[0] == "Objections { #objections }"
    spreadsheets = status_quo.objections[1]
    assert f"### “{spreadsheets.objection}” {{ #objection-2 }}" in card
    assert "“We're happy with our spreadsheets.”" in card
    assert card.startswith('---\ntitle: "Status quo: No decision')


def test_the_home_page_offers_every_open_stage_and_every_competitor(definitions: ProcessDefinitions) -> None:
    from guidebook.pages.home import call_picker

    picker = call_picker(definitions, from_page="index.md")
    for process in definitions.processes:
        for stage in process.open_stages:
            sheet = f'data-sheet="{process.key}/{stage.key}/call-sheet/"'
            assert (sheet in picker) == bool(stage.milestones), stage.key
    for competitor in definitions.competitors:
        assert f'href="competitors/{competitor.key}/#objections" data-competitor="{competitor.key}"' in picker


def test_guidebook_imports_nothing_of_ours_but_api_process() -> None:
    import ast

    root = Path(__file__).parents[2]
    ours = {"api", "guidebook", "tests"}
    found = []
    for folder, allowed in (("guidebook", ("api.process", "guidebook")), ("api/process", ("api.process",))):
        for path in sorted((root / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                found += [
                    f"{path.relative_to(root)}: {name}"
                    for name in names
                    if name.split(".")[0] in ours and not name.startswith(allowed)
                ]
    assert found == []
