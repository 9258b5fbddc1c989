"""Read models and batch helpers that the seller console needs and no other service offers.

- the order queue: tabs with counts (must split, ready to ship, partially shipped, exceptions,
  on hold, all), search and filters, sorted by ship-by deadline;
- an order's page: pre-check, auto-split preview, channel options per package, audit trail;
- the tracking-number CSV upload: rows resolved to packages, then shipped through ``shipping``;
- packing and pick lists of selected packages;
- the shop's rule set as an editable document, tried on an order before it is saved.

Business rules stay where they are (domain, planner, ``shipping``, ``splitting``): this module
gathers, resolves and reports.
"""

from __future__ import annotations

import csv
import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from splitship.domain.catalog import Box, Channel, Warehouse
from splitship.domain.errors import InvalidInput, NotFound, SplitshipError
from splitship.domain.eta import estimate_delivery
from splitship.domain.inquiry import Inquiry
from splitship.domain.limits import check_package
from splitship.domain.order import Order, Package
from splitship.domain.shop import Shop
from splitship.domain.status import OrderStatus, PackageStatus
from splitship.planning.context import PlanningContext
from splitship.planning.planner import Plan, SplitPrecheck, plan, precheck
from splitship.planning.rates import cheapest_quote
from splitship.planning.reasons import Reason
from splitship.planning.rules import (
    RuleSet,
    RuleSetError,
    default_rule_set,
    load_rule_set,
    rule_set_to_dict,
)
from splitship.services import shipping
from splitship.services.common import RULES_DOCUMENT
from splitship.services.console_repository import QueueFilter
from splitship.services.planning import RuleSetInvalid, planning_context, shop_rules
from splitship.services.shipping import BatchShipItem, LogisticsInput
from splitship.services.unit_of_work import AuditEntry, UnitOfWork

__all__ = [
    "ChannelOption",
    "OrderView",
    "PackingRow",
    "PickRow",
    "QueuePage",
    "QueueRow",
    "Tab",
    "TrackingRowResult",
    "catalog_overview",
    "channel_options",
    "get_order",
    "open_packages",
    "order_queue",
    "order_view",
    "packing_list",
    "pick_list",
    "read_tracking_csv",
    "rules_document",
    "try_rules",
    "upload_tracking_csv",
]

# ---- the order queue ---------------------------------------------------------------------


class Tab(StrEnum):
    MUST_SPLIT = "must_split"
    READY_TO_SHIP = "ready_to_ship"
    PARTIALLY_SHIPPED = "partially_shipped"
    EXCEPTIONS = "exceptions"
    ON_HOLD = "on_hold"
    ALL = "all"


OPEN_STATUSES = (
    OrderStatus.AWAITING_SHIPMENT.value,
    OrderStatus.PARTIALLY_SHIPPED.value,
    OrderStatus.ON_HOLD.value,
)
TROUBLE_STATUSES = (PackageStatus.EXCEPTION.value, PackageStatus.RETURNED.value)


@dataclass(frozen=True)
class QueueRow:
    order: Order
    overdue: bool
    must_reasons: tuple[Reason, ...]

    @property
    def units(self) -> int:
        return sum(self.order.units_to_ship(ln.id) for ln in self.order.lines)

    @property
    def live_packages(self) -> list[Package]:
        return self.order.live_packages

    @property
    def shipped_packages(self) -> int:
        return sum(1 for p in self.order.live_packages if p.is_shipped)


@dataclass(frozen=True)
class QueuePage:
    tab: Tab
    counts: Mapping[Tab, int]
    rows: list[QueueRow]
    total: int
    limit: int
    offset: int
    warehouses: Sequence[Warehouse] = ()  # for the filters
    channels: Sequence[Channel] = ()


# Must-split answers per (order id, version, planning inputs): the queue is read far more often
# than orders, stock or rules change, and the pre-check runs the planner's checks.
_MUST_CACHE: OrderedDict[tuple[str, int, str], tuple[Reason, ...]] = OrderedDict()
_MUST_CACHE_SIZE = 20_000
_MUST_LOCK = threading.Lock()  # pages are served from a thread pool


