"""Process text as safe Markdown: inline text, table cells, lists, links between pages, percentages and days."""

from __future__ import annotations

import html
import json
import posixpath


def inline(text: str) -> str:
    """Process text as Markdown: HTML-escaped, whitespace folded to single spaces."""
    return html.escape(" ".join(text.split()), quote=False)


def cell(text: str) -> str:
    """Text for a Markdown table cell."""
    return inline(text).replace("|", "\\|")


def indent(block: str, spaces: int = 4) -> str:
    """Indent every non-empty line, for the body of an admonition or a content tab."""
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else "" for line in block.splitlines())


def bullets(items: tuple[str, ...] | list[str]) -> str:
    return "\n".join(f"- {inline(item)}" for item in items)


def link(from_page: str, to_page: str, anchor: str | None = None) -> str:
    """A relative link between two generated source pages, which MkDocs checks and rewrites."""
    target = posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")
    return f"{target}#{anchor}" if anchor else target


def attribute(text: str) -> str:
    """Text for an HTML attribute value."""
    return html.escape(" ".join(text.split()), quote=True)


def percent(probability: float) -> str:
    return f"{round(probability * 100)}%"


def days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def front_matter(*, title: str | None = None, boost: float | None = None, exclude_from_search: bool = False) -> str:
    """A page's YAML front matter: its browser-tab title and how search treats it."""
    lines = []
    if title is not None:
        lines.append(f"title: {json.dumps(' '.join(title.split()), ensure_ascii=False)}")
    if exclude_from_search:
        lines += ["search:", "  exclude: true"]
    elif boost is not None:
        lines += ["search:", f"  boost: {boost:g}"]
    return "---\n" + "\n".join(lines) + "\n---\n\n" if lines else ""


def page_url(source: str) -> str:
    """The URL MkDocs gives a source page, relative to the site root (`use_directory_urls`): `a/b.md` → `a/b/`."""
    stem = source.removesuffix(".md")
    if stem == "index":
        return ""
    return stem.removesuffix("index") if stem.endswith("/index") else f"{stem}/"


def html_link(from_page: str, to_page: str, anchor: str | None = None) -> str:
    """A relative link between two pages for raw HTML, where MkDocs does not rewrite `.md` links."""
    here, there = page_url(from_page), page_url(to_page)
    target = posixpath.relpath(there or ".", here or ".")
    target = "./" if target == "." else f"{target}/"
    return f"{target}#{anchor}" if anchor else target
