"""The backbone use cases against a real database (SQLite file and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from seed import import_order, seed_shop
from splitship.adapters.db import tables as t
from splitship.adapters.db.repositories import save_order
from splitship.bootstrap import App
from splitship.domain.errors import InsufficientStock, InvalidInput, NotFound, VersionConflict
from splitship.domain.order import Address
from splitship.services import orders, shipping, splitting
from splitship.services.orders import LineDraft, OrderDraft
from splitship.services.shipping import BatchShipItem, LogisticsInput
from splitship.services.splitting import PackageSpec
from splitship.services.unit_of_work import OrderFilter

VALID_S10 = "RR123456785CN"


def stock_of(app: App, warehouse_id: str, sku: str) -> tuple[int, int]:
    with app.engine.connect() as conn:
        row = conn.execute(
            select(t.stock.c.on_hand, t.stock.c.reserved).where(
                t.stock.c.warehouse_id == warehouse_id, t.stock.c.sku == sku
            )
        ).one()
    return row.on_hand, row.reserved


def test_import_is_idempotent_by_shop_source_and_external_id(app: App) -> None:
    s = seed_shop(app)
    first = import_order(app, s.shop_id)
    again = OrderDraft("tiktok", "T-1", Address("X", "Y", "Z", "US"), [LineDraft("MUG", 9, 1)])
    report = orders.import_orders(app.uow(), s.shop_id, [again])
    assert report.unchanged == ["T-1"] and not report.created
    with app.uow() as uow:
        assert uow.orders.get(s.shop_id, first).lines[0].quantity == 3


def test_full_flow_split_confirm_ship_persists_and_moves_stock(app: App) -> None:
    s = seed_shop(app)
    oid = import_order(app, s.shop_id)
    order = splitting.split_order(
        app.uow(),
        s.shop_id,
        oid,
        [
            PackageSpec({"L1": 3}, warehouse_id="SZ", channel_id="post"),
            PackageSpec({"L2": 1}, warehouse_id=s.warehouse_id, channel_id=s.channel_id),
        ],
    )
    p1, p2 = (p.id for p in order.packages)
    shipping.confirm_package(app.uow(), s.shop_id, oid, p1)
    assert stock_of(app, s.warehouse_id, "MUG") == (10, 3)
    result = shipping.ship_package(
        app.uow(), s.shop_id, oid, p1, LogisticsInput(VALID_S10, ship_time=None)
    )
    assert result.order.status.value == "partially_shipped"
    assert stock_of(app, s.warehouse_id, "MUG") == (7, 0)
    shipping.confirm_package(app.uow(), s.shop_id, oid, p2)
    results = shipping.ship_packages(
        app.uow_factory(), s.shop_id, [BatchShipItem(p2, LogisticsInput("RR000000005CN"))]
    )
    assert results[0].ok and results[0].order_status == "shipped"
    with app.uow() as uow:
        stored = uow.orders.get(s.shop_id, oid)
        assert stored.status.value == "shipped"
        info = stored.package(p1).logistics
        assert info is not None and info.tracking_url and info.eta_latest is not None
        actions = [a.action for a in uow.audit.for_order(s.shop_id, oid)]
    assert actions.count("package.shipped") == 2
    assert "order.imported" in actions
    with app.engine.connect() as conn:
        names = list(conn.execute(select(t.outbox.c.name).order_by(t.outbox.c.seq)).scalars())
    assert names == [
        "order.imported",
        "package.shipped",
        "order.partially_shipped",
        "package.shipped",
        "order.shipped",
    ]


def test_wrong_tracking_number_is_refused_and_nothing_changes(app: App) -> None:
    s = seed_shop(app)
    oid = import_order(app, s.shop_id)
    order = splitting.split_order(
        app.uow(), s.shop_id, oid, [PackageSpec({"L1": 3}, warehouse_id="SZ", channel_id="post")]
    )
    pid = order.packages[0].id
    shipping.confirm_package(app.uow(), s.shop_id, oid, pid)
    with pytest.raises(InvalidInput, match="check digit") as err:
        shipping.ship_package(app.uow(), s.shop_id, oid, pid, LogisticsInput("RR123456784CN"))
    assert err.value.field == "tracking_number"
    with app.uow() as uow:
        assert uow.orders.get(s.shop_id, oid).package(pid).status.value == "ready"


def test_duplicate_tracking_number_is_accepted_with_a_warning(app: App) -> None:
    s = seed_shop(app)
    a, b = import_order(app, s.shop_id, "T-1"), import_order(app, s.shop_id, "T-2")
    pkgs = []
    for oid in (a, b):
        o = splitting.split_order(
            app.uow(),
            s.shop_id,
            oid,
            [PackageSpec({"L1": 3}, warehouse_id="SZ", channel_id="post")],
        )
        pkgs.append(o.packages[0].id)
    first = shipping.record_logistics(app.uow(), s.shop_id, a, pkgs[0], LogisticsInput(VALID_S10))
    assert first.warnings == []
    second = shipping.record_logistics(app.uow(), s.shop_id, b, pkgs[1], LogisticsInput(VALID_S10))
    assert "already on 1 other package" in second.warnings[0]


def test_confirm_beyond_available_stock_is_refused_with_numbers(app: App) -> None:
    s = seed_shop(app, stock=2)
    oid = import_order(app, s.shop_id)
    order = splitting.split_order(
        app.uow(), s.shop_id, oid, [PackageSpec({"L1": 3}, warehouse_id="SZ", channel_id="post")]
    )
    with pytest.raises(InsufficientStock, match=r"2 unit.*needs 3"):
        shipping.confirm_package(app.uow(), s.shop_id, oid, order.packages[0].id)
    assert stock_of(app, s.warehouse_id, "MUG") == (2, 0)


def test_cancelling_a_confirmed_package_releases_its_reservation(app: App) -> None:
    s = seed_shop(app)
    oid = import_order(app, s.shop_id)
    order = splitting.split_order(
        app.uow(), s.shop_id, oid, [PackageSpec({"L1": 3}, warehouse_id="SZ", channel_id="post")]
    )
    pid = order.packages[0].id
    shipping.confirm_package(app.uow(), s.shop_id, oid, pid)
    orders.cancel_units(app.uow(), s.shop_id, oid, "L1", 1)
    assert stock_of(app, s.warehouse_id, "MUG") == (10, 2)
    splitting.cancel_package(app.uow(), s.shop_id, oid, pid)
    assert stock_of(app, s.warehouse_id, "MUG") == (10, 0)


def test_stale_version_is_refused_and_nothing_changes(app: App) -> None:
    s = seed_shop(app)
    oid = import_order(app, s.shop_id)
    with pytest.raises(VersionConflict):
        splitting.split_order(
            app.uow(), s.shop_id, oid, [PackageSpec({"L1": 1})], expected_version=7
        )
    with app.uow() as uow:
        assert uow.orders.get(s.shop_id, oid).packages == []


def test_an_outdated_copy_cannot_overwrite_a_newer_one(app: App) -> None:
    """A writer holding version 1 after someone saved version 2 must fail, not overwrite."""
    s = seed_shop(app)
    oid = import_order(app, s.shop_id)
    with app.uow() as stale_uow:
        stale = stale_uow.orders.get(s.shop_id, oid)
    splitting.split_order(app.uow(), s.shop_id, oid, [PackageSpec({"L1": 3})])
    stale.create_package("pb", {"L2": 1}, app.clock())
    with app.engine.begin() as conn:
        assert save_order(conn, stale, loaded_version=1) is False
    with app.uow() as uow:
        stored = uow.orders.get(s.shop_id, oid)
    assert [p.items for p in stored.packages] == [{"L1": 3}]


def test_other_shops_orders_are_not_found(app: App) -> None:
    a = seed_shop(app, "shop-a")
    b = seed_shop(app, "shop-b")
    oid = import_order(app, a.shop_id)
    with pytest.raises(NotFound):
        splitting.split_order(app.uow(), b.shop_id, oid, [PackageSpec({"L1": 1})])
    with app.uow() as uow:
        assert uow.orders.search(b.shop_id, OrderFilter()).total == 0
        assert uow.orders.search(a.shop_id, OrderFilter()).total == 1


def test_order_search_finds_by_sku_buyer_and_tracking_number(app: App) -> None:
    s = seed_shop(app)
    oid = import_order(app, s.shop_id)
    order = splitting.split_order(
        app.uow(), s.shop_id, oid, [PackageSpec({"L1": 3}, warehouse_id="SZ", channel_id="post")]
    )
    shipping.record_logistics(
        app.uow(), s.shop_id, oid, order.packages[0].id, LogisticsInput(VALID_S10)
    )
    with app.uow() as uow:
        for term in ("mug", "ada", VALID_S10.lower(), "T-1"):
            assert uow.orders.search(s.shop_id, OrderFilter(search=term)).total == 1, term
        assert uow.orders.search(s.shop_id, OrderFilter(search="nothing")).total == 0
        assert uow.orders.search(s.shop_id, OrderFilter(status="awaiting_shipment")).total == 1
        assert uow.orders.search(s.shop_id, OrderFilter(warehouse_id=s.warehouse_id)).total == 1