def order_queue(
    uow: UnitOfWork,
    shop_id: str,
    tab: Tab,
    flt: QueueFilter,
    *,
    limit: int = 50,
    offset: int = 0,
) -> QueuePage:
    """One tab of the queue, and how many orders every tab holds under the same filter."""
    with uow:
        shop = uow.shops.get(shop_id)
        now = uow.now()
        context = planning_context(uow, shop)
        must, ready = _split_awaiting(uow, shop_id, flt, context)
        statuses = uow.console.status_counts(shop_id, flt)
        trouble = uow.console.order_refs(shop_id, flt, package_statuses=TROUBLE_STATUSES)
        counts = {
            Tab.MUST_SPLIT: len(must),
            Tab.READY_TO_SHIP: len(ready),
            Tab.PARTIALLY_SHIPPED: statuses.get(OrderStatus.PARTIALLY_SHIPPED.value, 0),
            Tab.EXCEPTIONS: len(trouble),
            Tab.ON_HOLD: statuses.get(OrderStatus.ON_HOLD.value, 0),
            Tab.ALL: sum(statuses.values()),
        }
        if tab is Tab.MUST_SPLIT:
            chosen = list(must)
        elif tab is Tab.READY_TO_SHIP:
            chosen = ready
        elif tab is Tab.EXCEPTIONS:
            chosen = [r.id for r in trouble]
        else:
            wanted = {Tab.PARTIALLY_SHIPPED: "partially_shipped", Tab.ON_HOLD: "on_hold"}
            only = [wanted[tab]] if tab in wanted else []
            chosen = [r.id for r in uow.console.order_refs(shop_id, flt, statuses=only)]
        shown = uow.console.orders(shop_id, chosen[offset : offset + limit])
    rows = [
        QueueRow(
            order,
            order.ship_by is not None
            and order.ship_by < now
            and order.status.value in OPEN_STATUSES,
            must.get(order.id, ()),
        )
        for order in shown
    ]
    return QueuePage(
        tab, counts, rows, len(chosen), limit, offset, context.warehouses, context.channels
    )


def _split_awaiting(
    uow: UnitOfWork, shop_id: str, flt: QueueFilter, context: PlanningContext
) -> tuple[dict[str, tuple[Reason, ...]], list[str]]:
    """Orders awaiting shipment that must split (with the reasons), and the others."""
    awaiting = uow.console.order_refs(shop_id, flt, statuses=[OrderStatus.AWAITING_SHIPMENT.value])
    stamp = _context_stamp(context)
    with _MUST_LOCK:
        known = {r.id: _MUST_CACHE.get((r.id, r.version, stamp)) for r in awaiting}
    for order in uow.console.orders(shop_id, [i for i, hit in known.items() if hit is None]):
        check = precheck(order, context)
        reasons = tuple(check.must_reasons) if check.must_split else ()
        known[order.id] = reasons
        _remember((order.id, order.version, stamp), reasons)
    must: dict[str, tuple[Reason, ...]] = {}
    ready: list[str] = []
    for ref in awaiting:
        found = known.get(ref.id)
        if found:
            must[ref.id] = found
        else:
            ready.append(ref.id)
    return must, ready


def _remember(key: tuple[str, int, str], reasons: tuple[Reason, ...]) -> None:
    with _MUST_LOCK:
        _MUST_CACHE[key] = reasons
        while len(_MUST_CACHE) > _MUST_CACHE_SIZE:
            _MUST_CACHE.popitem(last=False)


