"""A demo shop with a realistic catalogue and about fifty orders, created through the services.

``seed_demo`` is what ``splitship up`` and ``splitship demo`` run on an empty database. Everything
is derived from the seed and from ``app.clock()``: the same seed and clock give the same catalogue,
orders, splits and tracking numbers (only the generated ids differ). Seeding again finds the shop
with id ``demo`` and only issues a fresh API key.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from splitship.adapters.marketplaces.tiktok import parse_tiktok_orders
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
from splitship.domain.errors import NotFound
from splitship.domain.limits import check_package
from splitship.domain.order import Order
from splitship.domain.shop import ShopSettings
from splitship.domain.status import OrderStatus
from splitship.domain.tracking_checks import (
    dhl_express_check_digit,
    gs1_mod10_check_digit,
    s10_check_digit,
)
from splitship.services import catalog, shipping, shops, splitting
from splitship.services import orders as order_service
from splitship.services.catalog import StockSetting
from splitship.services.shipping import LogisticsInput
from splitship.services.splitting import PackageSpec
from splitship.services.unit_of_work import OrderFilter

DEMO_SHOP_ID = "demo"
DEMO_SHOP_NAME = "Demo Cross-Border Store / 演示跨境店"
ACTOR = "demo-seed"


@dataclass(frozen=True)
class DemoInfo:
    shop_id: str
    api_key: str  # a fresh key on every call: keys are stored hashed and cannot be shown again
    order_ids: list[str]
    tracking_token_example: str | None
    seeded: bool = True  # False when the demo shop already existed
    # Console sign-in: a fresh password on every call, like the API key (stored hashed).
    console_logins: tuple[tuple[str, str, str], ...] = ()  # (e-mail, role, password)


def seed_demo(app: App, *, orders: int = 50, seed: int = 7) -> DemoInfo:
    """Create the demo shop, catalogue and ``orders`` orders, unless the shop already exists."""
    if _demo_exists(app):
        key = shops.create_api_key(app.uow(ACTOR), DEMO_SHOP_ID)
        order_ids, token = _existing_orders(app)
        return DemoInfo(DEMO_SHOP_ID, key.secret, order_ids, token, False, demo_console_users(app))
    now = app.clock()
    shops.create_shop(
        app.uow(ACTOR),
        DEMO_SHOP_NAME,
        DEMO_SHOP_ID,
        ShopSettings(currency="USD", timezone="Asia/Shanghai"),
    )
    _seed_catalog(app, now)
    drafts, errors = parse_tiktok_orders(_tiktok_orders(orders, random.Random(seed), now))
    if errors:  # the generator is wrong, not the user's data
        raise RuntimeError(f"demo orders do not parse: {errors[:3]}")
    report = order_service.import_orders(app.uow(ACTOR), DEMO_SHOP_ID, drafts)
    if report.errors:
        raise RuntimeError(f"demo orders were refused: {report.errors[:3]}")
    _work_some_orders(app, report, random.Random(seed + 1), now)
    key = shops.create_api_key(app.uow(ACTOR), DEMO_SHOP_ID)
    order_ids, token = _existing_orders(app)
    return DemoInfo(DEMO_SHOP_ID, key.secret, order_ids, token, True, demo_console_users(app))


DEMO_USERS = (("owner@demo.test", "owner"), ("viewer@demo.test", "viewer"))


def demo_console_users(app: App) -> tuple[tuple[str, str, str], ...]:
    """The demo shop's console users, each with a new random password."""
    import secrets

    from splitship.services import users

    logins = []
    for email, role in DEMO_USERS:
        password = "demo-" + secrets.token_urlsafe(9)
        try:
            users.set_password(app.uow(ACTOR), DEMO_SHOP_ID, email, password)
        except NotFound:
            users.create_user(app.uow(ACTOR), DEMO_SHOP_ID, email, password, role)
        logins.append((email, role, password))
    return tuple(logins)


def _demo_exists(app: App) -> bool:
    with app.uow(ACTOR) as uow:
        try:
            uow.shops.get(DEMO_SHOP_ID)
        except NotFound:
            return False
        return True


