"""Request and response bodies. Inputs and outputs are separate models: an input names only what a
client may set (unknown fields are refused), an output only what a client may see.

Units: money in integer minor units with its currency, weights in grams, lengths in millimetres,
times ISO 8601 in UTC, dates YYYY-MM-DD.
"""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from splitship.domain.catalog import SkuAttributes
from splitship.domain.order import Address, Hold, HoldReason, LogisticsInfo, Order, Package
from splitship.domain.status import TIKTOK_ORDER_STATUS
from splitship.services.catalog import RowError
from splitship.services.shipping import BatchShipResult, LogisticsInput
from splitship.services.unit_of_work import AuditEntry


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


Version = Annotated[
    int | None,
    Field(ge=0, description="The order version this change is based on (or send If-Match)"),
]
Key = Annotated[str, Field(min_length=1, max_length=100)]
Quantity = Annotated[int, Field(ge=1, le=1_000_000)]


# ---- shared outputs -------------------------------------------------------------------------


class Money(BaseModel):
    amount: int = Field(description="integer minor units (cents)")
    currency: str


class AddressOut(BaseModel):
    name: str
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str | None
    country: str
    phone: str | None
    email: str | None

    @classmethod
    def of(cls, a: Address) -> "AddressOut":
        return cls.model_validate(a, from_attributes=True)


class AttributesOut(BaseModel):
    weight_g: int
    dimensions_mm: list[int] | None
    tags: list[str]
    category: str | None
    declared_value: int = Field(description="minor units of the shop's currency")
    available_from: date | None

    @classmethod
    def of(cls, a: SkuAttributes) -> "AttributesOut":
        d = a.dimensions
        return cls(
            weight_g=a.weight_g,
            dimensions_mm=[d.length_mm, d.width_mm, d.height_mm] if d else None,
            tags=sorted(a.tags),
            category=a.category,
            declared_value=a.declared_value,
            available_from=a.available_from,
        )


# ---- orders and packages --------------------------------------------------------------------


class LineOut(BaseModel):
    id: str
    sku: str
    name: str
    quantity: int
    unit_price: Money
    cancelled: int
    assigned: int = Field(description="units in packages that are not cancelled")
    unassigned: int = Field(description="units in no package yet")
    shipped: int
    attributes: AttributesOut
    address: AddressOut | None = Field(description="set when this line ships elsewhere (gift)")


class PackageItemOut(BaseModel):
    line_id: str
    sku: str
    name: str
    quantity: int


class LogisticsOut(BaseModel):
    carrier_code: str | None
    tracking_number: str | None
    tracking_url: str | None
    ship_time: datetime | None
    eta_earliest: date | None
    eta_latest: date | None

    @classmethod
    def of(cls, info: LogisticsInfo | None) -> "LogisticsOut | None":
        return None if info is None else cls.model_validate(info, from_attributes=True)


class TrackingEventOut(BaseModel):
    id: str
    status: str | None
    kind: str
    occurred_at: datetime
    description: str
    location: str
    reason: str | None


class HoldOut(BaseModel):
    id: str
    reason: str
    note: str
    package_id: str | None
    placed_at: datetime
    released_at: datetime | None
    active: bool

    @classmethod
    def of(cls, h: Hold) -> "HoldOut":
        return cls(
            id=h.id,
            reason=h.reason.value,
            note=h.note,
            package_id=h.package_id,
            placed_at=h.placed_at,
            released_at=h.released_at,
            active=h.active,
        )


class PackageOut(BaseModel):
    id: str
    order_id: str
    order_version: int
    order_status: str
    number: int
    status: str
    items: list[PackageItemOut]
    units: int
    warehouse_id: str | None
    channel_id: str | None
    box_id: str | None
    address: AddressOut
    logistics: LogisticsOut | None
    shipped_at: datetime | None
    corrections: int
    tracking_events: list[TrackingEventOut]
    reasons: list[str]
    active_holds: list[HoldOut] = Field(description="holds that block this package")
    created_at: datetime
    warnings: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, order: Order, pkg: Package, warnings: list[str] | None = None) -> "PackageOut":
        return cls(
            id=pkg.id,
            order_id=order.id,
            order_version=order.version,
            order_status=order.status.value,
            number=pkg.number,
            status=pkg.status.value,
            items=[
                PackageItemOut(
                    line_id=lid, sku=order.line(lid).sku, name=order.line(lid).name, quantity=q
                )
                for lid, q in pkg.items.items()
            ],
            units=pkg.units,
            warehouse_id=pkg.warehouse_id,
            channel_id=pkg.channel_id,
            box_id=pkg.box_id,
            address=AddressOut.of(pkg.address),
            logistics=LogisticsOut.of(pkg.logistics),
            shipped_at=pkg.shipped_at,
            corrections=pkg.corrections,
            tracking_events=[
                TrackingEventOut(
                    id=e.id,
                    status=e.status.value if e.status else None,
                    kind=e.kind,
                    occurred_at=e.occurred_at,
                    description=e.description,
                    location=e.location,
                    reason=e.reason,
                )
                for e in pkg.tracking_events
            ],
            reasons=list(pkg.reasons),
            active_holds=[HoldOut.of(h) for h in order.active_holds(pkg.id)],
            created_at=pkg.created_at,
            warnings=warnings or [],
        )