def _context_stamp(context: PlanningContext) -> str:
    """A fingerprint of every planning input except the order: catalogue, stock, rules, day."""
    today = context.now.astimezone(ZoneInfo(context.shop_tz)).date()
    text = repr(
        (
            context.warehouses,
            context.channels,
            context.boxes,
            context.rules,
            context.allow_unit_split,
            context.stock_check,
            context.calendar,
            today,
        )
    )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def due_before(choice: str, now: datetime) -> datetime | None:
    """The ship-by bound of a deadline filter: overdue, due within 24 hours or 3 days."""
    return {
        "overdue": now,
        "24h": now + timedelta(hours=24),
        "72h": now + timedelta(hours=72),
    }.get(choice)


# ---- one order ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelOption:
    channel: Channel
    price: int | None
    box: Box | None
    zone: str | None
    eta_earliest: date | None
    eta_latest: date | None
    problems: tuple[str, ...]  # why the channel cannot carry the package; empty when it can

    @property
    def allowed(self) -> bool:
        return not self.problems and self.price is not None


@dataclass
class OrderView:
    order: Order
    shop: Shop
    precheck: SplitPrecheck
    plan: Plan | None
    plan_error: str | None
    warehouses: dict[str, Warehouse]
    channels: dict[str, Channel]
    boxes: dict[str, Box]
    options: dict[str, list[ChannelOption]]  # package id -> channels, cheapest allowed first
    audit: list[AuditEntry]
    inquiries: list[Inquiry] = field(default_factory=list)

    @property
    def unassigned(self) -> dict[str, int]:
        return self.order.unassigned_items()


def order_view(uow: UnitOfWork, shop_id: str, order_id: str) -> OrderView:
    """Everything the order page shows, read in one transaction."""
    with uow:
        shop = uow.shops.get(shop_id)
        order = uow.orders.get(shop_id, order_id)
        context = planning_context(uow, shop)
        check = precheck(order, context)
        proposal: Plan | None = None
        problem: str | None = None
        if order.unassigned_items() and order.status in (
            OrderStatus.AWAITING_SHIPMENT,
            OrderStatus.PARTIALLY_SHIPPED,
        ):
            try:
                proposal = plan(order, context)
            except SplitshipError as exc:
                problem = exc.message
        all_channels = uow.catalog.channels(shop_id)
        options = {
            p.id: channel_options(order, p, context)
            for p in order.live_packages
            if p.status in (PackageStatus.OPEN, PackageStatus.READY)
        }
        return OrderView(
            order=order,
            shop=shop,
            precheck=check,
            plan=proposal,
            plan_error=problem,
            warehouses={w.id: w for w in context.warehouses},
            channels={c.id: c for c in all_channels},
            boxes={b.id: b for b in context.boxes},
            options=options,
            audit=uow.audit.for_order(shop_id, order_id),
            inquiries=uow.inquiries.for_order(shop_id, order_id),
        )


def get_order(uow: UnitOfWork, shop_id: str, order_id: str) -> Order:
    with uow:
        return uow.orders.get(shop_id, order_id)


def channel_options(order: Order, pkg: Package, context: PlanningContext) -> list[ChannelOption]:
    """Every active channel for this package: the price with its cheapest fitting box, the
    delivery estimate if it ships now, or why it cannot carry the package."""
    items = order.items_with_attributes(pkg)
    address = pkg.address
    own_box = next((b for b in context.boxes if b.id == pkg.box_id), None)
    boxes = list(context.boxes)
    out = []
    for channel in context.channels:
        quote = cheapest_quote(items, boxes, [channel], address.country, address.region)
        zone = channel.zone_for(address.country, address.region)
        problems: tuple[str, ...] = ()
        if quote is None:
            probe = own_box or (boxes[0] if len(boxes) == 1 else None)
            found = [v.message for v in check_package(items, probe, channel, address.country)]
            if zone is None:
                found.append(f"{channel.name} has no rate for {address.country}")
            problems = tuple(found) or (f"no box and rate of {channel.name} fit this package",)
        earliest = latest = None
        transit = channel.transit.get(zone) if zone else None
        if transit is not None:
            est = estimate_delivery(
                context.now,
                transit.min_days,
                transit.max_days,
                channel.cutoff,
                context.shop_tz,
                context.calendar,
            )
            earliest, latest = est.earliest, est.latest
        out.append(
            ChannelOption(
                channel,
                quote.price if quote else None,
                quote.box if quote else own_box,
                zone,
                earliest,
                latest,
                problems,
            )
        )
    out.sort(key=lambda o: (not o.allowed, o.price if o.price is not None else 1 << 62))
    return out


