"""Alembic environment: always run with a connection handed over by `api.db.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from api.db.models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations with `waymark db upgrade` (api.db.migrate.upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
