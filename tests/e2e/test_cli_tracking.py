"""``splitship events`` and ``splitship inquiries`` end to end on a real SQLite file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from e2e.tracking_seed import SHIP_TIME, TrackedOrder, three_package_order
from splitship.bootstrap import App, bootstrap
from splitship.config import Settings
from splitship.entrypoints.cli import app as cli
from splitship.services import inquiries


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def tracked(db: str) -> TrackedOrder:
    app: App = bootstrap(Settings(env="test", database_url=db))
    app.clock = lambda: SHIP_TIME + timedelta(days=4)
    try:
        return three_package_order(app)
    finally:
        app.dispose()


def run(db: str, *args: str | Path) -> Result:
    result = CliRunner().invoke(
        cli, [str(a) for a in args] + ["--database-url", db], env={"COLUMNS": "200"}
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_events_import_records_new_events_once_and_reports_bad_rows(
    db: str, tracked: TrackedOrder, tmp_path: Path
) -> None:
    at = (SHIP_TIME + timedelta(days=1)).isoformat()  # the CLI checks against the real clock
    csv_file = tmp_path / "events.csv"
    csv_file.write_text(
        "event_id,tracking_number,status,occurred_at\n"
        f"d-1,1Z999AA10123456793,delivered,{at}\n"
        "d-2,1Z999AA10123456793,delivered,someday\n",
        encoding="utf-8",
    )
    first = run(db, "events", "import", csv_file, "--shop", tracked.shop.shop_id)
    assert first.exit_code == 1  # one row refused
    assert "1 recorded, 0 already known, 1 refused" in first.output
    assert "occurred_at" in first.output
    csv_file.write_text(
        f"event_id,tracking_number,status,occurred_at\nd-1,1Z999AA10123456793,delivered,{at}\n",
        encoding="utf-8",
    )
    again = run(db, "events", "import", csv_file, "--shop", tracked.shop.shop_id)
    assert again.exit_code == 0, again.output
    assert "0 recorded, 1 already known, 0 refused" in again.output


def test_events_add_by_order_and_number_moves_the_package(db: str, tracked: TrackedOrder) -> None:
    at = (SHIP_TIME + timedelta(days=1, hours=2)).isoformat()
    args = ("events", "add", f"{tracked.external_id}#2", "--status", "delivered", "--at", at)
    result = run(db, *args, "--shop", tracked.shop.shop_id)
    assert result.exit_code == 0, result.output
    assert "recorded" in result.output and "delivered" in result.output
    assert "duplicate" in run(db, *args, "--shop", tracked.shop.shop_id).output
    refused = run(
        db,
        "events",
        "add",
        f"{tracked.external_id}#3",
        "--status",
        "in_transit",
        "--shop",
        tracked.shop.shop_id,
    )
    assert refused.exit_code == 1 and "has not shipped" in refused.output


def test_inquiries_list_show_answer_resolve(db: str, tracked: TrackedOrder) -> None:
    app = bootstrap(Settings(env="test", database_url=db), upgrade=False)
    try:
        inq = inquiries.open_inquiry(app.uow(), tracked.token, "damaged", "The mug is chipped")
    finally:
        app.dispose()
    shop = ("--shop", tracked.shop.shop_id)
    listed = run(db, "inquiries", "list", *shop)
    assert inq.id in listed.output and "TT-1001" in listed.output and "damaged" in listed.output
    assert "No inquiries." in run(db, "inquiries", "list", "--overdue", *shop).output
    answered = run(
        db, "inquiries", "answer", inq.id, "--message", "A new one is on its way.", *shop
    )
    assert answered.exit_code == 0, answered.output
    assert "A new one is on its way." in answered.output and "answered" in answered.output
    assert "The mug is chipped" in run(db, "inquiries", "show", inq.id, *shop).output
    assert "is resolved" in run(db, "inquiries", "resolve", inq.id, *shop).output
    closed_again = run(db, "inquiries", "close", inq.id, *shop)
    assert closed_again.exit_code == 1 and "open a new inquiry" in closed_again.output