# ---- batch: packages, packing and pick lists ---------------------------------------------


@dataclass(frozen=True)
class PackageRef:
    order: Order
    package: Package


def open_packages(uow: UnitOfWork, shop_id: str, limit: int = 500) -> list[PackageRef]:
    """Packages waiting to ship (open or ready) of orders that may ship, by ship-by deadline."""
    with uow:
        refs = uow.console.order_refs(
            shop_id,
            QueueFilter(),
            statuses=[OrderStatus.AWAITING_SHIPMENT.value, OrderStatus.PARTIALLY_SHIPPED.value],
            package_statuses=[PackageStatus.OPEN.value, PackageStatus.READY.value],
        )
        # Every order here holds at least one waiting package, so ``limit`` orders are enough.
        found = uow.console.orders(shop_id, [r.id for r in refs[:limit]])
    out = [
        PackageRef(order, p)
        for order in found
        for p in order.live_packages
        if p.status in (PackageStatus.OPEN, PackageStatus.READY)
    ]
    return out[:limit]


def _selected(uow: UnitOfWork, shop_id: str, package_ids: Sequence[str]) -> list[PackageRef]:
    """The packages, in the order given; NotFound names the first one that is not the shop's."""
    wanted = list(dict.fromkeys(package_ids))
    owners = uow.console.orders_of_packages(shop_id, wanted)
    missing = [pid for pid in wanted if pid not in owners]
    if missing:
        raise NotFound(f"package {missing[0]} not found", field="package_id")
    orders = {o.id: o for o in uow.console.orders(shop_id, list(dict.fromkeys(owners.values())))}
    return [PackageRef(orders[owners[pid]], orders[owners[pid]].package(pid)) for pid in wanted]


@dataclass(frozen=True)
class PackingRow:
    order: str
    package: int
    package_id: str
    status: str
    warehouse: str
    channel: str
    box: str
    sku: str
    name: str
    quantity: int
    ship_to: str
    city: str
    region: str
    postal_code: str
    country: str


def packing_list(uow: UnitOfWork, shop_id: str, package_ids: Sequence[str]) -> list[PackingRow]:
    """One row per SKU per package: what goes into which box, for whom."""
    with uow:
        chosen = _selected(uow, shop_id, package_ids)
        houses = {w.id: w.code for w in uow.catalog.warehouses(shop_id)}
        channels = {c.id: c.code for c in uow.catalog.channels(shop_id)}
        boxes = {b.id: b.name for b in uow.catalog.boxes(shop_id)}
    rows = []
    for ref in chosen:
        pkg, a = ref.package, ref.package.address
        for line_id, qty in pkg.items.items():
            line = ref.order.line(line_id)
            rows.append(
                PackingRow(
                    ref.order.external_id,
                    pkg.number,
                    pkg.id,
                    pkg.status.value,
                    houses.get(pkg.warehouse_id or "", ""),
                    channels.get(pkg.channel_id or "", ""),
                    boxes.get(pkg.box_id or "", ""),
                    line.sku,
                    line.name,
                    qty,
                    a.name,
                    a.city,
                    a.region or "",
                    a.postal_code or "",
                    a.country,
                )
            )
    return rows


@dataclass(frozen=True)
class PickRow:
    warehouse: str
    sku: str
    name: str
    quantity: int
    packages: str  # "TT-1#1 TT-2#2": where the units go


