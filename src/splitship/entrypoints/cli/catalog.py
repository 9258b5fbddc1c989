"""``splitship skus`` and ``splitship stock``: the catalogue from spreadsheets."""

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from splitship.adapters.marketplaces.csv_catalog import parse_skus_csv, parse_stock_csv
from splitship.domain.errors import InvalidInput
from splitship.entrypoints.cli.common import (
    CLI_ACTOR,
    DatabaseUrl,
    ShopOption,
    error_table,
    guarded,
    opened,
    out,
    read_text,
)
from splitship.services import catalog
from splitship.services.catalog import StockSetting

skus_app = typer.Typer(help="The shop's SKUs.", no_args_is_help=True)
stock_app = typer.Typer(help="Stock on hand per warehouse.", no_args_is_help=True)

CsvFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]


def register(app: typer.Typer) -> None:
    app.add_typer(skus_app, name="skus")
    app.add_typer(stock_app, name="stock")


@skus_app.command("import")
@guarded
def import_skus(file: CsvFile, shop: ShopOption, database_url: DatabaseUrl = None) -> None:
    """Create or update SKUs from a CSV file.

    Columns: code, name, weight_g, and optionally length_mm, width_mm, height_mm, tags
    (separated by | or ;), category, declared_value (e.g. 12.50), available_from (YYYY-MM-DD).
    """
    skus, errors = parse_skus_csv(read_text(file), shop)
    saved = 0
    if skus:
        with opened(database_url) as app:
            saved = catalog.save_skus(app.uow(CLI_ACTOR), shop, skus)
    console = out()
    console.print(f"{saved} SKU(s) saved, {len(errors)} row(s) rejected.")
    if errors:
        console.print(error_table(errors))
        raise typer.Exit(1)


@stock_app.command("import")
@guarded
def import_stock(file: CsvFile, shop: ShopOption, database_url: DatabaseUrl = None) -> None:
    """Set stock on hand from a CSV file with columns warehouse (code or id), sku, on_hand."""
    settings, errors = parse_stock_csv(read_text(file))
    applied = 0
    if settings:
        with opened(database_url) as app:
            report = catalog.set_stock(app.uow(CLI_ACTOR), shop, settings)
        applied = report.applied
        errors += report.errors or []
    console = out()
    console.print(f"{applied} stock level(s) set, {len(errors)} row(s) rejected.")
    if errors:
        console.print(error_table(errors))
        raise typer.Exit(1)


@stock_app.command("set")
@guarded
def set_stock(
    shop: ShopOption,
    warehouse: Annotated[str, typer.Option("--warehouse", help="Warehouse code or id")],
    sku: Annotated[str, typer.Option("--sku", help="SKU code")],
    on_hand: Annotated[int, typer.Option("--on-hand", help="Units on the shelf")],
    database_url: DatabaseUrl = None,
) -> None:
    """Set the units on hand of one SKU in one warehouse."""
    with opened(database_url) as app:
        report = catalog.set_stock(
            app.uow(CLI_ACTOR), shop, [StockSetting(warehouse, sku, on_hand)]
        )
    if report.errors:
        problem = report.errors[0]
        raise InvalidInput(problem.message, field=f"--{problem.field.replace('_', '-')}")
    out().print(Text(f"{warehouse} / {sku}: {on_hand} on hand"))
