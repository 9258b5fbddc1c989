"""Request and response bodies for the catalogue (SKUs, warehouses, stock, channels, boxes) and
the shop's settings. Weights in grams, lengths in millimetres, money in integer minor units of the
shop's currency."""

from datetime import date, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator

from splitship.domain.catalog import (
    Box,
    Channel,
    ChannelKind,
    ChannelLimits,
    Dimensions,
    Sku,
    SkuAttributes,
    TransitDays,
    Warehouse,
    ZoneRate,
)
from splitship.domain.shop import ShopSettings
from splitship.entrypoints.api.schemas import AttributesOut, In

Dims = Annotated[
    tuple[
        Annotated[int, Field(ge=1)],
        Annotated[int, Field(ge=1)],
        Annotated[int, Field(ge=1)],
    ],
    Field(description="[length, width, height] in mm"),
]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")]
Country = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2")]


def _dims(d: tuple[int, int, int] | None) -> Dimensions | None:
    return None if d is None else Dimensions(*d)


def _dims_out(d: Dimensions) -> tuple[int, int, int]:
    return (d.length_mm, d.width_mm, d.height_mm)


# ---- SKUs -----------------------------------------------------------------------------------


class SkuIn(In):
    name: str = Field(min_length=1, max_length=300)
    weight_g: int = Field(ge=1)
    dimensions_mm: Dims | None = None
    tags: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(default_factory=list)
    category: str | None = Field(default=None, max_length=100)
    declared_value: int = Field(default=0, ge=0)
    available_from: date | None = Field(default=None, description="pre-sale: first day it ships")

    def to_sku(self, shop_id: str, code: str) -> Sku:
        return Sku(
            shop_id,
            code,
            self.name,
            SkuAttributes(
                weight_g=self.weight_g,
                dimensions=_dims(self.dimensions_mm),
                tags=frozenset(t.strip().lower() for t in self.tags),
                category=self.category,
                declared_value=self.declared_value,
                available_from=self.available_from,
            ),
        )


class SkuWithCodeIn(SkuIn):
    code: Annotated[str, Field(min_length=1, max_length=100)]


class SkuBatchIn(In):
    skus: list[SkuWithCodeIn] = Field(min_length=1, max_length=5000)


class SkuOut(AttributesOut):
    code: str
    name: str

    @classmethod
    def of_sku(cls, s: Sku) -> "SkuOut":
        return cls(code=s.code, name=s.name, **AttributesOut.of(s.attributes).model_dump())


# ---- warehouses and stock -------------------------------------------------------------------


class WarehouseIn(In):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    country: Country
    region: str | None = Field(default=None, max_length=64)
    priority: int = Field(default=0, description="lower ships first")

    def to_warehouse(self, warehouse_id: str, shop_id: str) -> Warehouse:
        return Warehouse(
            warehouse_id,
            shop_id,
            self.code,
            self.name,
            self.country.upper(),
            self.region,
            self.priority,
        )


class StockIn(In):
    on_hand: int = Field(ge=0)


class StockOut(BaseModel):
    sku: str
    on_hand: int
    reserved: int
    available: int


class WarehouseOut(BaseModel):
    id: str
    code: str
    name: str
    country: str
    region: str | None
    priority: int
    stock: list[StockOut]

    @classmethod
    def of(cls, w: Warehouse) -> "WarehouseOut":
        return cls(
            id=w.id,
            code=w.code,
            name=w.name,
            country=w.country,
            region=w.region,
            priority=w.priority,
            stock=[
                StockOut(sku=s, on_hand=lv.on_hand, reserved=lv.reserved, available=lv.available)
                for s, lv in sorted(w.stock.items())
            ],
        )


# ---- channels -------------------------------------------------------------------------------


