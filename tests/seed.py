"""A small shop for service-level tests: one warehouse, one postal channel, two SKUs with stock."""

from __future__ import annotations

from dataclasses import dataclass

from splitship.bootstrap import App
from splitship.domain.catalog import (
    Channel,
    ChannelKind,
    ChannelLimits,
    Sku,
    SkuAttributes,
    TransitDays,
    Warehouse,
    ZoneRate,
)
from splitship.domain.order import Address
from splitship.services import catalog, orders, shops
from splitship.services.catalog import StockSetting
from splitship.services.orders import LineDraft, OrderDraft


@dataclass
class Seeded:
    shop_id: str
    warehouse_id: str
    channel_id: str


def seed_shop(app: App, shop_id: str = "shop-a", stock: int = 10) -> Seeded:
    shops.create_shop(app.uow(), f"Shop {shop_id}", shop_id=shop_id)
    wh = Warehouse(f"{shop_id}-wh", shop_id, "SZ", "Shenzhen", "CN")
    catalog.save_warehouse(app.uow(), wh)
    ch = Channel(
        id=f"{shop_id}-post",
        code="post",
        name="Post",
        kind=ChannelKind.POSTAL,
        carrier_code="china_post",
        service="standard",
        limits=ChannelLimits(max_weight_g=2000),
        zones={"*": "world"},
        rates={"world": ZoneRate(500, 800, 500, 300)},
        transit={"world": TransitDays(5, 9)},
    )
    catalog.save_channel(app.uow(), shop_id, ch)
    catalog.save_skus(
        app.uow(),
        shop_id,
        [
            Sku(shop_id, "MUG", "Mug", SkuAttributes(weight_g=400)),
            Sku(shop_id, "LAMP", "Lamp", SkuAttributes(weight_g=900, tags=frozenset({"battery"}))),
        ],
    )
    catalog.set_stock(
        app.uow(), shop_id, [StockSetting("SZ", "MUG", stock), StockSetting("SZ", "LAMP", stock)]
    )
    return Seeded(shop_id, wh.id, ch.id)


def import_order(app: App, shop_id: str, external_id: str = "T-1", mugs: int = 3) -> str:
    draft = OrderDraft(
        source="tiktok",
        external_id=external_id,
        address=Address("Ada Buyer", "1 Main St", "Austin", "US", "TX", "73301"),
        lines=[LineDraft("MUG", mugs, 1299), LineDraft("LAMP", 1, 2599)],
        buyer_name="Ada Buyer",
    )
    report = orders.import_orders(app.uow(), shop_id, [draft])
    assert report.ok, report.errors
    return report.order_ids[0]
