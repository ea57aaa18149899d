"""Process text as safe Markdown: inline text, table cells, lists, links between pages, percentages and days."""

from __future__ import annotations

import html
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