def _existing_orders(app: App) -> tuple[list[str], str | None]:
    with app.uow(ACTOR) as uow:
        found = uow.orders.search(DEMO_SHOP_ID, OrderFilter(limit=100_000)).orders
    found.sort(key=lambda o: o.external_id)  # the demo's external ids count up in import order
    return [o.id for o in found], _example_token(found)


def _example_token(found: Sequence[Order]) -> str | None:
    """A partially shipped order in several parcels shows the buyer the most."""
    rank = {OrderStatus.PARTIALLY_SHIPPED: 0, OrderStatus.SHIPPED: 1}
    best = sorted(found, key=lambda o: (rank.get(o.status, 2), -len(o.live_packages)))
    return best[0].tracking_token if best else None


# ---- catalogue ---------------------------------------------------------------------------------

SHENZHEN = "demo-wh-sz"
LOS_ANGELES = "demo-wh-la"

US_WEST = ("CA", "WA", "OR", "NV", "AZ")
EUROPE = ("GB", "DE", "FR", "NL", "IT", "ES")


def _zones(*, us: bool = True, eu: bool = True, domestic: str | None = None) -> dict[str, str]:
    zones: dict[str, str] = {}
    if us:
        zones |= {f"US-{r}": "US-West" for r in US_WEST} | {"US": "US-East"}
    if eu:
        zones |= {c: "EU" for c in EUROPE}
    if domestic:
        zones[domestic] = "domestic"
    return zones


def _channels() -> list[Channel]:
    return [
        Channel(
            id="demo-ch-yunexpress-std",
            code="yunexpress-std",
            name="YunExpress Standard / 云途标准",
            kind=ChannelKind.POSTAL,
            carrier_code="yunexpress",
            service="Global Direct Line Standard",
            limits=ChannelLimits(
                max_weight_g=2_000,
                max_longest_side_mm=600,
                max_sum_of_sides_mm=900,
                forbidden_tags=frozenset({"battery"}),
                destinations=frozenset({"US", *EUROPE}),
            ),
            zones=_zones(),
            rates={
                "US-West": ZoneRate(100, 420, 100, 85),
                "US-East": ZoneRate(100, 450, 100, 90),
                "EU": ZoneRate(100, 390, 100, 80),
            },
            transit={
                "US-West": TransitDays(7, 12),
                "US-East": TransitDays(8, 14),
                "EU": TransitDays(6, 10),
            },
            cutoff=time(12, 0),
            volumetric_divisor=None,
            weight_step_g=10,
        ),
        Channel(
            id="demo-ch-china-post-small",
            code="china-post-small",
            name="China Post Registered Small Packet / 中国邮政挂号小包",
            kind=ChannelKind.POSTAL,
            carrier_code="china_post",
            service="Registered Air Mail",
            limits=ChannelLimits(
                max_weight_g=2_000,
                max_longest_side_mm=600,
                max_sum_of_sides_mm=900,
                forbidden_tags=frozenset({"battery", "liquid"}),
                destinations=frozenset({"US", "CN", *EUROPE}),
            ),
            zones=_zones(domestic="CN"),
            rates={
                "US-West": ZoneRate(50, 380, 50, 45),
                "US-East": ZoneRate(50, 380, 50, 45),
                "EU": ZoneRate(50, 350, 50, 40),
                "domestic": ZoneRate(0, 0, 1, 0, table=((500, 180), (1_000, 260), (2_000, 400))),
            },
            transit={
                "US-West": TransitDays(10, 20),
                "US-East": TransitDays(12, 22),
                "EU": TransitDays(9, 18),
                "domestic": TransitDays(2, 4),
            },
            cutoff=time(15, 0),
            weight_step_g=10,
        ),
        Channel(
            id="demo-ch-dhl-express",
            code="dhl-express",
            name="DHL Express Worldwide",
            kind=ChannelKind.EXPRESS,
            carrier_code="dhl",
            service="Express Worldwide",
            limits=ChannelLimits(
                max_weight_g=30_000,
                max_longest_side_mm=1_200,
                max_declared_value=250_000,
                destinations=frozenset({"US", *EUROPE}),
            ),
            zones=_zones(),
            rates={
                "US-West": ZoneRate(500, 2_800, 500, 650),
                "US-East": ZoneRate(500, 3_000, 500, 700),
                "EU": ZoneRate(500, 2_600, 500, 600),
            },
            transit={
                "US-West": TransitDays(3, 5),
                "US-East": TransitDays(3, 6),
                "EU": TransitDays(3, 5),
            },
            cutoff=time(17, 0),
            volumetric_divisor=5_000,
            weight_step_g=500,
        ),
        Channel(
            id="demo-ch-usps-ground",
            code="usps-ground",
            name="USPS Ground Advantage (from Los Angeles)",
            kind=ChannelKind.POSTAL,
            carrier_code="usps",
            service="Ground Advantage",
            limits=ChannelLimits(
                max_weight_g=31_750,
                max_longest_side_mm=1_000,
                destinations=frozenset({"US"}),
            ),
            zones=_zones(eu=False),
            rates={
                "US-West": ZoneRate(450, 540, 450, 110),
                "US-East": ZoneRate(450, 690, 450, 160),
            },
            transit={"US-West": TransitDays(2, 4), "US-East": TransitDays(3, 5)},
            cutoff=time(16, 0),
            volumetric_divisor=6_000,
            weight_step_g=50,
        ),
        Channel(
            id="demo-ch-own-van",
            code="own-van",
            name="Own van, Guangdong / 自有车辆（广东）",
            kind=ChannelKind.SELF_DELIVERY,
            carrier_code=None,
            service="Same/next-day local delivery",
            limits=ChannelLimits(max_weight_g=50_000, destinations=frozenset({"CN"})),
            zones={"CN-GD": "domestic"},
            rates={"domestic": ZoneRate(20_000, 600, 5_000, 200)},
            transit={"domestic": TransitDays(0, 1)},
            cutoff=time(18, 0),
            tracking_pattern=r"VAN[0-9]{6}",
            requires_tracking=False,
        ),
    ]


