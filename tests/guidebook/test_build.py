"""The built guidebook: strict, offline, every URL of the scheme present, errors reported precisely."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.process import DefinitionsInvalid, ProcessDefinitions, read_definitions
from api.process import guide_urls as urls
from guidebook.build import build_site, ensure_built
from tests.guidebook.conftest import ROOT, record_build_time
from tests.guidebook.sitecheck import unresolved
from tests.guidebook.synthetic import write_definitions

EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)
CSS_EXTERNAL = re.compile(r"(url\(\s*['\"]?|@import\s+['\"])(https?:)?//", re.IGNORECASE)


class _Resources(HTMLParser):
    """Every URL the browser would fetch by itself: scripts, stylesheets, fonts, images, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("href"):
            self.fetched.append(found["href"] or "")
        for name in ("src", "srcset", "data", "poster"):
            if tag != "a" and found.get(name):
                self.fetched.append(found[name] or "")
        style = found.get("style") or ""
        self.fetched += [m.group(0) for m in CSS_EXTERNAL.finditer(style)]


def test_no_page_fetches_anything_from_the_internet(site: Path) -> None:
    offenders = []
    for page in site.rglob("*.html"):
        parser = _Resources()
        parser.feed(page.read_text(encoding="utf-8"))
        offenders += [f"{page.relative_to(site)}: {url}" for url in parser.fetched if EXTERNAL.match(url)]
        offenders += [f"{page.relative_to(site)}: {m.group(0)}" for m in CSS_EXTERNAL.finditer(page.read_text())]
    for stylesheet in site.rglob("*.css"):
        offenders += [
            f"{stylesheet.relative_to(site)}: {m.group(0)}" for m in CSS_EXTERNAL.finditer(stylesheet.read_text())
        ]
    assert offenders == []


def test_every_url_of_the_scheme_resolves(site: Path, definitions: ProcessDefinitions) -> None:
    wanted = [urls.content_url("/")]
    for process in definitions.processes:
        wanted.append(urls.process_url("/", process.key))
        for stage in process.stages:
            wanted += [urls.guide_url("/", process.key, stage.key), urls.call_sheet_url("/", process.key, stage.key)]
            wanted += [urls.guide_url("/", process.key, stage.key, m.key) for m in stage.milestones]
    wanted += [urls.battlecard_url("/", c.key) for c in definitions.competitors]
    wanted += [urls.content_url("/", item.key) for item in definitions.content]
    problems = [problem for url in wanted if (problem := unresolved(site, url))]
    assert problems == []
    assert len(wanted) > 30


def test_empty_call_sheets_stay_out_of_search_and_the_others_name_stage_and_process(
    site: Path, definitions: ProcessDefinitions
) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    titles = {doc["location"]: doc["title"] for doc in index}
    for process in definitions.processes:
        for stage in process.stages:
            location = f"{process.key}/{stage.key}/call-sheet/"
            if stage.milestones:
                assert titles[location] == f"Call sheet: {stage.name} · {process.name}"
            else:
                assert not any(loc.startswith(location) for loc in titles), location


def test_a_yaml_error_fails_the_build_with_the_check_message(tmp_path: Path, synthetic_dir: Path) -> None:
    # given
    broken = _broken_copy(synthetic_dir, tmp_path)
    expected = [str(p) for p in read_definitions(broken).errors]
    assert expected
    assert re.match(r"^[^:]+\.yaml:\d+:\d+: ", expected[0])
    # when
    result = CliRunner().invoke(
        app, ["guide", "build", "--process-dir", str(broken), "--site-dir", str(tmp_path / "s")]
    )
    # then
    assert result.exit_code == 1
    for message in expected:
        assert message in result.output
    assert not (tmp_path / "s" / "index.html").exists()