class UnitCounts(BaseModel):
    ordered: int
    cancelled: int
    assigned: int
    unassigned: int
    shipped: int

    @classmethod
    def of(cls, order: Order) -> "UnitCounts":
        shipped = sum(p.units for p in order.live_packages if p.is_shipped)
        return cls(
            ordered=sum(ln.quantity for ln in order.lines),
            cancelled=sum(order.cancelled_qty.values()),
            assigned=sum(order.assigned(ln.id) for ln in order.lines),
            unassigned=sum(order.unassigned(ln.id) for ln in order.lines),
            shipped=shipped,
        )


def _total(order: Order) -> Money:
    return Money(
        amount=sum(ln.unit_price * ln.quantity for ln in order.lines), currency=order.currency
    )


class OrderSummaryOut(BaseModel):
    id: str
    source: str
    external_id: str
    status: str
    tiktok_status: str
    version: int
    buyer_name: str
    country: str
    created_at: datetime
    ship_by: datetime | None
    total: Money
    units: UnitCounts
    package_count: int = Field(description="packages that are not cancelled")

    @classmethod
    def of(cls, order: Order) -> "OrderSummaryOut":
        return cls(
            id=order.id,
            source=order.source,
            external_id=order.external_id,
            status=order.status.value,
            tiktok_status=TIKTOK_ORDER_STATUS[order.status],
            version=order.version,
            buyer_name=order.buyer_name,
            country=order.address.country,
            created_at=order.created_at,
            ship_by=order.ship_by,
            total=_total(order),
            units=UnitCounts.of(order),
            package_count=len(order.live_packages),
        )


class OrderOut(OrderSummaryOut):
    currency: str
    buyer_email: str | None
    buyer_locale: str
    address: AddressOut
    paid_at: datetime | None
    deliver_by: date | None
    cancelled: bool
    tracking_url: str = Field(description="the buyer's tracking page for this order")
    lines: list[LineOut]
    packages: list[PackageOut] = Field(description="every package, cancelled ones included")
    holds: list[HoldOut]

    @classmethod
    def of_order(cls, order: Order, base_url: str) -> "OrderOut":
        summary = OrderSummaryOut.of(order).model_dump()
        shipped = {
            ln.id: sum(p.items.get(ln.id, 0) for p in order.live_packages if p.is_shipped)
            for ln in order.lines
        }
        return cls(
            **summary,
            currency=order.currency,
            buyer_email=order.buyer_email,
            buyer_locale=order.buyer_locale,
            address=AddressOut.of(order.address),
            paid_at=order.paid_at,
            deliver_by=order.deliver_by,
            cancelled=order.cancelled,
            tracking_url=f"{base_url}/t/{order.tracking_token}",
            lines=[
                LineOut(
                    id=ln.id,
                    sku=ln.sku,
                    name=ln.name,
                    quantity=ln.quantity,
                    unit_price=Money(amount=ln.unit_price, currency=order.currency),
                    cancelled=order.cancelled_qty.get(ln.id, 0),
                    assigned=order.assigned(ln.id),
                    unassigned=order.unassigned(ln.id),
                    shipped=shipped[ln.id],
                    attributes=AttributesOut.of(ln.attributes),
                    address=AddressOut.of(ln.address) if ln.address else None,
                )
                for ln in order.lines
            ],
            packages=[PackageOut.of(order, p) for p in order.packages],
            holds=[HoldOut.of(h) for h in order.holds],
        )


class OrderPageOut(BaseModel):
    items: list[OrderSummaryOut]
    total: int
    limit: int
    offset: int


class ReasonOut(BaseModel):
    code: str
    params: dict[str, Any]
    en: str
    zh: str


class PrecheckOut(BaseModel):
    order_id: str
    version: int
    can_split: bool
    cannot_reasons: list[ReasonOut]
    must_split: bool
    must_reasons: list[ReasonOut]