class ChannelLimitsBody(BaseModel):
    max_weight_g: int | None = Field(default=None, ge=1)
    max_longest_side_mm: int | None = Field(default=None, ge=1)
    max_sum_of_sides_mm: int | None = Field(default=None, ge=1)
    max_items: int | None = Field(default=None, ge=1)
    max_declared_value: int | None = Field(default=None, ge=0)
    forbidden_tags: list[str] = Field(default_factory=list)
    destinations: list[str] = Field(default_factory=list, description="countries; empty: all")


class ZoneRateBody(BaseModel):
    first_weight_g: int = Field(ge=1)
    first_price: int = Field(ge=0)
    step_g: int = Field(ge=1)
    step_price: int = Field(ge=0)
    table: list[tuple[int, int]] = Field(
        default_factory=list, description="[[up to grams, price], ...] ascending; wins if given"
    )


class TransitBody(BaseModel):
    min_days: int = Field(ge=0)
    max_days: int = Field(ge=0)


class ChannelBody(BaseModel):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    kind: ChannelKind
    carrier_code: str | None = None
    service: str = ""
    limits: ChannelLimitsBody = Field(default_factory=ChannelLimitsBody)
    zones: dict[str, str] = Field(description='"US-CA", "US" or "*" -> zone name')
    rates: dict[str, ZoneRateBody] = Field(description="zone -> rate")
    transit: dict[str, TransitBody] = Field(default_factory=dict)
    cutoff: time | None = Field(default=None, description="daily cut-off, shop local time")
    volumetric_divisor: int | None = Field(default=None, ge=1)
    weight_step_g: int = Field(default=1, ge=1)
    tracking_pattern: str | None = Field(default=None, max_length=200)
    requires_tracking: bool = True
    active: bool = True


class ChannelIn(ChannelBody, In):
    def to_channel(self, channel_id: str) -> Channel:
        lim = self.limits
        return Channel(
            id=channel_id,
            code=self.code,
            name=self.name,
            kind=self.kind,
            carrier_code=self.carrier_code,
            service=self.service,
            limits=ChannelLimits(
                max_weight_g=lim.max_weight_g,
                max_longest_side_mm=lim.max_longest_side_mm,
                max_sum_of_sides_mm=lim.max_sum_of_sides_mm,
                max_items=lim.max_items,
                max_declared_value=lim.max_declared_value,
                forbidden_tags=frozenset(lim.forbidden_tags),
                destinations=frozenset(c.upper() for c in lim.destinations),
            ),
            zones=dict(self.zones),
            rates={
                z: ZoneRate(r.first_weight_g, r.first_price, r.step_g, r.step_price, tuple(r.table))
                for z, r in self.rates.items()
            },
            transit={z: TransitDays(t.min_days, t.max_days) for z, t in self.transit.items()},
            cutoff=self.cutoff,
            volumetric_divisor=self.volumetric_divisor,
            weight_step_g=self.weight_step_g,
            tracking_pattern=self.tracking_pattern,
            requires_tracking=self.requires_tracking,
            active=self.active,
        )


class ChannelOut(ChannelBody):
    id: str

    @classmethod
    def of(cls, c: Channel) -> "ChannelOut":
        lim = c.limits
        return cls(
            id=c.id,
            code=c.code,
            name=c.name,
            kind=c.kind,
            carrier_code=c.carrier_code,
            service=c.service,
            limits=ChannelLimitsBody(
                max_weight_g=lim.max_weight_g,
                max_longest_side_mm=lim.max_longest_side_mm,
                max_sum_of_sides_mm=lim.max_sum_of_sides_mm,
                max_items=lim.max_items,
                max_declared_value=lim.max_declared_value,
                forbidden_tags=sorted(lim.forbidden_tags),
                destinations=sorted(lim.destinations),
            ),
            zones=dict(c.zones),
            rates={
                z: ZoneRateBody(
                    first_weight_g=r.first_weight_g,
                    first_price=r.first_price,
                    step_g=r.step_g,
                    step_price=r.step_price,
                    table=list(r.table),
                )
                for z, r in c.rates.items()
            },
            transit={
                z: TransitBody(min_days=t.min_days, max_days=t.max_days)
                for z, t in c.transit.items()
            },
            cutoff=c.cutoff,
            volumetric_divisor=c.volumetric_divisor,
            weight_step_g=c.weight_step_g,
            tracking_pattern=c.tracking_pattern,
            requires_tracking=c.requires_tracking,
            active=c.active,
        )