def _box(key: str, name: str, inner: tuple[int, int, int], tare: int, max_load: int) -> Box:
    pad = 10 if inner[2] > 50 else 5
    outer = Dimensions(inner[0] + pad, inner[1] + pad, inner[2] + pad)
    return Box(f"demo-box-{key}", name, Dimensions(*inner), outer, tare, max_load)


def _boxes() -> list[Box]:
    return [
        _box("mailer", "Mailer / 气泡袋", (250, 180, 40), 20, 1_000),
        _box("s", "Box S / 小号纸箱", (200, 150, 100), 120, 3_000),
        _box("m", "Box M / 中号纸箱", (300, 250, 200), 300, 10_000),
        _box("l", "Box L / 大号纸箱", (400, 300, 300), 550, 20_000),
        _box("xl", "Box XL / 特大纸箱", (650, 400, 400), 900, 30_000),
    ]


# Prices are declared values in USD; "days" makes a pre-sale SKU available that many days from now.
_SKU_TABLE = """
code          | grams | L×W×H mm    | category    | tags    | value | days | name
CASE-IP15     |    45 | 160×85×15   | accessories |         |  3.99 |   | Phone Case / 手机壳
CABLE-USBC    |    40 | 120×80×20   | accessories |         |  2.99 |   | USB-C Cable / 数据线
EARBUDS-TWS   |   120 | 100×80×40   | electronics | battery | 15.99 |   | Earbuds / 蓝牙耳机
POWERBANK-10K |   230 | 140×70×25   | electronics | battery | 18.99 |   | Power Bank / 充电宝
WATCH-PRO     |   180 | 120×90×70   | electronics | battery | 49.99 | 21 | Smart Watch / 智能手表
LAMP-LED      |   650 | 450×150×120 | home        |         | 22.99 |   | Desk Lamp / 台灯
TONER-ROSE    |   260 | 160×55×55   | beauty      | liquid  |  8.99 |   | Rose Toner / 爽肤水
PERFUME-30    |   150 | 90×60×40    | beauty      | liquid  | 25.99 |   | Perfume 30 ml / 香水
HAIR-OIL      |   110 | 120×40×40   | beauty      | liquid  |  7.99 |   | Hair Oil / 护发精油
TEE-COTTON-M  |   180 | 300×250×20  | apparel     |         |  6.99 |   | T-Shirt M / T 恤
SOCKS-5P      |   200 | 200×120×40  | apparel     |         |  4.99 |   | Socks 5-pack / 袜子
SCARF-SILK    |    90 | 200×150×20  | apparel     |         | 19.99 |   | Silk Scarf / 丝巾
MUG-CERAMIC   |   380 | 120×90×100  | home        | fragile |  8.99 |   | Ceramic Mug / 马克杯
TEAPOT-YIXING |   520 | 180×130×110 | home        | fragile | 39.99 |   | Clay Teapot / 紫砂壶
TEA-OOLONG    |   300 | 150×100×80  | food        |         | 12.99 |   | Oolong Tea / 乌龙茶
CHOPSTICKS    |   150 | 260×80×30   | home        |         |  5.99 |   | Chopsticks / 筷子
STICKERS      |    20 | 150×100×5   | stationery  |         |  1.99 |   | Stickers / 贴纸
NOTEBOOK-A5   |   250 | 210×148×15  | stationery  |         |  4.99 |   | Notebook A5 / 笔记本
YOGA-MAT      |  1100 | 610×150×150 | sports      |         | 24.99 |   | Yoga Mat / 瑜伽垫
KETTLEBELL-12 | 12000 | 220×180×280 | sports      | heavy   | 39.99 |   | Kettlebell 12 kg / 壶铃
"""


