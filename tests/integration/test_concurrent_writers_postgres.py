"""Two writers change the same order at the same time on PostgreSQL: one wins, one gets a
version conflict, and no update is lost."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from pg import pg_database
from seed import import_order, seed_shop
from splitship.bootstrap import App, bootstrap
from splitship.config import Settings
from splitship.domain.errors import VersionConflict


@pytest.fixture
def pg_app() -> Iterator[App]:
    with pg_database("splitship_race") as url:
        built = bootstrap(Settings(env="test", database_url=url))
        yield built
        built.dispose()


def test_two_concurrent_writers_one_conflict_no_lost_update(pg_app: App) -> None:
    s = seed_shop(pg_app)
    oid = import_order(pg_app, s.shop_id)
    both_loaded = threading.Barrier(2, timeout=30)
    outcomes: dict[str, str] = {}

    def writer(name: str, line_id: str) -> None:
        uow = pg_app.uow(name)
        try:
            with uow:
                order = uow.orders.get(s.shop_id, oid)
                both_loaded.wait()  # both hold version 1 before either writes
                order.create_package(f"pkg-{name}", {line_id: 1}, pg_app.clock())
                uow.commit()
            outcomes[name] = "committed"
        except VersionConflict:
            outcomes[name] = "conflict"

    threads = [
        threading.Thread(target=writer, args=("alice", "L1")),
        threading.Thread(target=writer, args=("bob", "L2")),
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert sorted(outcomes.values()) == ["committed", "conflict"]
    winner = next(n for n, o in outcomes.items() if o == "committed")
    with pg_app.uow() as uow:
        stored = uow.orders.get(s.shop_id, oid)
        audit = uow.audit.for_order(s.shop_id, oid)
    assert [p.id for p in stored.packages] == [f"pkg-{winner}"]
    assert stored.version == 2
    assert [a.actor for a in audit if a.action == "package.created"] == [winner]
