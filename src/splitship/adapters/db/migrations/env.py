"""Alembic environment: runs on the connection that ``upgrade_database`` hands over."""

from __future__ import annotations

from alembic import context

from splitship.adapters.db.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `splitship db upgrade`")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