def pick_list(uow: UnitOfWork, shop_id: str, package_ids: Sequence[str]) -> list[PickRow]:
    """Units to pick per warehouse and SKU over the selected packages."""
    totals: dict[tuple[str, str], tuple[str, int, list[str]]] = {}
    for row in packing_list(uow, shop_id, package_ids):
        name, qty, where = totals.get((row.warehouse, row.sku), (row.name, 0, []))
        where.append(f"{row.order}#{row.package}")
        totals[(row.warehouse, row.sku)] = (name, qty + row.quantity, where)
    return [
        PickRow(wh, sku, name, qty, " ".join(where))
        for (wh, sku), (name, qty, where) in sorted(totals.items())
    ]


def rows_as_csv(rows: Sequence[Any], header: Sequence[str]) -> str:
    """Dataclass rows as CSV text (with a BOM, so spreadsheet programs read UTF-8 names)."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow(header)
    for row in rows:
        writer.writerow([getattr(row, h) for h in header])
    return buf.getvalue()


# ---- tracking-number upload --------------------------------------------------------------

TRACKING_COLUMNS = ("order_id", "package_number", "package_id", "carrier", "tracking_number")
MAX_TRACKING_ROWS = 5_000


@dataclass(frozen=True)
class TrackingRow:
    row: int
    order: str
    package_number: str
    package_id: str
    carrier: str
    tracking_number: str
    ship_time: str


@dataclass(frozen=True)
class TrackingRowResult:
    row: int
    order: str
    package: str
    tracking_number: str
    ok: bool
    message: str
    code: str | None = None
    order_id: str | None = None
    order_status: str | None = None
    warnings: tuple[str, ...] = ()
    cells: Mapping[str, str] = field(default_factory=dict)


def read_tracking_csv(text: str) -> tuple[list[TrackingRow], list[TrackingRowResult]]:
    """The rows of an upload, and a result for each row (or the header) that cannot be read.

    Columns (any order, any case): ``order_id``, ``package_number`` or ``package_id``,
    ``carrier``, ``tracking_number``, ``ship_time``. Row numbers count the header as row 1.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header: list[str] = []
    rows: list[TrackingRow] = []
    bad: list[TrackingRowResult] = []
    for number, cells in enumerate(reader, start=1):
        if not header:
            header = [c.strip().lower().replace(" ", "_") for c in cells]
            missing = [c for c in ("order_id", "tracking_number") if c not in header]
            if missing:
                return [], [
                    TrackingRowResult(
                        1,
                        "",
                        "",
                        "",
                        False,
                        f"missing column(s): {', '.join(missing)}; the header needs order_id, "
                        "package_number (or package_id), carrier, tracking_number, ship_time",
                        "invalid_input",
                    )
                ]
            continue
        if not any(c.strip() for c in cells):
            continue
        row = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
        if len(rows) + len(bad) >= MAX_TRACKING_ROWS:
            bad.append(
                TrackingRowResult(
                    number, "", "", "", False, f"more than {MAX_TRACKING_ROWS} rows: split the file"
                )
            )
            break
        rows.append(
            TrackingRow(
                number,
                row.get("order_id", ""),
                row.get("package_number", ""),
                row.get("package_id", ""),
                row.get("carrier", ""),
                row.get("tracking_number", ""),
                row.get("ship_time", ""),
            )
        )
    if not header:
        bad.append(
            TrackingRowResult(1, "", "", "", False, "the file is empty: it needs a header row")
        )
    return rows, bad


def upload_tracking_csv(
    uow_factory: Callable[[], UnitOfWork], shop_id: str, text: str
) -> list[TrackingRowResult]:
    """Ship the package of every row with its tracking number; one row's failure stops nothing.

    A row names its package by ``package_id`` or by order id and ``package_number`` (an order
    with a single package waiting needs neither). An open package with a channel is confirmed
    first; a package already shipped with the same number is reported as done, so uploading the
    same file twice is harmless.
    """
    rows, results = read_tracking_csv(text)
    with uow_factory() as uow:
        tz = uow.shops.get(shop_id).settings.timezone
    for row in rows:
        results.append(_upload_row(uow_factory, shop_id, tz, row))
    return sorted(results, key=lambda r: r.row)