@dataclass(frozen=True)
class _SkuRow:
    code: str
    name: str
    grams: int
    dims: tuple[int, int, int]
    category: str
    tags: frozenset[str]
    value_cents: int
    days: int | None


def _sku_rows() -> list[_SkuRow]:
    rows = []
    for text in _SKU_TABLE.strip().splitlines()[1:]:
        code, grams, dims, category, tags, value, days, name = (c.strip() for c in text.split("|"))
        a, b, c = (int(x) for x in dims.split("×"))
        rows.append(
            _SkuRow(
                code,
                name,
                int(grams),
                (a, b, c),
                category,
                frozenset(tags.split()),
                round(float(value) * 100),
                int(days) if days else None,
            )
        )
    return rows


# SKU -> (Shenzhen on hand, Los Angeles on hand): fragmented on purpose.
_STOCK: Mapping[str, tuple[int, int]] = {
    "CASE-IP15": (800, 40),
    "CABLE-USBC": (600, 60),
    "EARBUDS-TWS": (60, 12),
    "POWERBANK-10K": (40, 5),
    "WATCH-PRO": (0, 0),
    "LAMP-LED": (25, 10),
    "TONER-ROSE": (80, 0),
    "PERFUME-30": (30, 6),
    "HAIR-OIL": (50, 0),
    "TEE-COTTON-M": (120, 20),
    "SOCKS-5P": (200, 0),
    "SCARF-SILK": (35, 0),
    "MUG-CERAMIC": (0, 24),
    "TEAPOT-YIXING": (12, 0),
    "TEA-OOLONG": (60, 0),
    "CHOPSTICKS": (90, 0),
    "STICKERS": (1_000, 100),
    "NOTEBOOK-A5": (150, 0),
    "YOGA-MAT": (0, 18),
    "KETTLEBELL-12": (2, 9),
}


def _skus(today: date) -> list[Sku]:
    return [
        Sku(
            DEMO_SHOP_ID,
            row.code,
            row.name,
            SkuAttributes(
                weight_g=row.grams,
                dimensions=Dimensions(*row.dims),
                tags=row.tags,
                category=row.category,
                declared_value=row.value_cents,
                available_from=None if row.days is None else today + timedelta(days=row.days),
            ),
        )
        for row in _sku_rows()
    ]