# ---- boxes ----------------------------------------------------------------------------------


class BoxBody(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    inner_mm: Dims
    outer_mm: Dims
    tare_g: int = Field(ge=0)
    max_load_g: int = Field(ge=1)


class BoxIn(BoxBody, In):
    def to_box(self, box_id: str) -> Box:
        inner, outer = _dims(self.inner_mm), _dims(self.outer_mm)
        assert inner is not None and outer is not None
        return Box(box_id, self.name, inner, outer, self.tare_g, self.max_load_g)


class BoxOut(BoxBody):
    id: str

    @classmethod
    def of(cls, b: Box) -> "BoxOut":
        return cls(
            id=b.id,
            name=b.name,
            inner_mm=_dims_out(b.inner),
            outer_mm=_dims_out(b.outer),
            tare_g=b.tare_g,
            max_load_g=b.max_load_g,
        )


# ---- settings -------------------------------------------------------------------------------


class SettingsOut(BaseModel):
    shop_id: str
    name: str
    allow_unit_split: bool
    track_stock: bool
    auto_apply_plan_on_import: bool
    correction_window_hours: int
    max_corrections: int
    inquiry_reply_hours: int
    timezone: str
    currency: str
    default_locale: str
    holidays: list[date]
    allow_private_webhooks: bool
    tag_segregation: list[list[str]]
    notifications: dict[str, bool]

    @classmethod
    def of(cls, shop_id: str, name: str, s: ShopSettings) -> "SettingsOut":
        return cls(
            shop_id=shop_id,
            name=name,
            allow_unit_split=s.allow_unit_split,
            track_stock=s.track_stock,
            auto_apply_plan_on_import=s.auto_apply_plan_on_import,
            correction_window_hours=s.correction_window_hours,
            max_corrections=s.max_corrections,
            inquiry_reply_hours=s.inquiry_reply_hours,
            timezone=s.timezone,
            currency=s.currency,
            default_locale=s.default_locale,
            holidays=list(s.holidays),
            allow_private_webhooks=s.allow_private_webhooks,
            tag_segregation=[sorted(g) for g in s.tag_segregation],
            notifications=dict(s.notifications),
        )


class SettingsPatch(In):
    allow_unit_split: bool | None = None
    track_stock: bool | None = None
    auto_apply_plan_on_import: bool | None = None
    correction_window_hours: int | None = Field(default=None, ge=0, le=24 * 90)
    max_corrections: int | None = Field(default=None, ge=0, le=100)
    inquiry_reply_hours: int | None = Field(default=None, ge=1, le=24 * 30)
    timezone: str | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    default_locale: str | None = Field(default=None, pattern=r"^[A-Za-z]{2,3}(_[A-Za-z]{2,4})?$")
    holidays: list[date] | None = None
    allow_private_webhooks: bool | None = None
    tag_segregation: list[list[str]] | None = None
    notifications: dict[str, bool] | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {v!r}; use an IANA name like Asia/Shanghai"
            ) from None
        return v

    @field_validator("tag_segregation")
    @classmethod
    def _groups(cls, v: list[list[str]] | None) -> list[list[str]] | None:
        if v is not None and any(len(set(g)) < 2 for g in v):
            raise ValueError("each group names at least two different tags")
        return v

    def changes(self) -> dict[str, Any]:
        """Only the settings the client sent, in the types the shop's settings hold."""
        out: dict[str, Any] = {}
        for name in self.model_fields_set:
            value = getattr(self, name)
            if value is None:
                continue
            if name == "holidays":
                value = tuple(sorted(set(value)))
            elif name == "tag_segregation":
                value = tuple(frozenset(t.strip().lower() for t in g) for g in value)
            out[name] = value
        return out
