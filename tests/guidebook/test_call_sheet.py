"""What a call sheet keeps when its stage holds more than a page, straight from the process model.

(That the result prints on one page is checked in chromium by test_call_sheet_print.py.)
"""

from __future__ import annotations

import re
from pathlib import Path

from api.process import ProcessDefinitions, load_definitions
from api.process import guide_urls as urls
from guidebook.pages import render_pages
from guidebook.pages.sheet_fit import Item, Kind, Tier, candidates, fit
from tests.guidebook.synthetic import write_definitions


def _crowded(tmp_path: Path) -> ProcessDefinitions:
    folder = write_definitions(tmp_path / "defs", stages=1, milestones=12)
    process = folder / "processes" / "synthetic.yaml"
    longer = " Buyers compare every vendor on the same scorecard in the final week, so say it plainly."
    process.write_text(process.read_text().replace(", lead with", f"{longer} Lead with"))
    return load_definitions(folder)


def test_a_stage_that_fits_keeps_everything(definitions: ProcessDefinitions) -> None:
    process = definitions.processes[0]
    stage = next(s for s in process.stages if s.milestones)
    items = candidates(definitions, process, stage)
    total = sum(item.lines for item in items) + 2

    chosen = fit(items, lines=total)

    assert chosen.left_out == ()
    assert len(chosen.kept) == len(items)


def test_a_crowded_stage_keeps_what_ranks_first_and_leaves_out_the_rest(tmp_path: Path) -> None:
    # given a stage whose pieces need far more than the room there is
    definitions = _crowded(tmp_path)
    process = definitions.processes[0]
    stage = process.stages[0]
    items = candidates(definitions, process, stage)

    # when
    chosen = fit(items, lines=100)

    # then every ask is kept, the mandatory milestone's play against the status quo too, and the rest is
    # cut to the room there is
    assert chosen.left_out
    assert all(chosen.includes(Kind.ASK, milestone=m) for m in stage.milestones)
    status_quo = definitions.competitors_in_order(process)[0]
    assert chosen.includes(Kind.PLAY, milestone=stage.milestones[0], competitor=status_quo)
    assert min(i.rank[0] for i in chosen.left_out) > Tier.ASKS
    kept = [i for i in items if i.key in chosen.kept]
    assert sum(i.lines for i in kept) <= 100


def test_a_talk_track_is_never_kept_without_its_play(tmp_path: Path) -> None:
    definitions = _crowded(tmp_path)
    process = definitions.processes[0]
    for room in (60, 100, 160, 220):
        chosen = fit(candidates(definitions, process, process.stages[0]), lines=room)
        talk_tracks = [k for k in chosen.kept if k[0] == Kind.TALK_TRACK]
        assert all((int(Kind.PLAY), *k[1:]) in chosen.kept for k in talk_tracks), room


def test_the_status_quo_play_of_a_mandatory_milestone_outranks_an_optional_one(definitions: ProcessDefinitions) -> None:
    process = definitions.process("new-business")
    assert process is not None
    stage = process.stage("sal")
    assert stage is not None
    plays = [i for i in candidates(definitions, process, stage) if i.kind is Kind.PLAY]
    ranked = sorted(plays, key=lambda i: i.rank)
    assert ranked[0].milestone is not None
    assert ranked[0].milestone.mandatory
    assert ranked[0].competitor is not None
    assert ranked[0].competitor.status_quo
    optional = [i for i in plays if i.milestone is not None and not i.milestone.mandatory]
    assert all(i.rank > ranked[0].rank for i in optional)


def test_the_sheet_names_and_links_what_it_left_out(tmp_path: Path) -> None:
    definitions = _crowded(tmp_path)
    page = render_pages(definitions)[urls.call_sheet_page("synthetic", "stage-1")]

    note = re.search(r'<p class="waymark-left-out" markdown>(.*?)</p>', page)

    assert note is not None
    assert note.group(1).startswith("**Not on this sheet, to keep it to one page:** ")
    assert re.search(r"\d+ plays?[,:]", note.group(1))
    assert "[stage page](index.md)" in note.group(1)


def test_every_competitor_has_a_block_to_land_on(definitions: ProcessDefinitions) -> None:
    pages = render_pages(definitions)
    for process in definitions.processes:
        for stage in process.stages:
            if not stage.milestones:
                continue
            sheet = pages[urls.call_sheet_page(process.key, stage.key)]
            for competitor in definitions.competitors:
                assert f"{{ #against-{competitor.key} data-search-exclude }}" in sheet, (stage.key, competitor.key)


def test_an_item_counts_its_label_and_text_in_printed_lines() -> None:
    short = Item(Kind.QUESTION, "Who signs?", ())
    long = Item(Kind.QUESTION, "word " * 60, ())
    assert short.lines < long.lines
    assert long.lines > 4
