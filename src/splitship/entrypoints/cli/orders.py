"""``splitship orders``: import orders from a file, list them, show one."""

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from splitship.adapters.marketplaces.common import FieldError
from splitship.adapters.marketplaces.csv_orders import parse_orders_csv
from splitship.adapters.marketplaces.tiktok import parse_tiktok_orders
from splitship.domain.errors import InvalidInput
from splitship.domain.status import OrderStatus
from splitship.entrypoints.cli.common import (
    CLI_ACTOR,
    DatabaseUrl,
    ShopOption,
    error_table,
    find_order,
    guarded,
    opened,
    out,
    plain,
    read_text,
)
from splitship.entrypoints.cli.render import Names, order_view, orders_table, write_rows_csv
from splitship.services.catalog import RowError
from splitship.services.orders import ImportReport, OrderDraft, import_orders
from splitship.services.planning import PlanFailure, auto_apply_after_import
from splitship.services.unit_of_work import OrderFilter

orders_app = typer.Typer(help="Import, list and inspect orders.", no_args_is_help=True)

CHUNK = 200  # orders per transaction: the bar moves, and a crash keeps every committed chunk


class ImportFormat(StrEnum):
    AUTO = "auto"
    TIKTOK = "tiktok"
    CSV = "csv"


def register(app: typer.Typer) -> None:
    app.add_typer(orders_app, name="orders")


def parse_order_file(path: Path, fmt: ImportFormat) -> tuple[list[OrderDraft], list[RowError]]:
    text = read_text(path)
    if fmt is ImportFormat.AUTO:
        looks_json = path.suffix.lower() == ".json" or text.lstrip()[:1] in ("{", "[")
        fmt = ImportFormat.TIKTOK if looks_json else ImportFormat.CSV
    if fmt is ImportFormat.CSV:
        return parse_orders_csv(text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{path.name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}): "
            "export the orders again, or pass --format csv for a CSV file",
            field="file",
        ) from None
    try:
        return parse_tiktok_orders(data)
    except FieldError as exc:
        raise InvalidInput(f"{path.name}: {exc.message}", field=exc.field) from None


@orders_app.command("import")
@guarded
def import_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV or JSON file")
    ],
    shop: ShopOption,
    fmt: Annotated[
        ImportFormat,
        typer.Option("--format", help="tiktok: TikTok Shop order JSON; csv: one row per line"),
    ] = ImportFormat.AUTO,
    errors_out: Annotated[
        Path | None,
        typer.Option("--errors-out", dir_okay=False, help="Write the rejected rows' errors here"),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Import orders; orders already imported are left unchanged, so a re-run is safe."""
    drafts, parse_errors = parse_order_file(file, fmt)
    total = ImportReport(errors=list(parse_errors))
    console = out()
    with opened(database_url) as app:
        with app.uow(CLI_ACTOR) as uow:
            uow.shops.get(shop)  # an unknown shop fails before any work
        auto_applied: list[str] = []
        auto_failed: list[PlanFailure] = []
        with Progress(
            TextColumn("Importing orders"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("import", total=len(drafts))
            for start in range(0, len(drafts), CHUNK):
                chunk = drafts[start : start + CHUNK]
                report = import_orders(app.uow(CLI_ACTOR), shop, chunk)
                planned = auto_apply_after_import(
                    app.uow_factory(CLI_ACTOR), shop, report.order_ids
                )
                auto_applied += planned.applied
                auto_failed += planned.failures
                total.created += report.created
                total.unchanged += report.unchanged
                total.errors += report.errors
                total.order_ids += report.order_ids
                progress.advance(task, len(chunk))
    console.print(
        f"{len(total.created)} order(s) imported, {len(total.unchanged)} already known "
        f"(unchanged), {len(total.errors)} problem(s) found."
    )
    if auto_applied or auto_failed:
        console.print(f"Plan applied automatically to {len(auto_applied)} order(s).")
    for failure in auto_failed:
        console.print(plain(f"  not planned: {failure.external_id}: {failure.message}"))
    total.errors.sort(key=lambda e: (e.row, e.field))
    if errors_out is not None:
        rows: list[list[object]] = [[e.row, e.field, e.message] for e in total.errors]
        write_rows_csv(errors_out, ["row", "field", "message"], rows)
        console.print(f"Errors written to {errors_out}")
    if total.errors:
        console.print(error_table(total.errors))
        console.print("Fix these rows and import the file again: imported orders are skipped.")
        raise typer.Exit(1)


@orders_app.command("list")
@guarded
def list_command(
    shop: ShopOption,
    status: Annotated[OrderStatus | None, typer.Option("--status", help="Only this status")] = None,
    search: Annotated[
        str | None, typer.Option("--search", help="Order id, buyer, SKU or tracking number")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 50,
    database_url: DatabaseUrl = None,
) -> None:
    """List orders, soonest ship-by first."""
    with opened(database_url) as app, app.uow(CLI_ACTOR) as uow:
        tz = uow.shops.get(shop).settings.timezone
        page = uow.orders.search(
            shop, OrderFilter(status=status.value if status else None, search=search, limit=limit)
        )
    out().print(orders_table(page.orders, tz, page.total))


@orders_app.command("show")
@guarded
def show_command(
    order: Annotated[str, typer.Argument(help="Order id or marketplace order id")],
    shop: ShopOption,
    database_url: DatabaseUrl = None,
) -> None:
    """Show an order: lines, packages with their tracking, holds, and its status."""
    with opened(database_url) as app, app.uow(CLI_ACTOR) as uow:
        tz = uow.shops.get(shop).settings.timezone
        found = find_order(uow, shop, order)
        names = Names.load(uow, shop)
        base_url = app.settings.base_url
    out().print(order_view(found, names, tz, base_url))