def _upload_row(
    uow_factory: Callable[[], UnitOfWork], shop_id: str, tz: str, row: TrackingRow
) -> TrackingRowResult:
    cells = {
        "order_id": row.order,
        "package_number": row.package_number,
        "package_id": row.package_id,
        "carrier": row.carrier,
        "tracking_number": row.tracking_number,
        "ship_time": row.ship_time,
    }
    label = row.package_id or row.package_number

    def failed(message: str, code: str = "invalid_input") -> TrackingRowResult:
        return TrackingRowResult(
            row.row, row.order, label, row.tracking_number, False, message, code, cells=cells
        )

    try:
        if not row.tracking_number:
            return failed("tracking_number is empty: enter the number printed on the label")
        ship_time = _ship_time(row.ship_time, tz)
        with uow_factory() as uow:
            order, pkg = _resolve_package(uow, shop_id, row)
        label = str(pkg.number)
        number = row.tracking_number.replace(" ", "").upper()
        if pkg.is_shipped:
            if pkg.logistics and (pkg.logistics.tracking_number or "") == number:
                return TrackingRowResult(
                    row.row,
                    order.external_id,
                    label,
                    row.tracking_number,
                    True,
                    "already shipped with this tracking number",
                    "already_shipped",
                    order.id,
                    order.status.value,
                    cells=cells,
                )
            return failed(
                f"package {pkg.number} of order {order.external_id} has shipped already with "
                f"another tracking number; correct it on the order page",
                "invalid_transition",
            )
        if pkg.status is PackageStatus.OPEN:
            shipping.confirm_package(uow_factory(), shop_id, order.id, pkg.id)
        info = LogisticsInput(
            tracking_number=row.tracking_number,
            carrier_code=row.carrier.strip().lower() or None,
            ship_time=ship_time,
        )
        [result] = shipping.ship_packages(
            uow_factory, shop_id, [BatchShipItem(pkg.id, info, order.id)]
        )
        if not result.ok:
            return failed(result.error or "not shipped", result.code or "error")
        return TrackingRowResult(
            row.row,
            order.external_id,
            label,
            row.tracking_number,
            True,
            "shipped",
            None,
            order.id,
            result.order_status,
            result.warnings,
            cells=cells,
        )
    except SplitshipError as exc:
        return failed(exc.message, exc.code)


def _resolve_package(uow: UnitOfWork, shop_id: str, row: TrackingRow) -> tuple[Order, Package]:
    if row.package_id:
        order = uow.orders.find_by_package(shop_id, row.package_id)
        if row.order and row.order not in (order.external_id, order.id):
            raise InvalidInput(
                f"package {row.package_id} belongs to order {order.external_id}, not {row.order}",
                field="package_id",
            )
        return order, order.package(row.package_id)
    if not row.order:
        raise InvalidInput("order_id is empty: name the order (or give package_id)")
    ids = uow.console.order_ids_by_external_id(shop_id, row.order)
    if not ids:
        try:
            ids = [uow.orders.get(shop_id, row.order).id]
        except NotFound:
            raise NotFound(f"no order {row.order} in this shop", field="order_id") from None
    if len(ids) > 1:
        raise InvalidInput(
            f"order id {row.order} matches {len(ids)} orders from different marketplaces: "
            "use package_id instead",
            field="order_id",
        )
    order = uow.orders.get(shop_id, ids[0])
    live = order.live_packages
    if row.package_number:
        if not row.package_number.isdigit():
            raise InvalidInput(
                f"package_number {row.package_number!r} is not a whole number",
                field="package_number",
            )
        wanted = int(row.package_number)
        found = next((p for p in live if p.number == wanted), None)
        if found is None:
            numbers = ", ".join(str(p.number) for p in live) or "none yet: split or pack it first"
            raise NotFound(
                f"order {order.external_id} has no package {wanted} (its packages: {numbers})",
                field="package_number",
            )
        return order, found
    waiting = [p for p in live if not p.is_shipped]
    if len(waiting) == 1:
        return order, waiting[0]
    if not live:
        raise InvalidInput(
            f"order {order.external_id} has no package yet: split or pack it first",
            field="package_number",
        )
    raise InvalidInput(
        f"order {order.external_id} has {len(waiting)} packages waiting: give package_number",
        field="package_number",
    )


