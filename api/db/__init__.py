"""Storage: typed tables, the async engine and sessions, and Alembic migrations."""

from api.db.migrate import upgrade
from api.db.session import Database

__all__ = ["Database", "upgrade"]
