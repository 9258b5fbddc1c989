"""A shop with everything it ships with, built through the services against a real database.

Shared by every suite that needs a populated shop (e2e over HTTP, integration, browser):

    app = bootstrap(Settings(database_url=f"sqlite:///{tmp_path}/t.db"))
    shop = make_shop(app)
    shop.warehouses["LA"].id, shop.channels["ups-ground"].id, shop.headers  # ...
    body = tiktok_order_json("TT-1", [("TEE", 2), ("MUG", 1)])

Ids are generated, so any number of shops live side by side in one database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from splitship.bootstrap import App
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
from splitship.services import catalog, shops
from splitship.services.catalog import StockSetting

# code -> (name, weight g, dimensions mm, tags, category, declared value in cents)
SKUS: dict[str, tuple[str, int, tuple[int, int, int], frozenset[str], str, int]] = {
    "TEE": ("Cotton tee", 200, (300, 250, 20), frozenset(), "apparel", 1500),
    "MUG": ("Ceramic mug", 450, (120, 90, 100), frozenset({"fragile"}), "kitchen", 1200),
    "POWERBANK": ("Power bank 10 Ah", 250, (140, 70, 25), frozenset({"battery"}), "tech", 3000),
    "PERFUME": ("Eau de parfum 50 ml", 180, (60, 60, 120), frozenset({"liquid"}), "beauty", 4500),
    "LAMP": ("Floor lamp", 6500, (1100, 300, 300), frozenset(), "home", 8000),
}

# warehouse code -> (name, country, region, priority, {sku: on hand})
WAREHOUSES: dict[str, tuple[str, str, str, int, dict[str, int]]] = {
    "LA": (
        "Los Angeles",
        "US",
        "CA",
        0,
        {"TEE": 100, "MUG": 50, "POWERBANK": 20, "PERFUME": 20, "LAMP": 2},
    ),
    "NJ": ("Newark", "US", "NJ", 1, {"TEE": 10, "LAMP": 5}),
}

HOME_ADDRESS: dict[str, Any] = {
    "name": "Ada Buyer",
    "phone_number": "+1 512 555 0100",
    "address_line1": "1 Main St",
    "postal_code": "78701",
    "region_code": "US",
    "district_info": [
        {"address_level_name": "Country", "address_name": "United States"},
        {"address_level_name": "State", "address_name": "TX"},
        {"address_level_name": "City", "address_name": "Austin"},
    ],
}

# Numbers that pass the carriers' check digits (and ones that do not).
UPS_NUMBER = "1Z999AA10123456784"
UPS_NUMBER_MISTYPED = "1Z999AA10123456785"
USPS_NUMBER = "9400111201080805483016"


@dataclass(frozen=True)
class ShopFixture:
    shop_id: str
    api_key: str
    warehouses: dict[str, Warehouse]  # by code
    channels: dict[str, Channel]  # by code
    boxes: dict[str, Box]  # by name
    skus: dict[str, Sku]  # by code

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


def _channels(ids: Any) -> list[Channel]:
    zones = {"US": "domestic", "CA": "north_america", "*": "world"}
    return [
        Channel(
            id=ids(),
            code="ups-ground",
            name="UPS Ground",
            kind=ChannelKind.EXPRESS,
            carrier_code="ups",
            service="ground",
            limits=ChannelLimits(
                max_weight_g=30_000, max_longest_side_mm=1500, forbidden_tags=frozenset({"liquid"})
            ),
            zones=zones,
            rates={
                "domestic": ZoneRate(500, 900, 500, 150),
                "north_america": ZoneRate(500, 1800, 500, 300),
                "world": ZoneRate(500, 3500, 500, 600),
            },
            transit={
                "domestic": TransitDays(1, 5),
                "north_america": TransitDays(3, 7),
                "world": TransitDays(5, 10),
            },
            cutoff=time(16, 0),
            volumetric_divisor=5000,
            weight_step_g=100,
        ),
        Channel(
            id=ids(),
            code="usps-first",
            name="USPS First-Class",
            kind=ChannelKind.POSTAL,
            carrier_code="usps",
            service="first_class",
            limits=ChannelLimits(
                max_weight_g=2000,
                max_longest_side_mm=600,
                max_items=10,
                forbidden_tags=frozenset({"battery"}),
                destinations=frozenset({"US"}),
            ),
            zones={"US": "domestic"},
            rates={"domestic": ZoneRate(250, 450, 250, 120)},
            transit={"domestic": TransitDays(2, 5)},
            cutoff=time(15, 0),
        ),
        Channel(
            id=ids(),
            code="own-van",
            name="Own van (LA metro)",
            kind=ChannelKind.SELF_DELIVERY,
            carrier_code=None,
            service="same_day",
            limits=ChannelLimits(max_weight_g=50_000, destinations=frozenset({"US"})),
            zones={"US-CA": "metro", "US": "metro"},
            rates={"metro": ZoneRate(50_000, 1000, 1000, 0)},
            transit={"metro": TransitDays(0, 1)},
            requires_tracking=False,
        ),
    ]


def _boxes(ids: Any) -> list[Box]:
    return [
        Box(ids(), "S", Dimensions(250, 200, 100), Dimensions(260, 210, 110), 80, 3000),
        Box(ids(), "M", Dimensions(400, 300, 200), Dimensions(410, 310, 210), 200, 10_000),
        Box(ids(), "XL", Dimensions(1200, 400, 400), Dimensions(1220, 420, 420), 900, 25_000),
    ]


def make_shop(
    app: App,
    name: str = "Acme Goods",
    *,
    settings: ShopSettings | None = None,
    extra_skus: Sequence[str] = (),
    stock: Mapping[str, Mapping[str, int]] | None = None,
) -> ShopFixture:
    """A shop with two US warehouses (stock in both), one channel of each kind with rate cards,
    three boxes, five SKUs (one tagged battery, one liquid) and an API key.

    ``extra_skus`` adds plain 100 g SKUs with these codes; ``stock`` replaces the stock levels
    (warehouse code -> sku -> on hand).
    """
    shop = shops.create_shop(app.uow(), name, settings=settings)
    skus = [
        Sku(shop.id, code, nm, SkuAttributes(w, Dimensions(*d), tags, cat, value))
        for code, (nm, w, d, tags, cat, value) in SKUS.items()
    ] + [Sku(shop.id, code, code.title(), SkuAttributes(100)) for code in extra_skus]
    catalog.save_skus(app.uow(), shop.id, skus)
    warehouses = {}
    for code, (wname, country, region, priority, _) in WAREHOUSES.items():
        warehouses[code] = catalog.save_warehouse(
            app.uow(), Warehouse(app.ids(), shop.id, code, wname, country, region, priority)
        )
    levels = stock if stock is not None else {c: w[4] for c, w in WAREHOUSES.items()}
    catalog.set_stock(
        app.uow(),
        shop.id,
        [StockSetting(wh, sku, n) for wh, per_sku in levels.items() for sku, n in per_sku.items()],
    )
    channels = {c.code: catalog.save_channel(app.uow(), shop.id, c) for c in _channels(app.ids)}
    boxes = {b.name: catalog.save_box(app.uow(), shop.id, b) for b in _boxes(app.ids)}
    key = shops.create_api_key(app.uow(), shop.id)
    return ShopFixture(
        shop_id=shop.id,
        api_key=key.secret,
        warehouses=warehouses,
        channels=channels,
        boxes=boxes,
        skus={s.code: s for s in skus},
    )


def tiktok_order_json(
    order_id: str,
    items: Sequence[tuple[str, int] | tuple[str, int, str]],
    *,
    address: Mapping[str, Any] | None = None,
    currency: str = "USD",
    create_time: datetime = datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
    **extra: Any,
) -> dict[str, Any]:
    """An order as TikTok Shop's Get Order Detail returns it: one ``line_items`` entry per unit.

    ``items`` are ``(seller_sku, quantity)`` or ``(seller_sku, quantity, "12.50")``.
    """
    line_items = []
    for spec in items:
        sku, qty = spec[0], spec[1]
        price = spec[2] if len(spec) > 2 else "19.90"
        for n in range(qty):
            line_items.append(
                {
                    "id": f"{order_id}-{sku}-{n}",
                    "seller_sku": sku,
                    "product_name": SKUS[sku][0] if sku in SKUS else sku,
                    "sale_price": price,
                    "currency": currency,
                }
            )
    stamp = int(create_time.timestamp())
    return {
        "id": order_id,
        "status": "AWAITING_SHIPMENT",
        "create_time": stamp,
        "paid_time": stamp + 60,
        "shipping_due_time": stamp + 3 * 86_400,
        "buyer_email": "ada@example.com",
        "payment": {"currency": currency},
        "recipient_address": dict(address or HOME_ADDRESS),
        "line_items": line_items,
        **extra,
    }