def _seed_catalog(app: App, now: datetime) -> None:
    catalog.save_warehouse(
        app.uow(ACTOR),
        Warehouse(SHENZHEN, DEMO_SHOP_ID, "SZ", "Shenzhen / 深圳仓", "CN", "GD", 0),
    )
    catalog.save_warehouse(
        app.uow(ACTOR),
        Warehouse(LOS_ANGELES, DEMO_SHOP_ID, "LA", "Los Angeles / 洛杉矶仓", "US", "CA", 1),
    )
    for channel in _channels():
        catalog.save_channel(app.uow(ACTOR), DEMO_SHOP_ID, channel)
    for box in _boxes():
        catalog.save_box(app.uow(ACTOR), DEMO_SHOP_ID, box)
    catalog.save_skus(app.uow(ACTOR), DEMO_SHOP_ID, _skus(now.date()))
    settings = [
        StockSetting(code, sku, qty)
        for sku, levels in _STOCK.items()
        for code, qty in zip(("SZ", "LA"), levels, strict=True)
        if qty
    ]
    report = catalog.set_stock(app.uow(ACTOR), DEMO_SHOP_ID, settings)
    if report.errors:
        raise RuntimeError(f"demo stock was refused: {report.errors[:3]}")


# ---- orders (TikTok Shop "Get Order Detail" shape) ----------------------------------------------

_PRICES = {row.code: row.value_cents * 2 + 99 for row in _sku_rows()}  # twice the declared value
_NAMES = {row.code: row.name for row in _sku_rows()}
_LIGHT = (
    "CASE-IP15",
    "CABLE-USBC",
    "TEE-COTTON-M",
    "SOCKS-5P",
    "SCARF-SILK",
    "TEA-OOLONG",
    "CHOPSTICKS",
    "STICKERS",
    "NOTEBOOK-A5",
    "LAMP-LED",
)
_BATTERY = ("EARBUDS-TWS", "POWERBANK-10K")
_LIQUID = ("TONER-ROSE", "PERFUME-30", "HAIR-OIL")

_PLACES: Mapping[str, tuple[tuple[str, str, str], ...]] = {
    # country -> (state/region code, city, postal code)
    "US": (
        ("CA", "Los Angeles", "90012"),
        ("NY", "New York", "10001"),
        ("TX", "Austin", "78701"),
        ("WA", "Seattle", "98101"),
    ),
    "GB": (("ENG", "London", "EC1A 1BB"), ("ENG", "Manchester", "M1 1AE")),
    "DE": (("BE", "Berlin", "10115"), ("BY", "München", "80331")),
    "CN": (("GD", "深圳市", "518000"), ("GD", "广州市", "510000"), ("SH", "上海市", "200000")),
}
_BUYERS: Mapping[str, tuple[str, ...]] = {
    "US": ("Emily Johnson", "Michael Smith", "Sofia Garcia", "Daniel Lee", "Ava Martinez"),
    "GB": ("Oliver Brown", "Amelia Wilson", "Harry Taylor"),
    "DE": ("Lena Müller", "Jonas Schmidt", "Mia Schneider"),
    "CN": ("王芳", "李伟", "张敏", "陈静"),
}
_STREETS: Mapping[str, tuple[str, ...]] = {
    "US": ("Market Street", "Oak Avenue", "Sunset Boulevard", "Pine Street"),
    "GB": ("High Street", "Station Road", "Church Lane"),
    "DE": ("Hauptstraße", "Bahnhofstraße", "Gartenweg"),
    "CN": ("深南大道", "天河路", "南京东路"),
}
_LOCALES = {"US": "en", "GB": "en", "DE": "de", "CN": "zh_Hans"}
_COUNTRIES = ("US", "US", "US", "GB", "DE", "CN")

