"""What the live preview shows about the process files' problems: a banner on every page and a page listing each.

Each problem is a list item that wraps (never a code block that runs off the right edge), with its
`file:line:column` as `waymark check` prints it.
"""

from __future__ import annotations

import posixpath

from api.process import Problem, Severity
from api.process import guide_urls as urls
from guidebook.text import front_matter, indent, inline


def tally(problems: tuple[Problem, ...]) -> str:
    """`2 errors and 1 warning`, naming only the kinds there are."""
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    counts = [_count(errors, "error")] if errors else []
    counts += [_count(warnings, "warning")] if warnings else []
    return " and ".join(counts) or "no problems"


def problems_page(problems: tuple[Problem, ...], *, showing_last_good: bool) -> str:
    """The page a live preview shows while the process files have errors or warnings."""
    errors = [p for p in problems if p.severity is Severity.ERROR]
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    if not errors:
        state = "The guidebook shows them as they are; reps would see the same pages."
    elif showing_last_good:
        state = "The rest of the guidebook still shows the last version that loaded without errors."
    else:
        state = "The guidebook cannot show the process until the errors are fixed."
    parts = [
        "# Problems in the process files",
        f"The process files have {tally(problems)}. {state} Fix them and save: this preview rebuilds by itself. "
        "`waymark check` lists the same problems.",
    ]
    if errors:
        parts += ["## Errors", _listing(errors)]
    if warnings:
        parts += ["## Warnings", _listing(warnings)]
    return front_matter(exclude_from_search=True) + "\n\n".join(parts) + "\n"


def _listing(problems: list[Problem]) -> str:
    items = []
    for problem in problems:
        where = f"{problem.path}:{problem.line}:{problem.column}" if problem.line else problem.path
        field = f" <code>{inline(problem.field)}</code>" if problem.field else ""
        items.append(f"<li><code>{inline(where)}</code>{field}: {inline(problem.message)}</li>")
    return '<ul class="waymark-problems">\n' + "\n".join(items) + "\n</ul>"


def problems_banner(problems: tuple[Problem, ...], *, here: str, showing_last_good: bool) -> str:
    """The box at the top of every page of a preview with problems, linking to the list."""
    listing = posixpath.relpath(urls.ERRORS_PAGE, posixpath.dirname(here) or ".")
    has_errors = any(p.severity is Severity.ERROR for p in problems)
    kind = "failure" if has_errors else "warning"
    shown = "This page shows the last version that loaded. " if has_errors and showing_last_good else ""
    body = f"{shown}See [each problem, with its file, line and column]({listing}), or run `waymark check`."
    return f'!!! {kind} "The process files have {tally(problems)}"\n\n{indent(body)}\n\n'


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
