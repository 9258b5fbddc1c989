"""``splitship split``, ``ship`` and ``ship-batch``: packages by hand, then out of the door."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from splitship.adapters.marketplaces.common import FieldError, timestamp
from splitship.adapters.marketplaces.csv_orders import read_csv
from splitship.bootstrap import App
from splitship.domain.errors import InvalidInput, SplitshipError
from splitship.domain.order import Package
from splitship.domain.status import PackageStatus
from splitship.entrypoints.cli.common import (
    CLI_ACTOR,
    DatabaseUrl,
    ShopOption,
    err,
    find_order,
    find_package,
    guarded,
    opened,
    out,
    package_number,
    plain,
    read_text,
)
from splitship.entrypoints.cli.render import (
    Names,
    packages_table,
    print_status_line,
    status_text,
    write_rows_csv,
)
from splitship.services import catalog, shipping, splitting
from splitship.services.shipping import BatchShipItem, LogisticsInput
from splitship.services.splitting import PackageSpec
from splitship.services.unit_of_work import UnitOfWork


def register(app: typer.Typer) -> None:
    app.command("split")(split_command)
    app.command("ship")(ship_command)
    app.command("ship-batch")(ship_batch_command)


def parse_package_items(spec: str) -> dict[str, int]:
    """``"L1:2,L2:1"`` -> ``{"L1": 2, "L2": 1}``."""
    items: dict[str, int] = {}
    for part in spec.split(","):
        line, sep, qty = part.strip().partition(":")
        if not sep or not line.strip() or not qty.strip().isdigit() or int(qty) <= 0:
            raise typer.BadParameter(
                f'{part.strip()!r} is not LINE:UNITS; write each package like "L1:2,L2:1"',
                param_hint="--package",
            )
        items[line.strip()] = items.get(line.strip(), 0) + int(qty)
    return items


@guarded
def split_command(
    order: Annotated[str, typer.Argument(help="Order id or marketplace order id")],
    shop: ShopOption,
    package: Annotated[
        list[str],
        typer.Option(
            "--package",
            help='One package\'s items as LINE:UNITS, e.g. "L1:2,L2:1"; repeat per package',
        ),
    ],
    warehouse: Annotated[
        str | None, typer.Option("--warehouse", help="Warehouse code or id for the packages")
    ] = None,
    channel: Annotated[
        str | None, typer.Option("--channel", help="Channel code or id for the packages")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Split an order into packages (all of them or none)."""
    specs = [
        PackageSpec(parse_package_items(p), warehouse_id=warehouse, channel_id=channel)
        for p in package
    ]
    with opened(database_url) as app:
        with app.uow(CLI_ACTOR) as uow:
            tz = uow.shops.get(shop).settings.timezone
            found = find_order(uow, shop, order)
            names = Names.load(uow, shop)
        done = splitting.split_order(
            app.uow(CLI_ACTOR), shop, found.id, specs, expected_version=found.version
        )
    console = out()
    console.print(packages_table(done, names, tz))
    left = done.unassigned_items()
    if left:
        console.print(
            "Still unassigned: " + ", ".join(f"{lid}×{n}" for lid, n in left.items()),
            markup=False,
        )
    print_status_line(console, done)