class AuditEntryOut(BaseModel):
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    before: Any
    after: Any

    @classmethod
    def of(cls, e: AuditEntry) -> "AuditEntryOut":
        return cls.model_validate(e, from_attributes=True)


class AuditOut(BaseModel):
    order_id: str
    items: list[AuditEntryOut]


# ---- order commands -------------------------------------------------------------------------


class ItemIn(In):
    line_id: Key
    quantity: Quantity


class PackageSpecIn(In):
    items: list[ItemIn] = Field(min_length=1)
    warehouse_id: Key | None = Field(default=None, description="id or code")
    channel_id: Key | None = Field(default=None, description="id or code")
    box_id: Key | None = Field(default=None, description="id or name")

    def item_map(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for item in self.items:
            out[item.line_id] = out.get(item.line_id, 0) + item.quantity
        return out


class SplitIn(In):
    packages: list[PackageSpecIn] = Field(min_length=1, max_length=500)
    version: Version = None


class MoveIn(In):
    source_package_id: Key
    target_package_id: Key | None = Field(default=None, description="none: into a new package")
    line_id: Key
    quantity: Quantity
    version: Version = None


class MergeIn(In):
    target_package_id: Key
    source_package_id: Key
    version: Version = None


class VersionIn(In):
    version: Version = None


class CancelUnitsIn(In):
    line_id: Key
    quantity: Quantity
    version: Version = None


class HoldIn(In):
    reason: HoldReason
    note: str = Field(default="", max_length=500)
    package_id: Key | None = None


class AssignIn(In):
    warehouse_id: Key | None = None
    channel_id: Key | None = None
    box_id: Key | None = None
    version: Version = None


class ConfirmIn(In):
    channel_id: Key | None = None
    box_id: Key | None = None
    version: Version = None


class LogisticsIn(In):
    tracking_number: str | None = Field(default=None, max_length=100)
    carrier_code: str | None = Field(default=None, max_length=32)
    tracking_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://\S+$")
    ship_time: AwareDatetime | None = None
    eta_earliest: date | None = None
    eta_latest: date | None = None

    def to_input(self) -> LogisticsInput:
        return LogisticsInput(
            tracking_number=self.tracking_number,
            carrier_code=self.carrier_code,
            tracking_url=self.tracking_url,
            ship_time=self.ship_time,
            eta_earliest=self.eta_earliest,
            eta_latest=self.eta_latest,
        )


class LogisticsChangeIn(LogisticsIn):
    version: Version = None


class ShipIn(In):
    logistics: LogisticsIn | None = None
    version: Version = None


class BatchShipItemIn(In):
    package_id: Key
    logistics: LogisticsIn | None = None


class BatchShipIn(In):
    packages: list[BatchShipItemIn] = Field(min_length=1, max_length=500)


class BatchShipResultOut(BaseModel):
    package_id: str
    ok: bool
    order_id: str | None
    order_status: str | None
    code: str | None
    error: str | None
    warnings: list[str]

    @classmethod
    def of(cls, r: BatchShipResult) -> "BatchShipResultOut":
        return cls(
            package_id=r.package_id,
            ok=r.ok,
            order_id=r.order_id,
            order_status=r.order_status,
            code=r.code,
            error=r.error,
            warnings=list(r.warnings),
        )


class BatchShipOut(BaseModel):
    shipped: int
    failed: int
    results: list[BatchShipResultOut]


# ---- imports --------------------------------------------------------------------------------


class RowErrorOut(BaseModel):
    row: int
    field: str
    message: str

    @classmethod
    def of(cls, e: RowError) -> "RowErrorOut":
        return cls(row=e.row, field=e.field, message=e.message)


class OrderImportOut(BaseModel):
    created: list[str] = Field(description="external ids of the orders created")
    unchanged: list[str] = Field(description="external ids already imported before")
    order_ids: list[str]
    errors: list[RowErrorOut]


class CatalogImportOut(BaseModel):
    applied: int
    errors: list[RowErrorOut]


# ---- errors ---------------------------------------------------------------------------------


class ProblemOut(BaseModel):
    """RFC 9457 problem details, served as ``application/problem+json``."""

    type: str
    title: str
    status: int
    detail: str = Field(description="what was wrong and what to do, for people")
    code: str = Field(description="stable, for programs: branch on this")
    field: str | None = Field(default=None, description="the input that was wrong")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="one {field, message} (and row, for files) per problem"
    )
    details: dict[str, Any] | None = Field(default=None, description="facts about the error")
