"""Carrier events, buyer notes, and the tracking-number and ETA checks at ship time, against a
real database (SQLite file and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from seed import import_order, seed_shop
from splitship.adapters.db import tables as t
from splitship.bootstrap import App
from splitship.domain.catalog import Channel, ChannelKind, ChannelLimits, TransitDays, ZoneRate
from splitship.domain.errors import InvalidInput, NotFound
from splitship.services import catalog, shipping, shops, splitting
from splitship.services.shipping import LogisticsInput
from splitship.services.splitting import PackageSpec
from splitship.services.tracking_csv import read_events_csv
from splitship.services.tracking_events import (
    EventInput,
    record_tracking_event,
    record_tracking_events,
    set_buyer_note,
)

SHIP_TIME = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # Thursday 11:00 in Asia/Shanghai
NUMBERS = ("RR123456785CN", "RR000000005CN")


@pytest.fixture(autouse=True)
def fixed_clock(app: App) -> None:
    # Events are checked against "now" (not a day ahead); pin it so the tests do not age.
    app.clock = lambda: SHIP_TIME + timedelta(days=3)


def shipped_order(app: App, shop_id: str = "shop-a") -> tuple[str, list[str]]:
    """An order of three packages: two shipped with the numbers above, one still open."""
    s = seed_shop(app, shop_id)
    oid = import_order(app, shop_id)
    order = splitting.split_order(
        app.uow(),
        shop_id,
        oid,
        [
            PackageSpec({"L1": 2}, warehouse_id="SZ", channel_id="post"),
            PackageSpec({"L1": 1}, warehouse_id="SZ", channel_id="post"),
            PackageSpec({"L2": 1}, warehouse_id=s.warehouse_id, channel_id=s.channel_id),
        ],
    )
    pids = [p.id for p in order.packages]
    for pid, number in zip(pids, NUMBERS, strict=False):
        shipping.confirm_package(app.uow(), shop_id, oid, pid)
        shipping.ship_package(
            app.uow(), shop_id, oid, pid, LogisticsInput(number, ship_time=SHIP_TIME)
        )
    return oid, pids


def at(hours: int) -> datetime:
    return SHIP_TIME + timedelta(hours=hours)


def outbox_names(app: App) -> list[str]:
    with app.engine.connect() as conn:
        return list(conn.execute(select(t.outbox.c.name).order_by(t.outbox.c.seq)).scalars())


def audit_count(app: App) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.audit_trail)).scalar_one())


def test_events_by_package_and_by_tracking_number_move_packages_and_order(app: App) -> None:
    oid, (p1, p2, _) = shipped_order(app)
    first = record_tracking_event(
        app.uow(), "shop-a", EventInput("c-1", "delivered", at(50), package_id=p1)
    )
    assert (first.ok, first.applied, first.package_status) == (True, True, "delivered")
    # Three units shipped of four: still partially shipped; delivery does not hide that.
    assert first.order_status == "partially_shipped"
    second = record_tracking_event(
        app.uow(),
        "shop-a",
        EventInput("c-2", "out_for_delivery", at(40), tracking_number="rr 000000005 cn"),
    )
    assert (second.package_id, second.package_status) == (p2, "out_for_delivery")
    with app.uow() as uow:
        stored = uow.orders.get("shop-a", oid)
        assert [e.id for e in stored.package(p1).tracking_events] == ["c-1"]
        assert stored.package(p2).status.value == "out_for_delivery"
    assert outbox_names(app)[-1] == "package.delivered"


def test_a_duplicate_event_is_acknowledged_and_changes_nothing(app: App) -> None:
    _, (p1, _, _) = shipped_order(app)
    item = EventInput("c-1", "in_transit", at(5), package_id=p1)
    record_tracking_event(app.uow(), "shop-a", item)
    audits, events = audit_count(app), outbox_names(app)
    again = record_tracking_event(app.uow(), "shop-a", item)
    assert (again.ok, again.applied, again.package_status) == (True, False, "in_transit")
    assert (audit_count(app), outbox_names(app)) == (audits, events)


def test_out_of_order_events_keep_the_latest_state_and_a_timeline_by_time(app: App) -> None:
    _, (p1, _, _) = shipped_order(app)
    items = [
        EventInput("c-3", "delivered", at(60), package_id=p1),
        EventInput("c-1", "in_transit", at(5), package_id=p1),
        EventInput("c-2", "out_for_delivery", at(50), package_id=p1),
    ]
    results = record_tracking_events(app.uow_factory(), "shop-a", items)
    assert [r.package_status for r in results] == ["delivered"] * 3
    with app.uow() as uow:
        pkg = uow.orders.find_by_package("shop-a", p1).package(p1)
    assert [e.id for e in pkg.tracking_events] == ["c-1", "c-2", "c-3"]


def test_a_batch_reports_each_bad_event_and_records_the_good_ones(app: App) -> None:
    _, (p1, p2, p3) = shipped_order(app)
    results = record_tracking_events(
        app.uow_factory(),
        "shop-a",
        [
            EventInput("ok-1", "in_transit", at(5), package_id=p1),
            EventInput("bad-1", "teleported", at(5), package_id=p1),
            EventInput("bad-2", "exception", at(6), package_id=p2),  # no reason
            EventInput("bad-3", "in_transit", at(6), package_id=p3),  # not shipped
            EventInput("bad-4", "in_transit", at(6), tracking_number="RR999999995CN"),
            EventInput("bad-5", "in_transit", at(24 * 30), package_id=p1),  # a month ahead
            EventInput("ok-2", "exception", at(7), package_id=p2, reason="invalid_address"),
        ],
    )
    assert [(r.event_id, r.ok, r.code) for r in results] == [
        ("ok-1", True, None),
        ("bad-1", False, "invalid_input"),
        ("bad-2", False, "invalid_input"),
        ("bad-3", False, "invalid_transition"),
        ("bad-4", False, "not_found"),
        ("bad-5", False, "invalid_input"),
        ("ok-2", True, None),
    ]
    assert results[1].error is not None and "in_transit" in results[1].error
    assert results[2].field == "reason"
    assert results[6].package_status == "exception"


def test_events_of_another_shop_find_nothing(app: App) -> None:
    _, (p1, _, _) = shipped_order(app)
    seed_shop(app, "shop-b")
    with pytest.raises(NotFound):
        record_tracking_event(app.uow(), "shop-b", EventInput("x", "delivered", at(9), p1))
    with pytest.raises(NotFound):
        record_tracking_event(
            app.uow(), "shop-b", EventInput("x", "delivered", at(9), tracking_number=NUMBERS[0])
        )


def test_csv_rows_become_events_and_bad_rows_are_reported_with_their_row() -> None:
    text = (
        "\ufeffevent_id,tracking_number,status,occurred_at,reason\n"
        "a,RR123456785CN,in_transit,2026-11-26T12:00:00+08:00,\n"
        "\n"
        "b,RR123456785CN,exception,1764300000,refused\n"
        "c,RR123456785CN,delivered,yesterday,\n"
    )
    events, errors = read_events_csv(text)
    assert [(e.event_id, e.row) for e in events] == [("a", 2), ("b", 4)]
    assert events[0].occurred_at == datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
    assert events[1].reason == "refused"
    assert [(e.row, e.field) for e in errors] == [(5, "occurred_at")]
    _, missing = read_events_csv("event_id,status\n")
    assert "occurred_at" in missing[0].message


def test_buyer_note_is_saved_audited_and_cleared(app: App) -> None:
    oid, (_, _, p3) = shipped_order(app)
    set_buyer_note(app.uow(), "shop-a", p3, "  Pre-sale:\nships  from 10 March ")
    with app.uow() as uow:
        assert uow.orders.get("shop-a", oid).package(p3).buyer_note == (
            "Pre-sale: ships from 10 March"
        )
        actions = [a.action for a in uow.audit.for_order("shop-a", oid)]
    assert actions[-1] == "package.buyer_note_set"
    set_buyer_note(app.uow(), "shop-a", p3, "")
    with app.uow() as uow:
        assert uow.orders.get("shop-a", oid).package(p3).buyer_note is None
    with pytest.raises(InvalidInput, match="at most"):
        set_buyer_note(app.uow(), "shop-a", p3, "x" * 500)


# ---- issue 4's checks at ship time (services/shipping.py) ------------------------------------


def test_ship_auto_detects_the_carrier_when_the_channel_names_none(app: App) -> None:
    seed_shop(app)
    forwarder = Channel(
        "fw",
        "fw",
        "Forwarder",
        ChannelKind.EXPRESS,
        None,
        "any",
        ChannelLimits(),
        {"*": "world"},
        {"world": ZoneRate(500, 800, 500, 300)},
        {"world": TransitDays(3, 4)},
    )
    catalog.save_channel(app.uow(), "shop-a", forwarder)
    oid = import_order(app, "shop-a")
    order = splitting.split_order(
        app.uow(),
        "shop-a",
        oid,
        [PackageSpec({"L1": 3, "L2": 1}, warehouse_id="SZ", channel_id="fw")],
    )
    pid = order.packages[0].id
    shipping.confirm_package(app.uow(), "shop-a", oid, pid)
    result = shipping.ship_package(
        app.uow(), "shop-a", oid, pid, LogisticsInput("1Z999AA10123456784", ship_time=SHIP_TIME)
    )
    info = result.order.package(pid).logistics
    assert info is not None and info.carrier_code == "ups"
    assert info.tracking_url is not None and "1Z999AA10123456784" in info.tracking_url


def test_ship_refuses_a_number_of_another_carrier_with_the_reason(app: App) -> None:
    seed_shop(app)
    oid = import_order(app, "shop-a")
    order = splitting.split_order(
        app.uow(), "shop-a", oid, [PackageSpec({"L1": 3}, warehouse_id="SZ", channel_id="post")]
    )
    pid = order.packages[0].id
    shipping.confirm_package(app.uow(), "shop-a", oid, pid)
    with pytest.raises(InvalidInput, match=r"China Post format.*matches the UPS format"):
        shipping.ship_package(app.uow(), "shop-a", oid, pid, LogisticsInput("1Z999AA10123456784"))


def test_ship_fills_the_eta_from_transit_days_business_days_and_holidays(app: App) -> None:
    seed_shop(app)  # post: 5-9 transit days, no cut-off; shop in Asia/Shanghai
    shops.update_settings(app.uow(), "shop-a", {"holidays": (date(2026, 12, 1),)})
    oid, (p1, _, _) = shipped_order_in_seeded(app)
    with app.uow() as uow:
        info = uow.orders.get("shop-a", oid).package(p1).logistics
    assert info is not None
    # Dispatch Thu 26 Nov; skip the weekend and Tue 1 Dec: 5 days -> Fri 4 Dec, 9 -> Thu 10 Dec.
    assert (info.eta_earliest, info.eta_latest) == (date(2026, 12, 4), date(2026, 12, 10))


def test_ship_after_the_cut_off_counts_from_the_next_business_day(app: App) -> None:
    seed_shop(app)
    with app.uow() as uow:
        post = next(c for c in uow.catalog.channels("shop-a") if c.code == "post")
    catalog.save_channel(app.uow(), "shop-a", replace(post, cutoff=time(10, 0)))
    oid, (p1, _, _) = shipped_order_in_seeded(app)  # handed over 11:00 local
    with app.uow() as uow:
        info = uow.orders.get("shop-a", oid).package(p1).logistics
    assert info is not None
    # Dispatch Fri 27 Nov: 5 business days -> Fri 4 Dec, 9 -> Thu 10 Dec.
    assert (info.eta_earliest, info.eta_latest) == (date(2026, 12, 4), date(2026, 12, 10))


def shipped_order_in_seeded(app: App) -> tuple[str, list[str]]:
    oid = import_order(app, "shop-a")
    order = splitting.split_order(
        app.uow(), "shop-a", oid, [PackageSpec({"L1": 3}, warehouse_id="SZ", channel_id="post")]
    )
    pid = order.packages[0].id
    shipping.confirm_package(app.uow(), "shop-a", oid, pid)
    shipping.ship_package(
        app.uow(), "shop-a", oid, pid, LogisticsInput(NUMBERS[0], ship_time=SHIP_TIME)
    )
    return oid, [pid, "", ""]
