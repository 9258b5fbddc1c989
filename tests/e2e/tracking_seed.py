"""A three-package order as the buyer tracking page tests need it, built through the services.

Package 1 is delivered, package 2 is out for delivery after a failed attempt, package 3 (a
pre-sale perfume) is still being prepared with a note for the buyer. The buyer's address carries
every kind of personal data, so the tests can prove none of it reaches the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from factories import UPS_NUMBER, ShopFixture, make_shop
from splitship.bootstrap import App
from splitship.domain.order import Address
from splitship.services import orders, shipping, splitting
from splitship.services.orders import LineDraft, OrderDraft
from splitship.services.shipping import LogisticsInput
from splitship.services.splitting import PackageSpec
from splitship.services.tracking_events import EventInput, record_tracking_event, set_buyer_note

SHIP_TIME = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Asia/Shanghai
SECOND_UPS_NUMBER = "1Z999AA10123456793"
PRE_SALE_NOTE = "Pre-sale item: ships from 10 March"

# Everything the page must never show (the city and region are allowed).
PII = {
    "full_name": "Ada Lovelace",
    "first_name": "Lovelace",
    "street": "12 Analytical Row",
    "line2": "Flat 7B",
    "postal_code": "78701-4242",
    "phone": "+1 512 555 0199",
    "email": "ada.lovelace@example.com",
}
ADDRESS = Address(
    name=PII["full_name"],
    line1=PII["street"],
    line2=PII["line2"],
    city="Austin",
    region="TX",
    country="US",
    postal_code=PII["postal_code"],
    phone=PII["phone"],
    email=PII["email"],
)


@dataclass(frozen=True)
class TrackedOrder:
    shop: ShopFixture
    order_id: str
    external_id: str
    token: str
    package_ids: tuple[str, str, str]


def three_package_order(app: App, external_id: str = "TT-1001") -> TrackedOrder:
    shop = make_shop(app, "Acme Goods")
    draft = OrderDraft(
        source="tiktok",
        external_id=external_id,
        address=ADDRESS,
        lines=[LineDraft("TEE", 2, 1500), LineDraft("MUG", 1, 1200), LineDraft("PERFUME", 1, 4500)],
        buyer_name=PII["full_name"],
        buyer_email=PII["email"],
        created_at=SHIP_TIME - timedelta(days=1),
    )
    report = orders.import_orders(app.uow(), shop.shop_id, [draft])
    assert report.ok, report.errors
    oid = report.order_ids[0]
    ups = shop.channels["ups-ground"].id
    order = splitting.split_order(
        app.uow(),
        shop.shop_id,
        oid,
        [
            PackageSpec({"L1": 2}, warehouse_id="LA", channel_id=ups),
            PackageSpec({"L2": 1}, warehouse_id="LA", channel_id=ups),
            PackageSpec({"L3": 1}, warehouse_id="LA"),
        ],
    )
    p1, p2, p3 = (p.id for p in order.packages)
    for pid, number in ((p1, UPS_NUMBER), (p2, SECOND_UPS_NUMBER)):
        shipping.confirm_package(app.uow(), shop.shop_id, oid, pid)
        shipping.ship_package(
            app.uow(), shop.shop_id, oid, pid, LogisticsInput(number, ship_time=SHIP_TIME)
        )
    events = [
        EventInput(
            "ups-1", "in_transit", SHIP_TIME + timedelta(hours=8), p1, location="Ontario, CA"
        ),
        EventInput("ups-2", "delivered", SHIP_TIME + timedelta(days=2), p1, location="Austin, TX"),
        EventInput(
            "ups-3", "in_transit", SHIP_TIME + timedelta(hours=9), p2, location="Ontario, CA"
        ),
        EventInput(
            "ups-4", "attempted", SHIP_TIME + timedelta(days=2, hours=3), p2, location="Austin, TX"
        ),
        EventInput("ups-5", "out_for_delivery", SHIP_TIME + timedelta(days=3), p2),
    ]
    for item in events:
        record_tracking_event(app.uow(), shop.shop_id, item)
    set_buyer_note(app.uow(), shop.shop_id, p3, PRE_SALE_NOTE)
    with app.uow() as uow:
        token = uow.orders.get(shop.shop_id, oid).tracking_token
    return TrackedOrder(shop, oid, external_id, token, (p1, p2, p3))
