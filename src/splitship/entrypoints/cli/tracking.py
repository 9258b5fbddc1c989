"""``splitship events import FILE.csv`` and ``splitship events add PACKAGE``: carrier events."""

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from splitship.entrypoints.cli.common import (
    CLI_ACTOR,
    DatabaseUrl,
    ShopOption,
    error_table,
    find_package,
    guarded,
    opened,
    out,
    plain,
    read_text,
)
from splitship.entrypoints.cli.render import status_text
from splitship.services import tracking_events
from splitship.services.tracking_csv import read_events_csv
from splitship.services.tracking_events import EventInput, EventResult


def register(app: typer.Typer) -> None:
    events = typer.Typer(help="Carrier events of shipped packages.", no_args_is_help=True)
    events.command("import")(import_command)
    events.command("add")(add_command)
    app.add_typer(events, name="events")


def results_table(results: list[EventResult]) -> Table:
    table = Table(title_justify="left")
    for column in ("Row", "Event", "Result", "Package status", "Order status", "Problem"):
        table.add_column(column, no_wrap=column != "Problem")
    for r in results:
        result = "recorded" if r.ok and r.applied else "duplicate" if r.ok else "refused"
        table.add_row(
            plain(r.row or ""),
            plain(r.event_id),
            status_text(result if r.ok else "exception"),
            status_text(r.package_status or "—"),
            status_text(r.order_status or "—"),
            plain(f"{r.error} ({r.code})" if r.error else ""),
        )
    return table


@guarded
def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV of events")],
    shop: ShopOption,
    database_url: DatabaseUrl = None,
) -> None:
    """Record carrier events from a CSV file.

    Columns: event_id, status, occurred_at, package_id or tracking_number; optional carrier,
    description, location, reason. Events already recorded are skipped; the exit code is 1
    when any row or event was refused.
    """
    items, errors = read_events_csv(read_text(file))
    with opened(database_url) as app:
        results = tracking_events.record_tracking_events(app.uow_factory(CLI_ACTOR), shop, items)
    console = out()
    if results:
        console.print(results_table(results))
    if errors:
        console.print(error_table(errors))
    recorded = sum(1 for r in results if r.ok and r.applied)
    duplicates = sum(1 for r in results if r.ok and not r.applied)
    failed = sum(1 for r in results if not r.ok) + len(errors)
    console.print(plain(f"{recorded} recorded, {duplicates} already known, {failed} refused"))
    if failed:
        raise typer.Exit(1)


@guarded
def add_command(
    package: Annotated[str, typer.Argument(help="Package id, or ORDER#N (order id, number)")],
    shop: ShopOption,
    status: Annotated[str, typer.Option("--status", help=", ".join(tracking_events.EVENT_KINDS))],
    at: Annotated[
        datetime | None,
        typer.Option(
            "--at",
            formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d %H:%M%z"],
            help="When it happened, with an offset (e.g. 2026-11-26T10:00+08:00); default now",
        ),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason", help="For exceptions: " + ", ".join(tracking_events.EXCEPTION_REASONS)
        ),
    ] = None,
    location: Annotated[str, typer.Option("--location")] = "",
    description: Annotated[str, typer.Option("--description")] = "",
    event_id: Annotated[
        str | None,
        typer.Option("--event-id", help="The carrier's id; default: derived from the event"),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Record one carrier event for a shipped package."""
    with opened(database_url) as app:
        with app.uow(CLI_ACTOR) as uow:
            _, pkg = find_package(uow, shop, package)
        when = at or app.clock()
        # Derived from what the event says, so running the same command twice records it once.
        derived = hashlib.sha256(f"{pkg.id}|{status}|{when.isoformat()}".encode()).hexdigest()
        item = EventInput(
            event_id=event_id or f"cli-{derived[:20]}",
            status=status,
            occurred_at=when,
            package_id=pkg.id,
            description=description,
            location=location,
            reason=reason,
        )
        result = tracking_events.record_tracking_event(app.uow(CLI_ACTOR), shop, item)
    out().print(results_table([result]))
