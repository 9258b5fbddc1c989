"""PostgreSQL for tests: a fresh database per run, created and dropped around it.

Tests that need PostgreSQL skip with a hint when no server answers, unless CI=true or
SPLITSHIP_REQUIRE_PG=1, where a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get(
    "SPLITSHIP_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def pg_required() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("SPLITSHIP_REQUIRE_PG") == "1"


def _admin_url() -> str:
    url = make_url(ADMIN_URL)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def require_pg() -> None:
    """Skip (or fail in CI) when PostgreSQL cannot be reached."""
    try:
        engine = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:
        message = (
            f"PostgreSQL not reachable at {ADMIN_URL} ({type(exc).__name__}). Start it "
            "(pg_ctlcluster <version> main start) or point SPLITSHIP_TEST_PG_URL at a server."
        )
        if pg_required():
            pytest.fail(message)
        pytest.skip(message)


@contextmanager
def pg_database(prefix: str = "splitship_test") -> Iterator[str]:
    """A uniquely named database that exists for the duration of the block; yields its URL."""
    require_pg()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(_admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
