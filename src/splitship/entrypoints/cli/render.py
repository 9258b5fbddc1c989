"""Orders as Rich tables: the list, one order in full, and its packages."""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from splitship.domain.catalog import Box, Channel, Warehouse
from splitship.domain.order import Address, Order, Package
from splitship.domain.status import OrderStatus, PackageStatus
from splitship.entrypoints.cli.common import day, local_time, plain
from splitship.services.unit_of_work import UnitOfWork

STATUS_STYLE = {
    OrderStatus.ON_HOLD.value: "bold red",
    OrderStatus.AWAITING_SHIPMENT.value: "yellow",
    OrderStatus.PARTIALLY_SHIPPED.value: "cyan",
    OrderStatus.SHIPPED.value: "green",
    OrderStatus.PARTIALLY_DELIVERED.value: "green",
    OrderStatus.DELIVERED.value: "bold green",
    OrderStatus.CANCELLED.value: "dim",
    PackageStatus.OPEN.value: "yellow",
    PackageStatus.READY.value: "cyan",
    PackageStatus.EXCEPTION.value: "bold red",
    PackageStatus.RETURNED.value: "red",
}


def status_text(status: str) -> Text:
    return Text(status, style=STATUS_STYLE.get(status, "green"))


@dataclass
class Names:
    """Codes to show for the ids an order refers to."""

    warehouses: dict[str, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    boxes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, uow: UnitOfWork, shop_id: str) -> "Names":
        return cls.of(
            uow.catalog.warehouses(shop_id),
            uow.catalog.channels(shop_id),
            uow.catalog.boxes(shop_id),
        )

    @classmethod
    def of(cls, warehouses: list[Warehouse], channels: list[Channel], boxes: list[Box]) -> "Names":
        return cls(
            {w.id: w.code for w in warehouses},
            {c.id: c.code for c in channels},
            {b.id: b.name for b in boxes},
        )


def units_to_ship(order: Order) -> int:
    return sum(order.units_to_ship(ln.id) for ln in order.lines)


def orders_table(orders: list[Order], tz: str, total: int) -> Table:
    table = Table(
        caption=f"{len(orders)} of {total} order(s); ship-by in {tz}",
        caption_justify="left",
    )
    table.add_column("External id", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Units", justify="right")
    table.add_column("Packages", justify="right")
    table.add_column("Ship by", no_wrap=True)
    table.add_column("Buyer")
    for o in orders:
        live = o.live_packages
        shipped = sum(1 for p in live if p.is_shipped)
        packages = f"{len(live)} ({shipped} shipped)" if shipped else str(len(live))
        table.add_row(
            plain(o.external_id),
            status_text(o.status.value),
            plain(units_to_ship(o)),
            plain(packages),
            plain(local_time(o.ship_by, tz)),
            plain(f"{o.buyer_name} ({o.address.country})"),
        )
    return table


def one_line_address(a: Address) -> str:
    parts = [a.line1, a.line2, a.city, " ".join(x for x in (a.region, a.postal_code) if x)]
    return f"{a.name}, " + ", ".join(p for p in parts if p) + f", {a.country}"


def order_view(order: Order, names: Names, tz: str, base_url: str) -> RenderableType:
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold", no_wrap=True)
    head.add_column()
    head.add_row("Order", plain(f"{order.external_id}  ({order.source})"))
    head.add_row("Id", plain(order.id))
    head.add_row("Status", status_text(order.status.value))
    buyer = order.buyer_name + (f" <{order.buyer_email}>" if order.buyer_email else "")
    head.add_row("Buyer", plain(f"{buyer}  [{order.buyer_locale}]"))
    head.add_row("Ship to", plain(one_line_address(order.address)))
    head.add_row("Ship by", plain(local_time(order.ship_by, tz)))
    head.add_row("Deliver by", plain(day(order.deliver_by)))
    head.add_row("Buyer page", plain(f"{base_url}/t/{order.tracking_token}"))
    head.add_row("Version", plain(order.version))
    parts: list[RenderableType] = [head, lines_table(order)]
    if order.packages:
        parts.append(packages_table(order, names, tz))
    if order.holds:
        parts.append(holds_table(order, tz))
    return Group(*parts)


def lines_table(order: Order) -> Table:
    table = Table(title="Lines", title_justify="left")
    table.add_column("Line", no_wrap=True)
    table.add_column("SKU", no_wrap=True)
    table.add_column("Name")
    table.add_column("Qty", justify="right")
    table.add_column("Unassigned", justify="right")
    table.add_column("Cancelled", justify="right")
    table.add_column("Tags")
    table.add_column("Ships to")
    for ln in order.lines:
        a = ln.attributes
        avail = f" from {a.available_from}" if a.available_from else ""
        table.add_row(
            plain(ln.id),
            plain(ln.sku),
            plain(ln.name),
            plain(ln.quantity),
            plain(order.unassigned(ln.id)),
            plain(order.cancelled_qty.get(ln.id, 0) or ""),
            plain(", ".join(sorted(a.tags)) + avail),
            plain(one_line_address(ln.address) if ln.address else "order address"),
        )
    return table


def items_text(order: Order, pkg: Package) -> str:
    return ", ".join(f"{lid}×{qty} {order.line(lid).sku}" for lid, qty in pkg.items.items())


def packages_table(order: Order, names: Names, tz: str) -> Table:
    table = Table(
        title="Packages",
        title_justify="left",
        caption=f"ship one with: splitship ship {order.external_id}#<number> --tracking ...",
        caption_justify="left",
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Package id", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Items")
    table.add_column("From / channel / box")
    table.add_column("Tracking")
    table.add_column("Shipped / ETA")
    for p in order.packages:
        info = p.logistics
        tracking = ""
        if info is not None and info.tracking_number:
            tracking = f"{info.tracking_number} ({info.carrier_code or '?'})"
        elif info is not None:
            tracking = "no tracking (own delivery)"
        eta = ""
        if info is not None and info.eta_earliest:
            eta = f"ETA {info.eta_earliest}–{info.eta_latest or info.eta_earliest}"
        where = " / ".join(
            [
                names.warehouses.get(p.warehouse_id or "", p.warehouse_id or "—"),
                names.channels.get(p.channel_id or "", p.channel_id or "—"),
                names.boxes.get(p.box_id or "", p.box_id or "—"),
            ]
        )
        shipped = local_time(p.shipped_at, tz) if p.shipped_at else ""
        table.add_row(
            plain(p.number),
            plain(p.id),
            status_text(p.status.value),
            plain(items_text(order, p)),
            plain(where),
            plain(tracking),
            plain("\n".join(x for x in (shipped, eta) if x)),
        )
    return table


def holds_table(order: Order, tz: str) -> Table:
    table = Table(title="Holds", title_justify="left")
    table.add_column("Hold id", no_wrap=True)
    table.add_column("Reason", no_wrap=True)
    table.add_column("Note")
    table.add_column("Placed", no_wrap=True)
    table.add_column("Package")
    table.add_column("State", no_wrap=True)
    for h in order.holds:
        pkg = order.package(h.package_id).number if h.package_id else "whole order"
        state = Text("active", style="bold red") if h.active else Text("released", style="dim")
        table.add_row(
            plain(h.id),
            plain(h.reason.value),
            plain(h.note),
            plain(local_time(h.placed_at, tz)),
            plain(pkg),
            state,
        )
    return table


def print_status_line(console: Console, order: Order) -> None:
    line = Text("Order ")
    line.append(order.external_id, style="bold")
    line.append(" is now ")
    line.append_text(status_text(order.status.value))
    console.print(line)


def write_rows_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
