"""Settings read from the environment, with defaults that work on a fresh checkout."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./waymark.sqlite3"
DEFAULT_GUIDE_BASE_URL = "/guide/"


def default_process_dir() -> Path:
    """`WAYMARK_PROCESS_DIR`, else `process_definitions/` in the current folder."""
    return Path(os.environ.get("WAYMARK_PROCESS_DIR", "process_definitions"))


def default_database_url() -> str:
    """`DATABASE_URL`, else an SQLite file `waymark.sqlite3` in the current folder."""
    return os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)


def default_guide_base_url() -> str:
    """`WAYMARK_GUIDE_BASE_URL` (where the guidebook is served), always ending in `/`."""
    base = os.environ.get("WAYMARK_GUIDE_BASE_URL", DEFAULT_GUIDE_BASE_URL)
    return base if base.endswith("/") else f"{base}/"


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What the API server needs to start; `Settings.from_env()` reads the environment."""

    database_url: str = DEFAULT_DATABASE_URL
    process_dir: Path = field(default_factory=lambda: Path("process_definitions"))
    guide_base_url: str = DEFAULT_GUIDE_BASE_URL
    site_dir: Path = field(default_factory=lambda: Path("site"))
    migrate_on_start: bool = True
    """Upgrade the database schema when the server starts (always for an embedded SQLite file)."""
    max_query_depth: int = 12
    max_aliases: int = 30
    version_check_seconds: float = 1.0
    """How often a server checks for a newly published process version (0: never). On PostgreSQL a
    notification switches servers at once and this is the fallback; on SQLite it is the mechanism."""
    build_guide: bool = False
    """Build the guidebook of each version this server switches to, and serve it at `/guide`; without it,
    `/guide` serves `site_dir` as it is, if it exists."""
    guide_builds_dir: Path = field(default_factory=lambda: Path(".waymark") / "guide-builds")
    """Where the guidebook builds of each version are kept."""
    gc_thresholds: tuple[int, int, int] | None = None
    """The garbage collector's thresholds once serving (`api.garbage_collection`); None: leave them as they are."""
    token_cache_seconds: float = 5.0
    """How long a server trusts what it read of a token (see `api.services.accounts.token_cache`); 0: never."""

    @classmethod
    def from_env(cls) -> Settings:
        url = default_database_url()
        migrate = os.environ.get("WAYMARK_MIGRATE_ON_START", "").lower()
        check = os.environ.get("WAYMARK_VERSION_CHECK_SECONDS", "1" if is_sqlite(url) else "10")
        return cls(
            database_url=url,
            process_dir=default_process_dir(),
            guide_base_url=default_guide_base_url(),
            site_dir=Path(os.environ.get("WAYMARK_SITE_DIR", "site")),
            migrate_on_start=migrate in {"1", "true", "yes"} or (migrate == "" and is_sqlite(url)),
            version_check_seconds=float(check),
            build_guide=os.environ.get("WAYMARK_BUILD_GUIDE", "true").lower() in {"1", "true", "yes"},
            guide_builds_dir=Path(os.environ.get("WAYMARK_GUIDE_BUILDS_DIR", str(Path(".waymark") / "guide-builds"))),
            token_cache_seconds=float(os.environ.get("WAYMARK_TOKEN_CACHE_SECONDS", "5")),
            gc_thresholds=_thresholds(os.environ.get("WAYMARK_GC_THRESHOLDS", "50000,20,10")),
        )


def _thresholds(text: str) -> tuple[int, int, int]:
    parts = tuple(int(part) for part in text.split(","))
    if len(parts) != 3:
        raise ValueError(f"WAYMARK_GC_THRESHOLDS: three numbers like 50000,20,10, not {text!r}")
    return parts  # type: ignore[return-value]


def is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite")
