"""Fixtures shared by every test ring."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Test helper modules (factories, pg) live beside this file.
sys.path.insert(0, str(Path(__file__).parent))

from pg import pg_database


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of a PostgreSQL database created for this test session and dropped after it."""
    with pg_database() as url:
        yield url
