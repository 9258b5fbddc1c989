"""Wires settings, database and services together: the one place that knows every part."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from splitship.adapters.db.engine import make_engine, upgrade_database
from splitship.adapters.db.unit_of_work import SqlUnitOfWork
from splitship.config import Settings
from splitship.services.unit_of_work import UnitOfWork


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass
class App:
    settings: Settings
    engine: Engine
    clock: Callable[[], datetime] = utc_now
    ids: Callable[[], str] = new_id

    def uow(self, actor: str = "system") -> UnitOfWork:
        return SqlUnitOfWork(self.engine, self.clock, self.ids, actor)

    def uow_factory(self, actor: str = "system") -> Callable[[], UnitOfWork]:
        return lambda: self.uow(actor)

    def dispose(self) -> None:
        self.engine.dispose()


def bootstrap(
    settings: Settings | None = None,
    *,
    upgrade: bool = True,
    clock: Callable[[], datetime] = utc_now,
) -> App:
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    if upgrade:
        upgrade_database(engine)
    return App(settings, engine, clock)
