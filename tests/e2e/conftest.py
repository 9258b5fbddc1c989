"""The HTTP API over a real SQLite file per test, with two populated shops."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import BASE_URL
from fastapi.testclient import TestClient

from factories import ShopFixture, make_shop
from splitship.bootstrap import App, bootstrap
from splitship.config import Settings
from splitship.entrypoints.api import create_app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    wired = bootstrap(
        Settings(env="test", database_url=f"sqlite:///{tmp_path}/t.db", public_url=BASE_URL)
    )
    yield wired
    wired.dispose()


@pytest.fixture
def api(app: App) -> Iterator[TestClient]:
    """A client without credentials; pass ``headers=shop.headers`` or use ``client_a``."""
    with TestClient(create_app(app)) as client:
        yield client


@pytest.fixture
def shop_a(app: App) -> ShopFixture:
    return make_shop(app, "Shop A", extra_skus=["A-ONLY"])


@pytest.fixture
def shop_b(app: App) -> ShopFixture:
    return make_shop(app, "Shop B")


@pytest.fixture
def client_a(api: TestClient, shop_a: ShopFixture) -> TestClient:
    api.headers.update(shop_a.headers)
    return api


@pytest.fixture
def client_b(app: App, shop_b: ShopFixture) -> Iterator[TestClient]:
    with TestClient(create_app(app), headers=shop_b.headers) as client:
        yield client
