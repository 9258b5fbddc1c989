"""The order aggregate: lines, packages, holds and cancellations, guarded as one unit.

Every mutation checks its preconditions first, changes state, records an audit record (and the
events that notifications need), then re-checks unit conservation (invariant 1). Ids and time
come in as arguments so that the domain stays pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from splitship.domain import events as ev
from splitship.domain.catalog import Box, Channel, ChannelKind, SkuAttributes
from splitship.domain.errors import (
    CorrectionWindowClosed,
    InvalidInput,
    InvalidTransition,
    LimitExceeded,
    NotFound,
    OnHold,
    QuantityMismatch,
    RuleViolation,
    ShippedPackageImmutable,
    UnitSplitNotAllowed,
)
from splitship.domain.limits import check_package, tag_conflicts
from splitship.domain.package import (
    Address,
    Hold,
    HoldReason,
    LogisticsInfo,
    OrderLine,
    Package,
    TrackingEvent,
    hold_dict,
    hold_names,
    logistics_dict,
)
from splitship.domain.status import (
    CARRIER_TRANSITIONS,
    OrderStatus,
    PackageStatus,
    derive_order_status,
)


@dataclass
class Order:
    id: str
    shop_id: str
    source: str
    external_id: str
    address: Address
    lines: list[OrderLine]
    created_at: datetime
    currency: str = "USD"
    buyer_name: str = ""
    buyer_email: str | None = None
    buyer_locale: str = "en"
    paid_at: datetime | None = None
    ship_by: datetime | None = None
    deliver_by: date | None = None
    tracking_token: str = ""
    packages: list[Package] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    cancelled_qty: dict[str, int] = field(default_factory=dict)
    cancelled: bool = False
    version: int = 0
    events: list[ev.DomainEvent] = field(default_factory=list, repr=False)
    audit: list[ev.AuditRecord] = field(default_factory=list, repr=False)

    # ---- queries -------------------------------------------------------------------------

    def line(self, line_id: str) -> OrderLine:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise NotFound(f"order {self.external_id} has no line {line_id}", field="line_id")

    def package(self, package_id: str) -> Package:
        for pkg in self.packages:
            if pkg.id == package_id:
                return pkg
        raise NotFound(f"order {self.external_id} has no package {package_id}", field="package_id")

    @property
    def live_packages(self) -> list[Package]:
        return [p for p in self.packages if not p.is_cancelled]

    def line_address(self, line_id: str) -> Address:
        return self.line(line_id).address or self.address

    def units_to_ship(self, line_id: str) -> int:
        return self.line(line_id).quantity - self.cancelled_qty.get(line_id, 0)

    def assigned(self, line_id: str) -> int:
        return sum(p.items.get(line_id, 0) for p in self.live_packages)

    def unassigned(self, line_id: str) -> int:
        return self.units_to_ship(line_id) - self.assigned(line_id)

    def unassigned_items(self) -> dict[str, int]:
        """Per line id, the units not yet in a live package (lines with none left out):
        ``unassigned`` of every line in one pass, the live packages listed once."""
        quantity: dict[str, int] = {}
        for ln in self.lines:
            quantity.setdefault(ln.id, ln.quantity)  # a repeated id reads as its first line
        live = [p.items for p in self.live_packages]
        cancelled = self.cancelled_qty
        out: dict[str, int] = {}
        for lid, q in quantity.items():
            n = q - cancelled.get(lid, 0)
            for items in live:
                n -= items.get(lid, 0)
            if n > 0:
                out[lid] = n
        return out

    def active_holds(self, package_id: str | None = None) -> list[Hold]:
        """Holds that block the order (package_id None) or the given package (order holds too)."""
        return [
            h
            for h in self.holds
            if h.active and (h.package_id is None or h.package_id == package_id)
        ]

    @property
    def status(self) -> OrderStatus:
        shipped = [p for p in self.live_packages if p.is_shipped]
        return derive_order_status(
            cancelled=self.cancelled,
            on_hold=bool(self.active_holds()),
            units_to_ship=sum(self.units_to_ship(ln.id) for ln in self.lines),
            units_shipped=sum(p.units for p in shipped),
            shipped_packages=len(shipped),
            delivered_packages=sum(1 for p in shipped if p.status is PackageStatus.DELIVERED),
        )

    def items_with_attributes(self, pkg: Package) -> list[tuple[SkuAttributes, int]]:
        return [(self.line(lid).attributes, qty) for lid, qty in pkg.items.items()]

    def record_import(self) -> None:
        self._record(
            "order.imported",
            "order",
            self.id,
            None,
            {"external_id": self.external_id, "lines": {ln.id: ln.quantity for ln in self.lines}},
        )
        self._emit(ev.ORDER_IMPORTED, None, external_id=self.external_id)

    # ---- splitting -----------------------------------------------------------------------

    def create_package(
        self,
        package_id: str,
        items: Mapping[str, int],
        now: datetime,
        *,
        allow_unit_split: bool = True,
        warehouse_id: str | None = None,
        channel_id: str | None = None,
        box_id: str | None = None,
        reasons: Sequence[str] = (),
        segregation: Sequence[frozenset[str]] = (),
    ) -> Package:
        self._require_splittable()
        if not items or all(q == 0 for q in items.values()):
            raise InvalidInput("a package needs at least one unit", field="items")
        for line_id, qty in items.items():
            self.line(line_id)
            if qty <= 0:
                raise InvalidInput(
                    f"quantity for line {line_id} must be a positive whole number, got {qty}",
                    field="items",
                )
            free = self.unassigned(line_id)
            if qty > free:
                raise QuantityMismatch(
                    f"line {line_id} has {free} unassigned unit(s); cannot put {qty} in a package",
                    field="items",
                    details={"line_id": line_id, "unassigned": free, "requested": qty},
                )
            if not allow_unit_split and qty != self.units_to_ship(line_id):
                raise UnitSplitNotAllowed(
                    f"this shop ships whole lines only: line {line_id} has "
                    f"{self.units_to_ship(line_id)} unit(s), all must go in one package",
                    field="items",
                )
        address = self._common_address(list(items))
        self._check_tags(items, segregation)
        pkg = Package(
            id=package_id,
            number=len(self.packages) + 1,
            items={lid: q for lid, q in items.items() if q > 0},
            address=address,
            created_at=now,
            warehouse_id=warehouse_id,
            channel_id=channel_id,
            box_id=box_id,
            reasons=list(reasons),
        )
        self.packages.append(pkg)
        self._record("package.created", "package", pkg.id, None, pkg.snapshot())
        return pkg

    def move_units(
        self,
        source_id: str,
        target_id: str,
        line_id: str,
        quantity: int,
        *,
        allow_unit_split: bool = True,
        segregation: Sequence[frozenset[str]] = (),
    ) -> None:
        source, target = self._editable(source_id), self._editable(target_id)
        if source is target:
            raise InvalidInput("source and target package are the same", field="target_id")
        have = source.items.get(line_id, 0)
        if quantity <= 0 or quantity > have:
            raise QuantityMismatch(
                f"package {source.number} holds {have} unit(s) of line {line_id}; "
                f"cannot move {quantity}",
                field="quantity",
            )
        if not allow_unit_split and quantity != have:
            raise UnitSplitNotAllowed(
                f"this shop ships whole lines only: move all {have} unit(s) of line {line_id}",
                field="quantity",
            )
        if self.line_address(line_id) != target.address:
            raise RuleViolation(
                f"line {line_id} ships to another address than package {target.number}",
                field="target_id",
            )
        self._check_tags({**target.items, line_id: quantity}, segregation)
        before = (source.snapshot(), target.snapshot())
        source.items[line_id] = have - quantity
        if source.items[line_id] == 0:
            del source.items[line_id]
        target.items[line_id] = target.items.get(line_id, 0) + quantity
        if not source.items:
            source.status = PackageStatus.CANCELLED
        self._record("package.units_moved", "package", source.id, before[0], source.snapshot())
        self._record("package.units_moved", "package", target.id, before[1], target.snapshot())

    def move_units_to_new(
        self,
        source_id: str,
        new_package_id: str,
        line_id: str,
        quantity: int,
        now: datetime,
        *,
        allow_unit_split: bool = True,
    ) -> Package:
        """Move units out of an open package into a new one from the same warehouse."""
        source = self._editable(source_id)
        have = source.items.get(line_id, 0)
        if quantity <= 0 or quantity > have:
            raise QuantityMismatch(
                f"package {source.number} holds {have} unit(s) of line {line_id}; "
                f"cannot move {quantity}",
                field="quantity",
            )
        if not allow_unit_split and quantity != have:
            raise UnitSplitNotAllowed(
                f"this shop ships whole lines only: move all {have} unit(s) of line {line_id}",
                field="quantity",
            )
        before = source.snapshot()
        source.items[line_id] = have - quantity
        if source.items[line_id] == 0:
            del source.items[line_id]
        if not source.items:
            source.status = PackageStatus.CANCELLED
        self._record("package.units_moved", "package", source.id, before, source.snapshot())
        return self.create_package(
            new_package_id,
            {line_id: quantity},
            now,
            warehouse_id=source.warehouse_id,
            channel_id=source.channel_id,
        )

    def merge_packages(
        self, target_id: str, source_id: str, *, segregation: Sequence[frozenset[str]] = ()
    ) -> None:
        target, source = self._editable(target_id), self._editable(source_id)
        if source is target:
            raise InvalidInput("cannot merge a package with itself", field="source_id")
        if source.address != target.address:
            raise RuleViolation(
                f"packages {target.number} and {source.number} go to different addresses",
                field="source_id",
            )
        self._check_tags({**target.items, **source.items}, segregation)
        before = (target.snapshot(), source.snapshot())
        for line_id, qty in source.items.items():
            target.items[line_id] = target.items.get(line_id, 0) + qty
        source.items = {}
        source.status = PackageStatus.CANCELLED
        self._record("package.merged", "package", target.id, before[0], target.snapshot())
        self._record("package.merged_away", "package", source.id, before[1], source.snapshot())

    def cancel_package(self, package_id: str) -> Package:
        """Cancel an open or ready package; its units go back to the unassigned pool."""
        pkg = self.package(package_id)
        if pkg.is_shipped:
            raise ShippedPackageImmutable(
                f"package {pkg.number} has shipped and cannot be cancelled", field="package_id"
            )
        if pkg.is_cancelled:
            raise InvalidTransition(f"package {pkg.number} is already cancelled")
        before = pkg.snapshot()
        pkg.status = PackageStatus.CANCELLED
        self._record("package.cancelled", "package", pkg.id, before, pkg.snapshot())
        return pkg

    def undo_split(self) -> list[Package]:
        """Cancel every open package, returning its units to the pool."""
        cancelled = [self.cancel_package(p.id) for p in self.live_packages if p.status == "open"]
        return cancelled

    def assign(
        self,
        package_id: str,
        *,
        warehouse_id: str | None = None,
        channel: Channel | None = None,
        box: Box | None = None,
        segregation: Sequence[frozenset[str]] = (),
    ) -> None:
        """Choose the warehouse (open only), channel or box of a package that has not shipped.

        A ready package is re-checked against the new channel and box and stays ready only if
        it still fits.
        """
        pkg = self._not_shipped(package_id)
        before = pkg.snapshot()
        if warehouse_id is not None and warehouse_id != pkg.warehouse_id:
            if pkg.status is not PackageStatus.OPEN:
                raise InvalidTransition(
                    f"package {pkg.number} is confirmed: cancel it to change its warehouse",
                    field="warehouse_id",
                )
            pkg.warehouse_id = warehouse_id
        if pkg.status is PackageStatus.READY and (channel is not None or box is not None):
            self._check_limits(pkg, channel, box, segregation)
        if channel is not None:
            pkg.channel_id = channel.id
        if box is not None:
            pkg.box_id = box.id
        self._record("package.assigned", "package", pkg.id, before, pkg.snapshot())

    # ---- confirm and ship ----------------------------------------------------------------

    def confirm_package(
        self,
        package_id: str,
        channel: Channel,
        box: Box | None,
        *,
        segregation: Sequence[frozenset[str]] = (),
    ) -> Package:
        pkg = self.package(package_id)
        if pkg.status is not PackageStatus.OPEN:
            raise InvalidTransition(
                f"package {pkg.number} is {pkg.status.value}; only open packages can be confirmed"
            )
        self._require_no_hold(pkg, "confirmed")
        if pkg.warehouse_id is None:
            raise InvalidInput(
                f"package {pkg.number} has no warehouse: choose where it ships from",
                field="warehouse_id",
            )
        self._check_limits(pkg, channel, box, segregation)
        before = pkg.snapshot()
        pkg.channel_id, pkg.box_id = channel.id, box.id if box else None
        pkg.status = PackageStatus.READY
        self._record("package.confirmed", "package", pkg.id, before, pkg.snapshot())
        return pkg

    def record_logistics(self, package_id: str, info: LogisticsInfo) -> None:
        pkg = self.package(package_id)
        if pkg.status not in (PackageStatus.OPEN, PackageStatus.READY):
            raise InvalidTransition(
                f"package {pkg.number} is {pkg.status.value}: use a logistics correction instead",
                field="package_id",
            )
        before = logistics_dict(pkg.logistics)
        pkg.logistics = info
        self._record("package.logistics_recorded", "package", pkg.id, before, logistics_dict(info))

    def ship_package(self, package_id: str, channel: Channel, now: datetime) -> Package:
        pkg = self.package(package_id)
        if pkg.status is not PackageStatus.READY:
            raise InvalidTransition(
                f"package {pkg.number} is {pkg.status.value}: confirm it before shipping",
                field="package_id",
            )
        self._require_no_hold(pkg, "shipped")
        info = pkg.logistics
        needs_tracking = channel.requires_tracking or channel.kind is not ChannelKind.SELF_DELIVERY
        if info is None or (needs_tracking and not info.tracking_number):
            raise InvalidInput(
                f"package {pkg.number} has no tracking number: record logistics info first",
                field="tracking_number",
            )
        status_before = self.status
        before = pkg.snapshot()
        pkg.status = PackageStatus.SHIPPED
        pkg.shipped_at = info.ship_time or now
        if info.ship_time is None:
            pkg.logistics = replace(info, ship_time=now)
        self._record("package.shipped", "package", pkg.id, before, pkg.snapshot())
        self._emit(ev.PACKAGE_SHIPPED, pkg.id, number=pkg.number, count=len(self.live_packages))
        self._emit_status_change(status_before)
        return pkg

    def correct_logistics(
        self,
        package_id: str,
        info: LogisticsInfo,
        now: datetime,
        *,
        window: timedelta = timedelta(hours=72),
        max_corrections: int = 1,
    ) -> None:
        pkg = self.package(package_id)
        if not pkg.is_shipped or pkg.shipped_at is None:
            raise InvalidTransition(
                f"package {pkg.number} has not shipped: edit its logistics info directly"
            )
        if pkg.corrections >= max_corrections:
            raise CorrectionWindowClosed(
                f"package {pkg.number}'s logistics info was already corrected "
                f"{pkg.corrections} time(s); the limit is {max_corrections}"
            )
        if now - pkg.shipped_at > window:
            raise CorrectionWindowClosed(
                f"package {pkg.number} shipped more than {window.total_seconds() / 3600:g} hours "
                "ago; its logistics info can no longer be corrected"
            )
        before = logistics_dict(pkg.logistics)
        pkg.logistics = replace(info, ship_time=pkg.shipped_at)
        pkg.corrections += 1
        self._record("package.logistics_corrected", "package", pkg.id, before, logistics_dict(info))
        self._emit(ev.LOGISTICS_CORRECTED, pkg.id, number=pkg.number)

    def record_tracking_event(self, package_id: str, event: TrackingEvent) -> bool:
        """Apply a carrier event; returns False when it changes nothing (a duplicate)."""
        pkg = self.package(package_id)
        if not pkg.is_shipped:
            raise InvalidTransition(
                f"package {pkg.number} has not shipped; carrier events apply to shipped packages"
            )
        if any(e.id == event.id for e in pkg.tracking_events):
            return False
        status_before = self.status
        pkg.tracking_events.append(event)
        pkg.tracking_events.sort(key=lambda e: e.occurred_at)
        before = pkg.snapshot()
        moved = event.status is not None and event.status in CARRIER_TRANSITIONS[pkg.status]
        if moved and event.status is not None:
            # A late event for an earlier milestone joins the timeline without moving back.
            latest = max(e.occurred_at for e in pkg.tracking_events if e.status is not None)
            if event.occurred_at >= latest or event.status is PackageStatus.DELIVERED:
                pkg.status = event.status
        self._record("package.tracking_event", "package", pkg.id, before, pkg.snapshot())
        if pkg.status is not PackageStatus(before["status"]):
            name = {
                PackageStatus.DELIVERED: ev.PACKAGE_DELIVERED,
                PackageStatus.EXCEPTION: ev.PACKAGE_EXCEPTION,
                PackageStatus.RETURNED: ev.PACKAGE_RETURNED,
            }.get(pkg.status)
            if name:
                self._emit(name, pkg.id, number=pkg.number, reason=event.reason)
        self._emit_status_change(status_before)
        return True

    def set_buyer_note(self, package_id: str, note: str | None) -> bool:
        """What the buyer reads while the package is prepared; False when nothing changed."""
        pkg = self.package(package_id)
        if pkg.is_cancelled:
            raise InvalidInput(f"package {pkg.number} is cancelled", field="package_id")
        if pkg.buyer_note == note:
            return False
        before = pkg.buyer_note
        pkg.buyer_note = note
        self._record(
            "package.buyer_note_set",
            "package",
            pkg.id,
            {"buyer_note": before},
            {"buyer_note": note},
        )
        return True

    # ---- holds and cancellation ----------------------------------------------------------

    def place_hold(self, hold: Hold) -> None:
        if hold.package_id is not None:
            self.package(hold.package_id)
        status_before = self.status
        self.holds.append(hold)
        self._record("hold.placed", "hold", hold.id, None, hold_dict(hold))
        self._emit_status_change(status_before)

    def release_hold(self, hold_id: str, now: datetime) -> None:
        for hold in self.holds:
            if hold.id == hold_id:
                if not hold.active:
                    raise InvalidTransition(f"hold {hold_id} is already released")
                hold.released_at = now
                self._record("hold.released", "hold", hold.id, None, hold_dict(hold))
                return
        raise NotFound(f"order {self.external_id} has no hold {hold_id}", field="hold_id")

    def cancel_units(self, line_id: str, quantity: int) -> list[Package]:
        """Cancel units of a line: from the pool first, then from packages not yet shipped.

        Returns the packages that were emptied (and so cancelled) on the way.
        """
        line = self.line(line_id)
        shipped = sum(p.items.get(line_id, 0) for p in self.live_packages if p.is_shipped)
        cancellable = self.units_to_ship(line_id) - shipped
        if quantity <= 0 or quantity > cancellable:
            raise QuantityMismatch(
                f"line {line.id} ({line.sku}) has {cancellable} unit(s) that can still be "
                f"cancelled; cannot cancel {quantity}",
                field="quantity",
            )
        status_before = self.status
        remaining = quantity - min(quantity, self.unassigned(line_id))
        emptied: list[Package] = []
        for pkg in reversed(self.live_packages):
            if remaining == 0:
                break
            take = min(remaining, 0 if pkg.is_shipped else pkg.items.get(line_id, 0))
            if take:
                before = pkg.snapshot()
                pkg.items[line_id] -= take
                if pkg.items[line_id] == 0:
                    del pkg.items[line_id]
                if not pkg.items:
                    pkg.status = PackageStatus.CANCELLED
                    emptied.append(pkg)
                remaining -= take
                self._record("package.units_cancelled", "package", pkg.id, before, pkg.snapshot())
        self.cancelled_qty[line_id] = self.cancelled_qty.get(line_id, 0) + quantity
        self._record("line.units_cancelled", "line", line_id, None, {"quantity": quantity})
        self._emit_status_change(status_before)
        return emptied

    def cancel(self) -> list[Package]:
        if any(p.is_shipped for p in self.live_packages):
            raise InvalidTransition(
                "part of this order has shipped: cancel the remaining units instead"
            )
        if self.cancelled:
            raise InvalidTransition("the order is already cancelled")
        cancelled = [self.cancel_package(p.id) for p in self.live_packages]
        self.cancelled = True
        self._record("order.cancelled", "order", self.id, None, {"cancelled": True})
        self._emit(ev.ORDER_CANCELLED, None)
        return cancelled

    # ---- invariants ----------------------------------------------------------------------

    def check_invariants(self) -> None:
        """Invariant 1: per line, packed + unassigned = ordered − cancelled, and no negatives."""
        for ln in self.lines:
            cancelled = self.cancelled_qty.get(ln.id, 0)
            if not 0 <= cancelled <= ln.quantity:
                raise QuantityMismatch(f"line {ln.id}: cancelled {cancelled} of {ln.quantity}")
            if self.unassigned(ln.id) < 0:
                raise QuantityMismatch(
                    f"line {ln.id}: {self.assigned(ln.id)} unit(s) in packages but only "
                    f"{self.units_to_ship(ln.id)} to ship"
                )
        for pkg in self.packages:
            if any(q <= 0 for q in pkg.items.values()):
                raise QuantityMismatch(f"package {pkg.number} holds a non-positive quantity")

    # ---- helpers -------------------------------------------------------------------------

    def _require_splittable(self) -> None:
        if self.cancelled:
            raise InvalidTransition("the order is cancelled")
        holds = self.active_holds()
        if holds:
            raise OnHold(
                f"the order is on hold ({hold_names(holds)}): release the hold first",
                details={"holds": [h.id for h in holds]},
            )

    def _require_no_hold(self, pkg: Package, verb: str) -> None:
        holds = self.active_holds(pkg.id)
        if holds:
            raise OnHold(
                f"package {pkg.number} cannot be {verb}: on hold ({hold_names(holds)}); "
                "release the hold first",
                details={"holds": [h.id for h in holds]},
            )

    def _editable(self, package_id: str) -> Package:
        pkg = self.package(package_id)
        if pkg.is_shipped:
            raise ShippedPackageImmutable(
                f"package {pkg.number} has shipped; its items never change", field="package_id"
            )
        if pkg.status is not PackageStatus.OPEN:
            raise InvalidTransition(
                f"package {pkg.number} is {pkg.status.value}; only open packages can be edited",
                field="package_id",
            )
        self._require_splittable()
        return pkg

    def _not_shipped(self, package_id: str) -> Package:
        pkg = self.package(package_id)
        if pkg.is_shipped:
            raise ShippedPackageImmutable(
                f"package {pkg.number} has shipped; it can no longer change", field="package_id"
            )
        if pkg.is_cancelled:
            raise InvalidTransition(f"package {pkg.number} is cancelled", field="package_id")
        return pkg

    def _check_limits(
        self,
        pkg: Package,
        channel: Channel | None,
        box: Box | None,
        segregation: Sequence[frozenset[str]],
    ) -> None:
        violations = check_package(
            self.items_with_attributes(pkg), box, channel, pkg.address.country, segregation
        )
        if violations:
            raise LimitExceeded(
                f"package {pkg.number} breaks {len(violations)} limit(s): "
                + "; ".join(v.message for v in violations),
                [v.as_dict() for v in violations],
            )

    def _check_tags(self, items: Mapping[str, int], segregation: Sequence[frozenset[str]]) -> None:
        tags = frozenset().union(*(self.line(lid).attributes.tags for lid in items))
        for group in tag_conflicts(tags, segregation):
            mixed = ", ".join(sorted(group & tags))
            raise LimitExceeded(
                f"items tagged {mixed} must not share a package: keep them in separate packages",
                [
                    {
                        "limit": "tag_conflict",
                        "message": f"{mixed} must not share a package",
                        "actual": mixed,
                        "allowed": None,
                    }
                ],
            )

    def _common_address(self, line_ids: Sequence[str]) -> Address:
        addresses = {self.line_address(lid) for lid in line_ids}
        if len(addresses) > 1:
            raise RuleViolation(
                "these lines ship to different addresses and cannot share a package",
                field="items",
            )
        return addresses.pop()

    def _record(
        self,
        action: str,
        subject_type: str,
        subject_id: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
    ) -> None:
        self.check_invariants()
        self.audit.append(ev.AuditRecord(action, subject_type, subject_id, before, after))

    def _emit(self, name: str, package_id: str | None, **data: Any) -> None:
        self.events.append(ev.DomainEvent(name, self.id, package_id, data))

    def _emit_status_change(self, before: OrderStatus) -> None:
        after = self.status
        if after is before:
            return
        self._record(
            "order.status_changed",
            "order",
            self.id,
            {"status": before.value},
            {"status": after.value},
        )
        name = {
            OrderStatus.PARTIALLY_SHIPPED: ev.ORDER_PARTIALLY_SHIPPED,
            OrderStatus.SHIPPED: ev.ORDER_SHIPPED,
            OrderStatus.DELIVERED: ev.ORDER_DELIVERED,
        }.get(after)
        if name:
            self._emit(name, None, status=after.value)


__all__ = [
    "Address",
    "Hold",
    "HoldReason",
    "LogisticsInfo",
    "Order",
    "OrderLine",
    "Package",
    "TrackingEvent",
]