# The order shapes, cycled: each exercises a reason to split (or not to).
SHAPES = (
    "single",
    "multi",
    "battery_liquid",
    "single",
    "gift",
    "overweight",
    "presale",
    "multi",
    "cross_warehouse",
    "local",
)
WHOLESALE_EVERY = 25  # order 12, 37, ... is a wholesale order of 60+ units


def shape_of(index: int) -> str:
    if index % WHOLESALE_EVERY == 12:
        return "wholesale"
    return SHAPES[index % len(SHAPES)]


def _address(
    rng: random.Random, country: str, place: int | None = None, name: str | None = None
) -> dict[str, Any]:
    places = _PLACES[country]
    region, city, postal = places[place % len(places)] if place is not None else rng.choice(places)
    street, number = rng.choice(_STREETS[country]), rng.randint(1, 480)
    line1 = {"CN": f"{street}{number}号", "DE": f"{street} {number}"}.get(
        country, f"{number} {street}"
    )
    unit = f"Apt {rng.randint(1, 40)}" if country == "US" and rng.random() < 0.4 else ""
    return {
        "name": name or rng.choice(_BUYERS[country]),
        "address_line1": line1,
        "address_line2": unit,
        "city": city,
        "state": region,
        "postal_code": postal,
        "region_code": country,
        "phone_number": f"+{rng.randint(10, 99)} {rng.randint(1_000_000, 9_999_999)}",
    }


def _items(sku: str, qty: int, address: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """TikTok lists one entry per unit; big quantities are given once with ``quantity``."""
    base: dict[str, Any] = {
        "seller_sku": sku,
        "product_name": _NAMES[sku],
        "sale_price": f"{_PRICES[sku] / 100:.2f}",
    }
    if address is not None:
        base["recipient_address"] = address
    if qty > 5:
        return [base | {"quantity": qty}]
    return [dict(base) for _ in range(qty)]


def _lines_for(shape: str, rng: random.Random) -> list[tuple[str, int]]:
    match shape:
        case "single" | "local":
            return [(rng.choice(_LIGHT), 1)]
        case "multi" | "gift":
            picks = rng.sample(_LIGHT, rng.randint(2, 4 if shape == "multi" else 2))
            return [(sku, rng.randint(1, 3)) for sku in picks]
        case "battery_liquid":
            return [(rng.choice(_BATTERY), 1), (rng.choice(_LIQUID), rng.randint(1, 2))]
        case "overweight":
            extra = [("YOGA-MAT", 1)] if rng.random() < 0.5 else []
            return [("KETTLEBELL-12", rng.randint(2, 3)), *extra]
        case "presale":
            return [("WATCH-PRO", 1), (rng.choice(("CASE-IP15", "CABLE-USBC")), rng.randint(1, 2))]
        case "cross_warehouse":
            return [("MUG-CERAMIC", rng.randint(1, 2)), ("TEAPOT-YIXING", 1)]
        case "wholesale":
            return [("CASE-IP15", rng.randint(60, 120)), ("CABLE-USBC", rng.randint(20, 40))]
    raise ValueError(f"unknown order shape {shape}")


def _country_for(shape: str, rng: random.Random) -> str:
    if shape == "local":
        return "CN"
    if shape in ("overweight", "cross_warehouse", "wholesale"):
        return "US"  # shipped from Los Angeles, or too big for anything but express
    if shape == "battery_liquid":
        return rng.choice(("US", "GB", "DE"))  # batteries fly by express; no local courier
    return rng.choice(_COUNTRIES)


def _tiktok_orders(count: int, rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        shape = shape_of(i)
        country = _country_for(shape, rng)
        # Local orders stay in Guangdong, where the own van drives.
        address = _address(rng, country, place=i if shape == "local" else None)
        created = now - timedelta(hours=rng.randint(2, 72), minutes=rng.randint(0, 59))
        ship_by = now + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 12))
        days_to_deliver = rng.randint(3, 5) if country == "CN" else rng.randint(12, 25)
        items: list[dict[str, Any]] = []
        for n, (sku, qty) in enumerate(_lines_for(shape, rng)):
            gift_to = _address(rng, country) if shape == "gift" and n == 1 else None
            items += _items(sku, qty, gift_to)
        out.append(
            {
                "id": f"577{i + 1:06d}{rng.randint(100_000_000, 999_999_999)}",
                "status": "AWAITING_SHIPMENT",
                "create_time": int(created.timestamp()),
                "paid_time": int((created + timedelta(minutes=4)).timestamp()),
                "shipping_due_time": int(ship_by.timestamp()),
                "deliver_by": (now + timedelta(days=days_to_deliver)).date().isoformat(),
                "payment": {"currency": "USD"},
                "buyer_email": f"buyer{i + 1}@example.com",
                "buyer_locale": _LOCALES[country],
                "buyer_message": "",
                "recipient_address": address,
                "line_items": items,
                "demo_shape": shape,  # ignored by the reader; handy when reading the payload
            }
        )
    return out