def _ship_time(raw: str, tz: str) -> datetime | None:
    """ISO 8601; without an offset the time is read in the shop's time zone (spreadsheets)."""
    value = raw.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("/", "-"))
    except ValueError:
        raise InvalidInput(
            f"ship_time {value!r} is not a time: use 2026-11-26 10:00 (shop time) or ISO 8601",
            field="ship_time",
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    return parsed


def results_error_csv(results: Sequence[TrackingRowResult]) -> str:
    """The rows that failed, as uploaded, with the reason in an ``error`` column: fix, re-upload."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow(["row", *TRACKING_COLUMNS, "ship_time", "error"])
    for r in results:
        if not r.ok:
            c = r.cells
            writer.writerow(
                [
                    r.row,
                    *(c.get(k, "") for k in TRACKING_COLUMNS),
                    c.get("ship_time", ""),
                    r.message,
                ]
            )
    return buf.getvalue()


# ---- rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RulesDocument:
    text: str
    is_default: bool
    rules: RuleSet


def rules_document(uow: UnitOfWork, shop_id: str) -> RulesDocument:
    """The shop's rule set as YAML text (the default set until the shop saves its own)."""
    with uow:
        shop = uow.shops.get(shop_id)
        body = uow.shops.get_document(shop_id, RULES_DOCUMENT)
        rules = shop_rules(uow, shop)
    if isinstance(body, Mapping):
        doc: Mapping[str, Any] = body
        is_default = False
    else:
        doc = rule_set_to_dict(default_rule_set())
        is_default = True
    text = yaml.safe_dump(dict(doc), allow_unicode=True, sort_keys=False)
    return RulesDocument(text, is_default, rules)


def parse_rules(text: str) -> RuleSet:
    """The rule set of a YAML (or JSON) document; RuleSetError lists every problem."""
    return load_rule_set(text, "yaml")


def try_rules(uow: UnitOfWork, shop_id: str, text: str, order_ref: str) -> tuple[Order, Plan]:
    """The plan that this (unsaved) rule set would make for an order, by id or marketplace id."""
    rules = parse_rules(text)
    with uow:
        shop = uow.shops.get(shop_id)
        ids = uow.console.order_ids_by_external_id(shop_id, order_ref.strip())
        order = uow.orders.get(shop_id, ids[0] if ids else order_ref.strip())
        base = planning_context(uow, shop)
    context = PlanningContext(
        warehouses=base.warehouses,
        channels=base.channels,
        boxes=base.boxes,
        rules=rules,
        allow_unit_split=base.allow_unit_split,
        now=base.now,
        shop_tz=base.shop_tz,
        calendar=base.calendar,
        stock_check=base.stock_check,
    )
    if not order.unassigned_items():
        raise InvalidInput(
            f"order {order.external_id} has no unassigned units left to plan; try an order "
            "awaiting shipment",
            field="order",
        )
    return order, plan(order, context)


def rule_errors(exc: RuleSetError | RuleSetInvalid) -> list[dict[str, Any]]:
    """Every problem of a refused rule set, as ``{rule_id, field, message}``."""
    return [e.as_dict() for e in exc.errors]


# ---- catalogue pages ---------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogOverview:
    warehouses: list[Warehouse]
    channels: list[Channel]
    boxes: list[Box]
    sku_names: dict[str, str]


def catalog_overview(uow: UnitOfWork, shop_id: str) -> CatalogOverview:
    with uow:
        return CatalogOverview(
            uow.catalog.warehouses(shop_id),
            uow.catalog.channels(shop_id),
            uow.catalog.boxes(shop_id),
            {s.code: s.name for s in uow.catalog.skus(shop_id)},
        )
