"""Pages at the former URLs of renamed stages (`formerly:`), sending readers on to where the stage is now, so
bookmarks and links in old notes keep working. Plain HTML files, copied into the site as they are."""

from __future__ import annotations

from html import escape

from api.process import ProcessDefinitions
from api.process import guide_urls as urls


def redirect_pages(definitions: ProcessDefinitions) -> dict[str, str]:
    """Source path (relative to the docs folder) → HTML, for each former key of each stage: its page and its
    call sheet. A milestone's former key is an anchor on its stage page instead (see `stage`)."""
    pages: dict[str, str] = {}
    for process in definitions.processes:
        for stage in process.stages:
            for former in stage.formerly:
                pages[f"{process.key}/{former}/index.html"] = _redirect(f"../{stage.key}/", stage.name)
                pages[f"{process.key}/{former}/{urls.CALL_SHEET}/index.html"] = _redirect(
                    f"../../{stage.key}/{urls.CALL_SHEET}/", f"the {stage.name} call sheet"
                )
    return pages


def _redirect(target: str, name: str) -> str:
    """A page that moves on at once, keeping the `#milestone` part of the address."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Moved to {escape(name)}</title>
<link rel="canonical" href="{escape(target)}">
<meta http-equiv="refresh" content="0; url={escape(target)}">
<script>location.replace("{escape(target)}" + location.hash)</script>
</head>
<body><p>This stage was renamed: <a href="{escape(target)}">{escape(name)}</a>.</p></body>
</html>
"""