# ---- splitting and shipping a few orders --------------------------------------------------------


@dataclass
class _Shipper:
    """Packs and ships demo orders the way a seller would in the console."""

    app: App
    rng: random.Random
    now: datetime
    segregation: tuple[frozenset[str], ...] = ()
    channels: dict[str, Channel] = field(default_factory=dict)
    boxes: list[Box] = field(default_factory=list)
    warehouses: list[Warehouse] = field(default_factory=list)

    def load(self) -> None:
        with self.app.uow(ACTOR) as uow:
            self.segregation = uow.shops.get(DEMO_SHOP_ID).settings.tag_segregation
            self.channels = {c.code: c for c in uow.catalog.channels(DEMO_SHOP_ID)}
            self.boxes = sorted(uow.catalog.boxes(DEMO_SHOP_ID), key=lambda b: b.inner.volume_mm3)
            self.warehouses = uow.catalog.warehouses(DEMO_SHOP_ID)

    def order(self, order_id: str) -> Order:
        with self.app.uow(ACTOR) as uow:
            return uow.orders.get(DEMO_SHOP_ID, order_id)

    def split(self, order: Order, groups: Sequence[Mapping[str, int]]) -> Order:
        """One package per group, from the first warehouse (by priority) that stocks it all."""
        self.load()  # stock moved with the last shipment
        specs = [PackageSpec(dict(g), warehouse_id=self._warehouse_for(order, g)) for g in groups]
        return splitting.split_order(self.app.uow(ACTOR), DEMO_SHOP_ID, order.id, specs)

    def confirm(self, order: Order, number: int) -> Order:
        pkg = next(p for p in order.packages if p.number == number)
        wh = next(w for w in self.warehouses if w.id == pkg.warehouse_id)
        items = order.items_with_attributes(pkg)
        country = pkg.address.country
        for code in self._channel_order(wh, pkg.address.country, pkg.address.region):
            channel = self.channels[code]
            # Smallest carton first; last, the item's own retail packaging (single units only).
            for box in [*self.boxes, None]:
                if not check_package(items, box, channel, country, self.segregation):
                    return shipping.confirm_package(
                        self.app.uow(ACTOR),
                        DEMO_SHOP_ID,
                        order.id,
                        pkg.id,
                        channel=channel.code,
                        box=box.id if box else None,
                    )
        raise RuntimeError(f"no demo channel fits package {number} of {order.external_id}")

    def ship(self, order: Order, number: int) -> Order:
        pkg = next(p for p in order.packages if p.number == number)
        assert pkg.channel_id is not None
        channel = next(c for c in self.channels.values() if c.id == pkg.channel_id)
        ship_time = max(
            order.created_at + timedelta(hours=1),
            self.now - timedelta(hours=self.rng.randint(1, 30)),
        )
        info = LogisticsInput(self._tracking_number(channel), ship_time=ship_time)
        result = shipping.ship_package(self.app.uow(ACTOR), DEMO_SHOP_ID, order.id, pkg.id, info)
        return result.order

    def _warehouse_for(self, order: Order, items: Mapping[str, int]) -> str:
        needed = [(order.line(lid).sku, qty) for lid, qty in items.items()]
        us = order.address.country == "US"
        # A US buyer is served from Los Angeles when it has everything: faster and cheaper.
        ranked = sorted(self.warehouses, key=lambda w: (not (us and w.country == "US"), w.priority))
        for wh in ranked:
            if all(wh.available(sku) >= qty for sku, qty in needed):
                return wh.id
        return ranked[-1].id

    @staticmethod
    def _channel_order(wh: Warehouse, country: str, region: str | None) -> tuple[str, ...]:
        if wh.country == "US":
            return ("usps-ground", "dhl-express")
        if country == "CN":
            return ("own-van", "china-post-small") if region == "GD" else ("china-post-small",)
        return ("yunexpress-std", "china-post-small", "dhl-express")

    def _tracking_number(self, channel: Channel) -> str | None:
        rng = self.rng
        match channel.carrier_code:
            case "china_post":
                serial = f"{rng.randint(0, 99_999_999):08d}"
                return f"RR{serial}{s10_check_digit(serial)}CN"
            case "dhl":
                body = f"{rng.randint(100_000_000, 999_999_999)}"
                return f"{body}{dhl_express_check_digit(body)}"
            case "usps":
                body = f"9400{rng.randint(0, 10**17 - 1):017d}"
                return f"{body}{gs1_mod10_check_digit(body)}"
            case "yunexpress":
                return f"YT{rng.randint(10**15, 10**16 - 1)}"
        return None  # own delivery: the driver needs no tracking number


