"""The branding file's logo: an image file next to `branding.yaml`, or an SVG image written out in the file."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path, PurePosixPath

from api.process.problems import Problem, Severity
from api.process.yaml_source import SourceFile

LOGO_TYPES = (".svg", ".png", ".jpg", ".jpeg", ".webp")
MAX_LOGO_BYTES = 512 * 1024
MAX_INLINE_SVG_CHARS = 64 * 1024


def is_inline_svg(logo: str) -> bool:
    """Whether `logo` is SVG markup rather than a file name."""
    return logo.lstrip().startswith("<svg")


def logo_file(directory: Path, logo: str | None) -> Path | None:
    """The logo's image file, when `logo` names one that is there."""
    if logo is None or is_inline_svg(logo):
        return None
    target = directory / PurePosixPath(logo.replace("\\", "/"))
    return target if target.is_file() else None


def check_logo(source: SourceFile, directory: Path, logo: str | None) -> Problem | None:
    """Why the branding's `logo` cannot be shown, if it cannot. A missing file is only a warning: the
    guidebook then shows its default icon, and the rest of the process still loads."""
    if logo is None:
        return None
    line, column, path = source.locate(("logo",))
    if is_inline_svg(logo):
        message = _inline_svg_problem(logo)
        return None if message is None else Problem(source.name, line, column, path, message)
    relative = PurePosixPath(logo.replace("\\", "/"))
    target = directory / relative
    message = None
    if relative.is_absolute() or ".." in relative.parts:
        message = f"'{logo}' is outside the process definitions folder: put the image next to branding.yaml"
    elif relative.suffix.lower() not in LOGO_TYPES:
        message = f"'{logo}' is not an image the guidebook can show: use an SVG, PNG, JPEG or WebP file"
    elif not target.is_file():
        message = f"no file '{logo}' in {directory.as_posix()}/: the guidebook shows its default icon"
        return Problem(source.name, line, column, path, message, Severity.WARNING)
    elif target.stat().st_size > MAX_LOGO_BYTES:
        message = f"'{logo}' is {target.stat().st_size:,} bytes; keep a logo under {MAX_LOGO_BYTES:,}"
    return None if message is None else Problem(source.name, line, column, path, message)


def _inline_svg_problem(markup: str) -> str | None:
    if len(markup) > MAX_INLINE_SVG_CHARS:
        return f"the SVG logo is {len(markup):,} characters; keep it under {MAX_INLINE_SVG_CHARS:,} or use a file"
    if "<!DOCTYPE" in markup or "<!ENTITY" in markup:
        return "the SVG logo must not declare a DOCTYPE or entities"
    try:
        root = ElementTree.fromstring(markup)  # safe: no DOCTYPE or entity declarations, checked above
    except ElementTree.ParseError as error:
        return f"the SVG logo is not well-formed: {error}"
    if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
        return "the logo's markup must be one <svg> element"
    return None
