"""Integration fixtures: the same tests run on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pg import pg_database
from splitship.bootstrap import App, bootstrap
from splitship.config import Settings


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'splitship.db'}"
    else:
        with pg_database("splitship_it") as url:
            yield url


@pytest.fixture
def app(db_url: str) -> Iterator[App]:
    built = bootstrap(Settings(env="test", database_url=db_url))
    yield built
    built.dispose()