def _work_some_orders(
    app: App, report: order_service.ImportReport, rng: random.Random, now: datetime
) -> None:
    """Split, confirm and ship a handful of orders so every order status shows up in the demo."""
    shipper = _Shipper(app, rng, now)
    shipper.load()
    by_shape: dict[str, list[str]] = {}
    for index, order_id in enumerate(report.order_ids):
        by_shape.setdefault(shape_of(index), []).append(order_id)

    def first(shape: str, n: int = 1) -> list[Order]:
        return [shipper.order(oid) for oid in by_shape.get(shape, [])[:n]]

    # Shipped whole, one parcel each (the local ones go by own van, without tracking number).
    for order in first("single", 4) + first("local", 2):
        done = shipper.split(order, [_rest(order)])
        shipper.ship(shipper.confirm(done, 1), 1)
    # Battery and liquid travel apart: two parcels, both shipped, or one waiting for pick-up.
    for n, order in enumerate(first("battery_liquid", 2)):
        done = shipper.split(order, [{"L1": order.line("L1").quantity}, _rest(order, "L1")])
        done = shipper.confirm(shipper.ship(shipper.confirm(done, 1), 1), 2)
        if n == 0:
            shipper.ship(done, 2)
    # Pre-sale: the in-stock line ships now, the watch waits for its release date.
    for order in first("presale", 2):
        done = shipper.split(order, [_rest(order, "L1")])
        shipper.ship(shipper.confirm(done, 1), 1)
    # Stock in two places: the mug has left Los Angeles, the teapot is still being packed.
    for order in first("cross_warehouse"):
        done = shipper.split(order, [{"L1": order.line("L1").quantity}, _rest(order, "L1")])
        shipper.ship(shipper.confirm(done, 1), 1)
    # Too heavy for one parcel: one kettlebell per package, open for the seller to review.
    for order in first("overweight"):
        groups: list[dict[str, int]] = [{"L1": 1} for _ in range(order.line("L1").quantity)]
        groups[-1] |= _rest(order, "L1")
        shipper.split(order, groups)
    multi = first("multi", 2)
    if multi:
        note = "Apartment number missing / 缺少门牌号"
        order_service.place_hold(app.uow(ACTOR), DEMO_SHOP_ID, multi[0].id, "address_check", note)
    if len(multi) > 1:
        order_service.cancel_order(app.uow(ACTOR), DEMO_SHOP_ID, multi[1].id)


def _rest(order: Order, *except_lines: str) -> dict[str, int]:
    return {ln.id: ln.quantity for ln in order.lines if ln.id not in except_lines}
