"""The process files' `branding.yaml` applied to the MkDocs configuration: name, colours, logo, footer line.

Plain functions over the configuration's mappings (no MkDocs import), so they are testable on their own.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import PurePosixPath
from typing import Any

from api.process import Branding
from api.process.branding import is_inline_svg

LOGO_PATH = "assets/brand/logo"
"""Where the logo is copied in the site, with its own extension (`assets/brand/logo.svg`)."""


def logo_site_path(branding: Branding) -> str | None:
    """The logo's path in the built site, or None without a logo."""
    if branding.logo is None:
        return None
    if is_inline_svg(branding.logo):
        return LOGO_PATH + ".svg"
    return LOGO_PATH + PurePosixPath(branding.logo.replace("\\", "/")).suffix.lower()


def apply_branding(
    config: MutableMapping[str, Any], theme: MutableMapping[str, Any], branding: Branding, *, with_logo: bool
) -> None:
    """Set the site name, description, footer line, palette colours and logo (`with_logo`) that `branding` names."""
    if branding.site_name:
        config["site_name"] = branding.site_name
    if branding.description:
        config["site_description"] = branding.description
    if branding.copyright:
        config["copyright"] = branding.copyright
    palette = theme.get("palette")
    schemes = palette if isinstance(palette, list) else [palette] if isinstance(palette, dict) else []
    for scheme in schemes:
        if branding.primary_color and "primary" in scheme:
            scheme["primary"] = branding.primary_color.value
        if branding.accent_color and "accent" in scheme:
            scheme["accent"] = branding.accent_color.value
    logo = logo_site_path(branding) if with_logo else None
    if logo:
        theme["logo"] = logo
        theme["favicon"] = logo
