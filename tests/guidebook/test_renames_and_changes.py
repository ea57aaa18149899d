"""The guidebook of a published version: former addresses of renamed stages and milestones still lead to them,
and "What changed" lists each version with what it changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from guidebook.build import build_site

FIXTURE = Path(__file__).parents[1] / "api" / "fixtures" / "process_definitions"


def test_renamed_stages_redirect_renamed_milestones_keep_their_anchor_and_changes_are_listed(tmp_path: Path) -> None:
    # given: SAL renamed `accepted`, budget-range renamed `budget-known`, and a changelog of two versions
    folder = tmp_path / "definitions"
    shutil.copytree(FIXTURE, folder)
    process = folder / "processes" / "new-business.yaml"
    process.write_text(
        process.read_text()
        .replace("  - key: sal\n", "  - key: accepted\n    formerly: [sal]\n", 1)
        .replace("key: budget-range", "key: budget-known\n        formerly: [budget-range]", 1)
    )
    changelog = tmp_path / "changes.json"
    changelog.write_text(
        json.dumps(
            [
                {
                    "number": 2,
                    "label": "2026.12",
                    "publishedAt": "2026-12-01T09:30:00+00:00",
                    "publishedBy": "Elena",
                    "note": "SAL is now Accepted",
                    "changes": "- **renamed** stage new-business/accepted",
                },
                {
                    "number": 1,
                    "label": None,
                    "publishedAt": "2026-11-30T08:00:00+00:00",
                    "publishedBy": "waymark serve",
                    "note": None,
                    "changes": None,
                },
            ]
        )
    )

    # when
    site = tmp_path / "site"
    build_site(process_dir=folder, site_dir=site, changes=changelog)

    # then
    redirect = (site / "new-business" / "sal" / "index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=../accepted/">' in redirect
    assert (site / "new-business" / "sal" / "call-sheet" / "index.html").is_file()
    stage = (site / "new-business" / "sql" / "index.html").read_text()
    assert '<a id="budget-range"></a>' in stage
    changes = (site / "changes" / "index.html").read_text()
    assert "Version 2 (2026.12)" in changes
    assert "SAL is now Accepted" in changes
    assert "The first published version." in changes
    assert changes.index("Version 2") < changes.index("Version 1")


def test_without_a_changelog_there_is_no_what_changed_page(tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_site(process_dir=FIXTURE, site_dir=site)
    assert not (site / "changes").exists()
