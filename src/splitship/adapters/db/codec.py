"""Domain objects to JSON documents and back. The document shape is versioned by ``v``."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from splitship.domain.catalog import (
    Box,
    Channel,
    ChannelKind,
    ChannelLimits,
    Dimensions,
    SkuAttributes,
    TransitDays,
    ZoneRate,
)
from splitship.domain.order import (
    Address,
    Hold,
    HoldReason,
    LogisticsInfo,
    Order,
    OrderLine,
    Package,
    TrackingEvent,
)
from splitship.domain.shop import ShopSettings
from splitship.domain.status import PackageStatus

DOC_VERSION = 1


def _dt(v: datetime | None) -> str | None:
    return v.isoformat() if v is not None else None


def _pdt(v: str | None) -> datetime | None:
    return datetime.fromisoformat(v) if v else None


def _d(v: date | None) -> str | None:
    return v.isoformat() if v is not None else None


def _pd(v: str | None) -> date | None:
    return date.fromisoformat(v) if v else None


def dims_to_dict(d: Dimensions | None) -> list[int] | None:
    return None if d is None else [d.length_mm, d.width_mm, d.height_mm]


def dims_from(v: Any) -> Dimensions | None:
    return None if not v else Dimensions(int(v[0]), int(v[1]), int(v[2]))


def attributes_to_dict(a: SkuAttributes) -> dict[str, Any]:
    return {
        "weight_g": a.weight_g,
        "dimensions_mm": dims_to_dict(a.dimensions),
        "tags": sorted(a.tags),
        "category": a.category,
        "declared_value": a.declared_value,
        "available_from": _d(a.available_from),
    }


def attributes_from(d: dict[str, Any]) -> SkuAttributes:
    return SkuAttributes(
        weight_g=int(d["weight_g"]),
        dimensions=dims_from(d.get("dimensions_mm")),
        tags=frozenset(d.get("tags") or ()),
        category=d.get("category"),
        declared_value=int(d.get("declared_value") or 0),
        available_from=_pd(d.get("available_from")),
    )


def address_to_dict(a: Address) -> dict[str, Any]:
    return {k: getattr(a, k) for k in Address.__dataclass_fields__}


def address_from(d: dict[str, Any]) -> Address:
    return Address(**{k: d.get(k) for k in Address.__dataclass_fields__})  # type: ignore[arg-type]


def _logistics_to(i: LogisticsInfo | None) -> dict[str, Any] | None:
    if i is None:
        return None
    return {
        "carrier_code": i.carrier_code,
        "tracking_number": i.tracking_number,
        "tracking_url": i.tracking_url,
        "ship_time": _dt(i.ship_time),
        "eta_earliest": _d(i.eta_earliest),
        "eta_latest": _d(i.eta_latest),
    }


def _logistics_from(d: dict[str, Any] | None) -> LogisticsInfo | None:
    if d is None:
        return None
    return LogisticsInfo(
        carrier_code=d.get("carrier_code"),
        tracking_number=d.get("tracking_number"),
        tracking_url=d.get("tracking_url"),
        ship_time=_pdt(d.get("ship_time")),
        eta_earliest=_pd(d.get("eta_earliest")),
        eta_latest=_pd(d.get("eta_latest")),
    )


def _event_to(e: TrackingEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "status": e.status.value if e.status else None,
        "kind": e.kind,
        "occurred_at": _dt(e.occurred_at),
        "description": e.description,
        "location": e.location,
        "reason": e.reason,
    }


def _event_from(d: dict[str, Any]) -> TrackingEvent:
    occurred = _pdt(d["occurred_at"])
    assert occurred is not None
    return TrackingEvent(
        id=d["id"],
        status=PackageStatus(d["status"]) if d.get("status") else None,
        kind=d["kind"],
        occurred_at=occurred,
        description=d.get("description", ""),
        location=d.get("location", ""),
        reason=d.get("reason"),
    )


def order_to_dict(o: Order) -> dict[str, Any]:
    return {
        "v": DOC_VERSION,
        "id": o.id,
        "shop_id": o.shop_id,
        "source": o.source,
        "external_id": o.external_id,
        "address": address_to_dict(o.address),
        "currency": o.currency,
        "buyer_name": o.buyer_name,
        "buyer_email": o.buyer_email,
        "buyer_locale": o.buyer_locale,
        "created_at": _dt(o.created_at),
        "paid_at": _dt(o.paid_at),
        "ship_by": _dt(o.ship_by),
        "deliver_by": _d(o.deliver_by),
        "tracking_token": o.tracking_token,
        "cancelled": o.cancelled,
        "cancelled_qty": dict(o.cancelled_qty),
        "lines": [
            {
                "id": ln.id,
                "sku": ln.sku,
                "name": ln.name,
                "quantity": ln.quantity,
                "unit_price": ln.unit_price,
                "attributes": attributes_to_dict(ln.attributes),
                "address": address_to_dict(ln.address) if ln.address else None,
            }
            for ln in o.lines
        ],
        "packages": [
            {
                "id": p.id,
                "number": p.number,
                "status": p.status.value,
                "items": dict(p.items),
                "address": address_to_dict(p.address),
                "created_at": _dt(p.created_at),
                "warehouse_id": p.warehouse_id,
                "channel_id": p.channel_id,
                "box_id": p.box_id,
                "logistics": _logistics_to(p.logistics),
                "shipped_at": _dt(p.shipped_at),
                "corrections": p.corrections,
                "tracking_events": [_event_to(e) for e in p.tracking_events],
                "buyer_note": p.buyer_note,
                "reasons": list(p.reasons),
            }
            for p in o.packages
        ],
        "holds": [
            {
                "id": h.id,
                "reason": h.reason.value,
                "note": h.note,
                "placed_at": _dt(h.placed_at),
                "package_id": h.package_id,
                "released_at": _dt(h.released_at),
            }
            for h in o.holds
        ],
    }


def order_from_dict(d: dict[str, Any], version: int) -> Order:
    created = _pdt(d["created_at"])
    assert created is not None
    packages = []
    for p in d["packages"]:
        pc = _pdt(p["created_at"])
        assert pc is not None
        packages.append(
            Package(
                id=p["id"],
                number=p["number"],
                status=PackageStatus(p["status"]),
                items={k: int(v) for k, v in p["items"].items()},
                address=address_from(p["address"]),
                created_at=pc,
                warehouse_id=p.get("warehouse_id"),
                channel_id=p.get("channel_id"),
                box_id=p.get("box_id"),
                logistics=_logistics_from(p.get("logistics")),
                shipped_at=_pdt(p.get("shipped_at")),
                corrections=int(p.get("corrections", 0)),
                tracking_events=[_event_from(e) for e in p.get("tracking_events", [])],
                buyer_note=p.get("buyer_note"),
                reasons=list(p.get("reasons", [])),
            )
        )
    holds = []
    for h in d["holds"]:
        placed = _pdt(h["placed_at"])
        assert placed is not None
        holds.append(
            Hold(
                id=h["id"],
                reason=HoldReason(h["reason"]),
                note=h.get("note", ""),
                placed_at=placed,
                package_id=h.get("package_id"),
                released_at=_pdt(h.get("released_at")),
            )
        )
    return Order(
        id=d["id"],
        shop_id=d["shop_id"],
        source=d["source"],
        external_id=d["external_id"],
        address=address_from(d["address"]),
        lines=[
            OrderLine(
                id=ln["id"],
                sku=ln["sku"],
                name=ln["name"],
                quantity=int(ln["quantity"]),
                unit_price=int(ln["unit_price"]),
                attributes=attributes_from(ln["attributes"]),
                address=address_from(ln["address"]) if ln.get("address") else None,
            )
            for ln in d["lines"]
        ],
        created_at=created,
        currency=d.get("currency", "USD"),
        buyer_name=d.get("buyer_name", ""),
        buyer_email=d.get("buyer_email"),
        buyer_locale=d.get("buyer_locale", "en"),
        paid_at=_pdt(d.get("paid_at")),
        ship_by=_pdt(d.get("ship_by")),
        deliver_by=_pd(d.get("deliver_by")),
        tracking_token=d["tracking_token"],
        packages=packages,
        holds=holds,
        cancelled_qty={k: int(v) for k, v in d.get("cancelled_qty", {}).items()},
        cancelled=bool(d.get("cancelled", False)),
        version=version,
    )


def channel_to_dict(c: Channel) -> dict[str, Any]:
    lim = c.limits
    return {
        "id": c.id,
        "code": c.code,
        "name": c.name,
        "kind": c.kind.value,
        "carrier_code": c.carrier_code,
        "service": c.service,
        "limits": {
            "max_weight_g": lim.max_weight_g,
            "max_longest_side_mm": lim.max_longest_side_mm,
            "max_sum_of_sides_mm": lim.max_sum_of_sides_mm,
            "max_items": lim.max_items,
            "max_declared_value": lim.max_declared_value,
            "forbidden_tags": sorted(lim.forbidden_tags),
            "destinations": sorted(lim.destinations),
        },
        "zones": dict(c.zones),
        "rates": {
            z: {
                "first_weight_g": r.first_weight_g,
                "first_price": r.first_price,
                "step_g": r.step_g,
                "step_price": r.step_price,
                "table": [list(t) for t in r.table],
            }
            for z, r in c.rates.items()
        },
        "transit": {z: [t.min_days, t.max_days] for z, t in c.transit.items()},
        "cutoff": c.cutoff.isoformat(timespec="minutes") if c.cutoff else None,
        "volumetric_divisor": c.volumetric_divisor,
        "weight_step_g": c.weight_step_g,
        "tracking_pattern": c.tracking_pattern,
        "requires_tracking": c.requires_tracking,
        "active": c.active,
    }


def channel_from(d: dict[str, Any]) -> Channel:
    lim = d.get("limits") or {}
    return Channel(
        id=d["id"],
        code=d["code"],
        name=d["name"],
        kind=ChannelKind(d["kind"]),
        carrier_code=d.get("carrier_code"),
        service=d.get("service", ""),
        limits=ChannelLimits(
            max_weight_g=lim.get("max_weight_g"),
            max_longest_side_mm=lim.get("max_longest_side_mm"),
            max_sum_of_sides_mm=lim.get("max_sum_of_sides_mm"),
            max_items=lim.get("max_items"),
            max_declared_value=lim.get("max_declared_value"),
            forbidden_tags=frozenset(lim.get("forbidden_tags") or ()),
            destinations=frozenset(lim.get("destinations") or ()),
        ),
        zones=dict(d.get("zones") or {}),
        rates={
            z: ZoneRate(
                first_weight_g=int(r["first_weight_g"]),
                first_price=int(r["first_price"]),
                step_g=int(r["step_g"]),
                step_price=int(r["step_price"]),
                table=tuple((int(a), int(b)) for a, b in r.get("table") or ()),
            )
            for z, r in (d.get("rates") or {}).items()
        },
        transit={z: TransitDays(int(t[0]), int(t[1])) for z, t in (d.get("transit") or {}).items()},
        cutoff=time.fromisoformat(d["cutoff"]) if d.get("cutoff") else None,
        volumetric_divisor=d.get("volumetric_divisor"),
        weight_step_g=int(d.get("weight_step_g") or 1),
        tracking_pattern=d.get("tracking_pattern"),
        requires_tracking=bool(d.get("requires_tracking", True)),
        active=bool(d.get("active", True)),
    )


def box_to_dict(b: Box) -> dict[str, Any]:
    return {
        "id": b.id,
        "name": b.name,
        "inner_mm": dims_to_dict(b.inner),
        "outer_mm": dims_to_dict(b.outer),
        "tare_g": b.tare_g,
        "max_load_g": b.max_load_g,
    }


def box_from(d: dict[str, Any]) -> Box:
    inner, outer = dims_from(d["inner_mm"]), dims_from(d["outer_mm"])
    assert inner is not None and outer is not None
    return Box(d["id"], d["name"], inner, outer, int(d["tare_g"]), int(d["max_load_g"]))


def settings_to_dict(s: ShopSettings) -> dict[str, Any]:
    return {
        "allow_unit_split": s.allow_unit_split,
        "track_stock": s.track_stock,
        "auto_apply_plan_on_import": s.auto_apply_plan_on_import,
        "correction_window_hours": s.correction_window_hours,
        "max_corrections": s.max_corrections,
        "inquiry_reply_hours": s.inquiry_reply_hours,
        "timezone": s.timezone,
        "currency": s.currency,
        "default_locale": s.default_locale,
        "holidays": [h.isoformat() for h in s.holidays],
        "allow_private_webhooks": s.allow_private_webhooks,
        "tag_segregation": [sorted(g) for g in s.tag_segregation],
        "notifications": dict(s.notifications),
    }


def settings_from(d: dict[str, Any]) -> ShopSettings:
    base = ShopSettings()
    return ShopSettings(
        allow_unit_split=bool(d.get("allow_unit_split", base.allow_unit_split)),
        track_stock=bool(d.get("track_stock", base.track_stock)),
        auto_apply_plan_on_import=bool(d.get("auto_apply_plan_on_import", False)),
        correction_window_hours=int(d.get("correction_window_hours", 72)),
        max_corrections=int(d.get("max_corrections", 1)),
        inquiry_reply_hours=int(d.get("inquiry_reply_hours", 24)),
        timezone=d.get("timezone", base.timezone),
        currency=d.get("currency", base.currency),
        default_locale=d.get("default_locale", base.default_locale),
        holidays=tuple(date.fromisoformat(h) for h in d.get("holidays", [])),
        allow_private_webhooks=bool(d.get("allow_private_webhooks", False)),
        tag_segregation=tuple(
            frozenset(g)
            for g in d.get("tag_segregation", [sorted(g) for g in base.tag_segregation])
        ),
        notifications={str(k): bool(v) for k, v in (d.get("notifications") or {}).items()},
    )