@guarded
def ship_command(
    package: Annotated[
        str, typer.Argument(help="Package id, or ORDER#N (order id or marketplace id, number)")
    ],
    shop: ShopOption,
    tracking: Annotated[
        str | None,
        typer.Option("--tracking", help="Tracking number (not needed for own delivery)"),
    ] = None,
    carrier: Annotated[
        str | None, typer.Option("--carrier", help="Carrier code; default: the channel's")
    ] = None,
    confirm_channel: Annotated[
        str | None,
        typer.Option("--confirm-channel", help="Confirm the open package on this channel first"),
    ] = None,
    box: Annotated[str | None, typer.Option("--box", help="Box id or name when confirming")] = None,
    ship_time: Annotated[
        str | None, typer.Option("--ship-time", help="ISO 8601 with offset; default: now")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Record a package's logistics info and ship it (confirming it first if asked)."""
    try:
        when = timestamp(ship_time, "ship_time")
    except FieldError as exc:
        raise InvalidInput(exc.message, field="--ship-time") from None
    console = out()
    with opened(database_url) as app:
        with app.uow(CLI_ACTOR) as uow:
            found, pkg = find_package(uow, shop, package)
        if confirm_channel is not None and _confirmed_on(app, shop, pkg, confirm_channel):
            # A re-run after a refused tracking number: the package was confirmed the first time.
            console.print(
                f"Package {pkg.number} is already confirmed on {confirm_channel}.", markup=False
            )
        elif confirm_channel is not None:
            found = shipping.confirm_package(
                app.uow(CLI_ACTOR), shop, found.id, pkg.id, channel=confirm_channel, box=box
            )
            console.print(f"Package {pkg.number} confirmed on {confirm_channel}.", markup=False)
        info = LogisticsInput(tracking_number=tracking, carrier_code=carrier, ship_time=when)
        result = shipping.ship_package(app.uow(CLI_ACTOR), shop, found.id, pkg.id, info)
    shipped = result.order.package(pkg.id)
    logistics = shipped.logistics
    line = Text(f"Package {shipped.number} of order {result.order.external_id} shipped")
    if logistics is not None and logistics.tracking_number:
        line.append(f": {logistics.tracking_number} ({logistics.carrier_code})")
    console.print(line)
    if logistics is not None and logistics.tracking_url:
        console.print(Text(f"  tracking: {logistics.tracking_url}"))
    if logistics is not None and logistics.eta_earliest:
        console.print(
            Text(f"  estimated delivery: {logistics.eta_earliest} – {logistics.eta_latest}")
        )
    for warning in result.warnings:
        err().print(Text(f"Warning: {warning}", style="yellow"))
    print_status_line(console, result.order)


def _confirmed_on(app: App, shop: str, pkg: Package, channel: str) -> bool:
    if pkg.status is not PackageStatus.READY or pkg.channel_id is None:
        return False
    with app.uow(CLI_ACTOR) as uow:
        chosen = catalog.channel(uow, shop, channel)
    return chosen.id == pkg.channel_id


@dataclass
class _BatchRow:
    row: int
    label: str
    item: BatchShipItem | None = None
    problem: str | None = None


@guarded
def ship_batch_command(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV: package_id (or order_id and package_number), carrier, tracking_number, "
            "ship_time",
        ),
    ],
    shop: ShopOption,
    results_out: Annotated[
        Path | None, typer.Option("--results-out", dir_okay=False, help="Write results as CSV")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Ship many packages from a CSV file; each row on its own, so one bad row stops nothing."""
    header, rows = read_csv(read_text(file))
    if "package_id" not in header and not {"order_id", "package_number"} <= set(header):
        raise InvalidInput(
            "the header needs package_id, or order_id and package_number",
            field="header",
        )
    batch: list[_BatchRow] = []
    with opened(database_url) as app:
        with app.uow(CLI_ACTOR) as uow:
            uow.shops.get(shop)
            for number, cells in rows:
                batch.append(_resolve_row(uow, shop, number, cells))
        todo = [b for b in batch if b.item is not None]
        results = shipping.ship_packages(
            app.uow_factory(CLI_ACTOR), shop, [b.item for b in todo if b.item is not None]
        )
    outcome: dict[int, tuple[bool, str, str]] = {
        b.row: (False, "", b.problem or "") for b in batch if b.item is None
    }
    for b, r in zip(todo, results, strict=True):
        if r.ok:
            note = "; ".join(r.warnings)
            outcome[b.row] = (True, r.order_status or "", note)
        else:
            outcome[b.row] = (False, "", f"{r.error} ({r.code})")
    table = Table(title="Shipments", title_justify="left")
    table.add_column("Row", justify="right", no_wrap=True)
    table.add_column("Package", no_wrap=True)
    table.add_column("Result", no_wrap=True)
    table.add_column("Order status / message")
    for b in batch:
        ok, status, message = outcome[b.row]
        result = Text("shipped", style="green") if ok else Text("failed", style="bold red")
        detail = (
            Text.assemble(status_text(status), f"  {message}" if message else "")
            if ok
            else plain(message)
        )
        table.add_row(plain(b.row), plain(b.label), result, detail)
    console = out()
    console.print(table)
    failed = sum(1 for ok, _, _ in outcome.values() if not ok)
    console.print(f"{len(batch) - failed} shipped, {failed} failed.")
    if results_out is not None:
        write_rows_csv(
            results_out,
            ["row", "package", "ok", "order_status", "message"],
            [[b.row, b.label, *outcome[b.row]] for b in batch],
        )
    if failed:
        raise typer.Exit(1)


def _resolve_row(uow: UnitOfWork, shop: str, number: int, cells: dict[str, str]) -> _BatchRow:
    """The package a row names, and its logistics info; or what is wrong with the row."""
    label = cells.get("package_id") or f"{cells.get('order_id')}#{cells.get('package_number')}"
    try:
        when: datetime | None = timestamp(cells.get("ship_time"), "ship_time")
    except FieldError as exc:
        return _BatchRow(number, label, problem=f"{exc.field}: {exc.message}")
    info = LogisticsInput(
        tracking_number=cells.get("tracking_number") or None,
        carrier_code=cells.get("carrier") or None,
        ship_time=when,
    )
    try:
        if cells.get("package_id"):
            order = uow.orders.find_by_package(shop, cells["package_id"])
            return _BatchRow(number, label, BatchShipItem(cells["package_id"], info, order.id))
        if not cells.get("order_id"):
            return _BatchRow(number, label, problem="give package_id, or order_id and number")
        order = find_order(uow, shop, cells["order_id"])
        pkg = package_number(order, cells.get("package_number", ""))
    except SplitshipError as exc:
        return _BatchRow(number, label, problem=exc.message)
    return _BatchRow(number, label, BatchShipItem(pkg.id, info, order.id))
