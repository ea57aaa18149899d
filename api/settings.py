"""Settings read from the environment, with defaults that work on a fresh checkout."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./waymark.sqlite3"
DEFAULT_GUIDE_BASE_URL = "/guide/"
PRODUCTION = "production"


class SettingsInvalid(ValueError):
    """The environment asks for something the server cannot start with; the message says what to set."""


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
class RequestLimits:
    """What one GraphQL request may ask of the server; each is refused with an error that names the limit.

    The document limits are checked before validation, the cost before execution; the response size and the
    time limit stop a request that got past them and still grew too large or too slow."""

    max_document_bytes: int = 16_000
    max_tokens: int = 1_000
    """Parser tokens (names, punctuation, values) in one document; the parser stops at the first one over."""
    max_repeated_field: int = 8
    """How often one response name may be selected at one place (directly or through fragments)."""
    max_expanded_fields: int = 2_000
    """Fields in the document once its fragments are spread where they are used."""
    max_depth: int = 12
    max_aliases: int = 30
    max_cost: int = 100_000
    """Roughly the values a response may hold: each field counts 1, times the size of the lists around it."""
    max_response_bytes: int = 5_000_000
    timeout_seconds: float = 15.0
    """The whole request, from its token to its last byte of JSON."""


@dataclass(frozen=True, kw_only=True)
class DatabaseTimeouts:
    """How long the server waits for the database before answering "service unavailable"."""

    connect_seconds: float = 2.0
    statement_seconds: float = 4.0
    """On PostgreSQL, per statement; long enough for the history aggregates over 100,000 deals (~2.5 s cold)."""
    pool_seconds: float = 5.0
    """Waiting for a free connection of the pool."""
    sqlite_busy_seconds: float = 30.0
    """SQLite: how long a writer waits for another process's write (writers of one server queue in memory)."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What the API server needs to start; `Settings.from_env()` reads the environment."""

    database_url: str = DEFAULT_DATABASE_URL
    process_dir: Path = field(default_factory=lambda: Path("process_definitions"))
    guide_base_url: str = DEFAULT_GUIDE_BASE_URL
    site_dir: Path = field(default_factory=lambda: Path("site"))
    migrate_on_start: bool = True
    """Upgrade the database schema when the server starts (always for an embedded SQLite file)."""
    version_check_seconds: float = 1.0
    """How often a server checks for a newly published process version (0: never). On PostgreSQL a
    notification switches servers at once and this is the fallback; on SQLite it is the mechanism."""
    build_guide: bool = False
    """Build the guidebook of each version this server switches to, and serve it at `/guide`; without it,
    `/guide` serves `site_dir` as it is, if it exists."""
    measure_history_ahead: bool = True
    """Measure the whole-history figures (learned durations, win rates, insights) in the background when a version
    is served, so that no admin's first period-end request waits for them."""
    cors_origins: tuple[str, ...] = ()
    """Browser origins (`https://app.example.com`) allowed to call the API from another origin; none by default."""
    demo_tokens: dict[str, str] | None = None
    """In demo mode, the demo's tokens by who holds them (GraphiQL shows them)."""
    subscriber_queue_size: int = 256
    """Changes a subscriber may have waiting before it is told it fell behind and disconnected."""
    guide_builds_dir: Path = field(default_factory=lambda: Path(".waymark") / "guide-builds")
    """Where the guidebook builds of each version are kept."""
    production: bool = False
    """`WAYMARK_ENV=production`: no GraphiQL or introspection unless enabled, JSON logs, an explicit database."""
    graphiql: bool = True
    introspection: bool = True
    limits: RequestLimits = field(default_factory=RequestLimits)
    database_timeouts: DatabaseTimeouts = field(default_factory=DatabaseTimeouts)
    gc_thresholds: tuple[int, int, int] | None = None
    """The garbage collector's thresholds once serving (`api.garbage_collection`); None: leave them as they are."""
    token_cache_seconds: float = 5.0
    """How long a server trusts what it read of a token (see `api.services.accounts.token_cache`); 0: never."""

    @classmethod
    def from_env(cls) -> Settings:
        """Raises `SettingsInvalid` for a production server without an explicit `DATABASE_URL`."""
        production = os.environ.get("WAYMARK_ENV", "").strip().lower() == PRODUCTION
        if production and not os.environ.get("DATABASE_URL"):
            raise SettingsInvalid(
                "WAYMARK_ENV=production needs an explicit DATABASE_URL "
                "(e.g. postgresql+asyncpg://waymark@db.internal/waymark); "
                "it will not fall back to an SQLite file in the current folder"
            )
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
            subscriber_queue_size=int(os.environ.get("WAYMARK_SUBSCRIBER_QUEUE_SIZE", "256")),
            cors_origins=tuple(o.strip() for o in os.environ.get("WAYMARK_CORS_ORIGINS", "").split(",") if o.strip()),
            demo_tokens=json.loads(os.environ["WAYMARK_DEMO_TOKENS"])
            if os.environ.get("WAYMARK_DEMO_TOKENS")
            else None,
            guide_builds_dir=Path(os.environ.get("WAYMARK_GUIDE_BUILDS_DIR", str(Path(".waymark") / "guide-builds"))),
            production=production,
            graphiql=_flag("WAYMARK_GRAPHIQL", default=not production),
            introspection=_flag("WAYMARK_INTROSPECTION", default=not production),
            limits=RequestLimits(
                max_depth=_number("WAYMARK_MAX_QUERY_DEPTH", 12),
                max_aliases=_number("WAYMARK_MAX_ALIASES", 30),
                max_cost=_number("WAYMARK_MAX_QUERY_COST", 100_000),
                max_response_bytes=_number("WAYMARK_MAX_RESPONSE_BYTES", 5_000_000),
                timeout_seconds=float(_number("WAYMARK_REQUEST_TIMEOUT_SECONDS", 15)),
            ),
            token_cache_seconds=_seconds("WAYMARK_TOKEN_CACHE_SECONDS", 5.0),
            gc_thresholds=_thresholds(os.environ.get("WAYMARK_GC_THRESHOLDS", "50000,20,10")),
        )


def _flag(name: str, *, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise SettingsInvalid(f"{name}={value!r}: write true or false")


def _number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) == 0:
        raise SettingsInvalid(f"{name}={value!r}: write a whole number greater than 0")
    return int(value)


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 60:
        raise SettingsInvalid(f"{name}={value!r}: write a number of seconds from 0 to 60")
    return seconds


def _thresholds(text: str) -> tuple[int, int, int]:
    parts = text.split(",")
    if len(parts) != 3 or not all(part.strip().isdigit() for part in parts):
        raise SettingsInvalid(f"WAYMARK_GC_THRESHOLDS={text!r}: write three whole numbers like 50000,20,10")
    first, second, third = (int(part) for part in parts)
    return first, second, third


def is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite")