def test_plain_mkdocs_build_reports_the_same_yaml_error(tmp_path: Path, synthetic_dir: Path) -> None:
    broken = _broken_copy(synthetic_dir, tmp_path)
    expected = str(read_definitions(broken).errors[0])
    env = {**os.environ, "WAYMARK_PROCESS_DIR": str(broken), "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "s")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert expected in result.stderr


def test_build_site_raises_every_error(tmp_path: Path, synthetic_dir: Path) -> None:
    broken = _broken_copy(synthetic_dir, tmp_path)
    with pytest.raises(DefinitionsInvalid, match=r"synthetic\.yaml:\d+:\d+: stages\[1\]\.probability"):
        build_site(process_dir=broken, site_dir=tmp_path / "s")


def test_the_cli_builds_the_shipped_process_strictly(tmp_path: Path) -> None:
    site_dir = tmp_path / "site"
    result = CliRunner().invoke(app, ["guide", "build", "--site-dir", str(site_dir)], env={"NO_MKDOCS_2_WARNING": "1"})
    assert result.exit_code == 0, result.output
    assert "built the guidebook" in result.output
    assert (site_dir / "index.html").is_file()


def test_thirty_stages_of_fifteen_milestones_build(tmp_path: Path) -> None:
    definitions_dir = write_definitions(tmp_path / "defs", stages=30, milestones=15)
    started = time.perf_counter()
    build_site(process_dir=definitions_dir, site_dir=tmp_path / "site")
    elapsed = time.perf_counter() - started
    record_build_time("synthetic 30 stages x 15 milestones", elapsed)
    assert unresolved(tmp_path / "site", urls.guide_url("/", "synthetic", "stage-30", "s30-m15")) is None
    assert elapsed < 120


def test_ensure_built_builds_once_and_again_after_an_edit(tmp_path: Path, synthetic_dir: Path) -> None:
    site_dir = tmp_path / "site"
    assert ensure_built(site_dir, process_dir=synthetic_dir) is True
    assert (site_dir / "synthetic" / "stage-1" / "index.html").is_file()
    assert ensure_built(site_dir, process_dir=synthetic_dir) is False
    edited = synthetic_dir / "content" / "library.yaml"
    later = (site_dir / "index.html").stat().st_mtime + 5
    os.utime(edited, (later, later))
    assert ensure_built(site_dir, process_dir=synthetic_dir) is True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def _broken_copy(source: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "process_definitions"
    shutil.copytree(source, target)
    process = target / "processes" / "synthetic.yaml"
    text = process.read_text()
    process.write_text(text.replace("    probability: 0.4\n", "    probability: 40\n", 1))
    return target


def test_the_home_page_links_resolve_in_the_built_site(site: Path) -> None:
    """Its call picker is raw HTML, whose links MkDocs does not check: every one must land."""
    from tests.guidebook.sitecheck import links

    home = (site / "index.html").read_text(encoding="utf-8")
    picker = home.split("data-waymark-call", 1)[1].split("</div>\n</div>", 1)[0]
    sheets = re.findall(r'data-sheet="([^"]+)"', picker)
    competitors = re.findall(r'data-competitor="([^"]+)"', picker)
    assert sheets
    assert competitors
    targets = [f"/{sheet}#against-{key}" for sheet in sheets for key in competitors]
    relative = [href for href in links(home) if not EXTERNAL.match(href) and not href.startswith("#")]
    targets += ["/" if href == "." else f"/{href.removeprefix('./')}" for href in relative]
    assert len(targets) > len(sheets) * len(competitors)
    assert [problem for url in targets if (problem := unresolved(site, url))] == []


def test_the_branding_file_names_colours_and_marks_the_site(site: Path, definitions: ProcessDefinitions) -> None:
    branding = definitions.branding
    assert branding.site_name
    assert branding.logo
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f"<title>{branding.site_name}</title>" in home
    assert f'data-md-color-primary="{branding.primary_color}"' in home
    assert "assets/brand/logo.svg" in home
    assert (site / "assets" / "brand" / "logo.svg").read_text(encoding="utf-8") == branding.logo
    assert branding.copyright is not None
    assert branding.copyright in home


def test_without_branding_the_site_keeps_its_default_name(synthetic_site: Path) -> None:
    home = (synthetic_site / "index.html").read_text(encoding="utf-8")
    assert "<title>Waymark guidebook</title>" in home
    assert not (synthetic_site / "assets" / "brand").exists()


def test_the_cli_builds_despite_lint_warnings_and_prints_them(tmp_path: Path, synthetic_dir: Path) -> None:
    import shutil

    folder = tmp_path / "process_definitions"
    shutil.copytree(synthetic_dir, folder)
    process = folder / "processes" / "synthetic.yaml"
    process.write_text(process.read_text().replace("        ask: Ask the buyer for the zx1q2 rollout review.\n", ""))
    expected = [str(p) for p in read_definitions(folder).warnings]
    assert len(expected) == 1

    result = CliRunner().invoke(
        app, ["guide", "build", "--process-dir", str(folder), "--site-dir", str(tmp_path / "s")]
    )

    assert result.exit_code == 0, result.output
    assert expected[0] in result.output
    assert "(1 lint warning: see above)" in result.output


def test_a_logo_file_that_is_not_there_leaves_the_default_icon(tmp_path: Path, synthetic_dir: Path) -> None:
    import shutil

    folder = tmp_path / "process_definitions"
    shutil.copytree(synthetic_dir, folder)
    (folder / "branding.yaml").write_text("site_name: Acme sales guidebook\nlogo: acme.svg\n")

    warnings = build_site(process_dir=folder, site_dir=tmp_path / "site")

    assert [w.field for w in warnings] == ["logo"]
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "<title>Acme sales guidebook</title>" in home
    assert "assets/brand/" not in home
