from __future__ import annotations

from datetime import timedelta

import pytest

from builders import NOW, attrs, box, channel, order
from splitship.domain import events as ev
from splitship.domain.catalog import ChannelKind
from splitship.domain.errors import (
    CorrectionWindowClosed,
    InvalidInput,
    InvalidTransition,
    LimitExceeded,
    OnHold,
    QuantityMismatch,
    ShippedPackageImmutable,
)
from splitship.domain.order import Hold, HoldReason, LogisticsInfo, Order, TrackingEvent
from splitship.domain.status import OrderStatus, PackageStatus

INFO = LogisticsInfo("china_post", "RR123456785CN", None, NOW)


def ready(o: Order, pkg_id: str, items: dict[str, int]) -> None:
    o.create_package(pkg_id, items, NOW, warehouse_id="w1")
    o.confirm_package(pkg_id, channel(), None)


def ship(o: Order, pkg_id: str) -> None:
    o.record_logistics(pkg_id, INFO)
    o.ship_package(pkg_id, channel(), NOW)


def test_order_moves_from_awaiting_to_partially_shipped_to_shipped() -> None:
    o = order(("A", 2), ("B", 1))
    ready(o, "p1", {"L1": 2})
    ready(o, "p2", {"L2": 1})
    assert o.status is OrderStatus.AWAITING_SHIPMENT
    ship(o, "p1")
    assert o.status is OrderStatus.PARTIALLY_SHIPPED
    ship(o, "p2")
    assert o.status is OrderStatus.SHIPPED
    names = [e.name for e in o.events]
    assert names == [
        ev.PACKAGE_SHIPPED,
        ev.ORDER_PARTIALLY_SHIPPED,
        ev.PACKAGE_SHIPPED,
        ev.ORDER_SHIPPED,
    ]


def test_unassigned_units_keep_an_order_partially_shipped() -> None:
    o = order(("A", 3))
    ready(o, "p1", {"L1": 2})
    ship(o, "p1")
    assert o.status is OrderStatus.PARTIALLY_SHIPPED


def test_confirm_checks_channel_limits_and_says_which_fails() -> None:
    o = order(("A", 3, attrs(weight_g=900)))
    o.create_package("p1", {"L1": 3}, NOW, warehouse_id="w1")
    with pytest.raises(LimitExceeded) as err:
        o.confirm_package("p1", channel(max_weight_g=2000), None)
    assert err.value.details["violations"][0]["limit"] == "weight"
    assert "2700 g" in err.value.message
    assert o.package("p1").status is PackageStatus.OPEN


def test_confirm_counts_box_tare_and_forbidden_tags() -> None:
    o = order(("A", 1, attrs(weight_g=1900, tags=("battery",))))
    o.create_package("p1", {"L1": 1}, NOW, warehouse_id="w1")
    with pytest.raises(LimitExceeded) as err:
        o.confirm_package("p1", channel(max_weight_g=2000, forbidden=("battery",)), box())
    limits = {v["limit"] for v in err.value.details["violations"]}
    assert limits == {"weight", "forbidden_tag"}


def test_confirm_needs_a_warehouse() -> None:
    o = order(("A", 1))
    o.create_package("p1", {"L1": 1}, NOW)
    with pytest.raises(InvalidInput, match="warehouse"):
        o.confirm_package("p1", channel(), None)


def test_shipping_needs_confirmation_and_a_tracking_number() -> None:
    o = order(("A", 1))
    o.create_package("p1", {"L1": 1}, NOW, warehouse_id="w1")
    with pytest.raises(InvalidTransition, match="confirm it"):
        o.ship_package("p1", channel(), NOW)
    o.confirm_package("p1", channel(), None)
    with pytest.raises(InvalidInput, match="tracking number"):
        o.ship_package("p1", channel(), NOW)


def test_own_delivery_without_tracking_ships_without_a_number() -> None:
    own = channel(kind=ChannelKind.SELF_DELIVERY, requires_tracking=False)
    o = order(("A", 1))
    o.create_package("p1", {"L1": 1}, NOW, warehouse_id="w1")
    o.confirm_package("p1", own, None)
    o.record_logistics("p1", LogisticsInfo(None, None, None, None))
    o.ship_package("p1", own, NOW)
    assert o.package("p1").shipped_at == NOW


def test_held_package_cannot_ship_until_released() -> None:
    o = order(("A", 1))
    ready(o, "p1", {"L1": 1})
    o.place_hold(Hold("h1", HoldReason.ADDRESS_CHECK, "verify", NOW, package_id="p1"))
    o.record_logistics("p1", INFO)
    with pytest.raises(OnHold, match="address_check"):
        o.ship_package("p1", channel(), NOW)
    o.release_hold("h1", NOW)
    o.ship_package("p1", channel(), NOW)


def test_shipped_package_items_cannot_change() -> None:
    o = order(("A", 2))
    ready(o, "p1", {"L1": 1})
    ship(o, "p1")
    o.create_package("p2", {"L1": 1}, NOW)
    with pytest.raises(ShippedPackageImmutable):
        o.move_units("p1", "p2", "L1", 1)
    with pytest.raises(ShippedPackageImmutable):
        o.merge_packages("p2", "p1")
    with pytest.raises(ShippedPackageImmutable):
        o.cancel_package("p1")
    with pytest.raises(ShippedPackageImmutable):
        o.assign("p1", warehouse_id="w2")
    assert o.package("p1").items == {"L1": 1}


def test_logistics_correction_allowed_once_within_window() -> None:
    o = order(("A", 1))
    ready(o, "p1", {"L1": 1})
    ship(o, "p1")
    fixed = LogisticsInfo("china_post", "RR000000005CN", None, None)
    o.correct_logistics("p1", fixed, NOW + timedelta(hours=1))
    info = o.package("p1").logistics
    assert info is not None and info.tracking_number == "RR000000005CN"
    assert info.ship_time == NOW
    with pytest.raises(CorrectionWindowClosed, match="already corrected"):
        o.correct_logistics("p1", fixed, NOW + timedelta(hours=2))
    audit = [a for a in o.audit if a.action == "package.logistics_corrected"]
    assert audit[0].before is not None and audit[0].before["tracking_number"] == "RR123456785CN"


def test_logistics_correction_refused_after_window() -> None:
    o = order(("A", 1))
    ready(o, "p1", {"L1": 1})
    ship(o, "p1")
    with pytest.raises(CorrectionWindowClosed, match="72 hours"):
        o.correct_logistics("p1", INFO, NOW + timedelta(hours=73))


def test_cancel_units_takes_from_pool_then_unshipped_packages() -> None:
    o = order(("A", 4))
    ready(o, "p1", {"L1": 1})
    ship(o, "p1")
    o.create_package("p2", {"L1": 2}, NOW)
    o.cancel_units("L1", 2)  # 1 from the pool, 1 from p2
    assert o.package("p2").items == {"L1": 1}
    assert o.unassigned_items() == {}
    with pytest.raises(QuantityMismatch, match="1 unit"):
        o.cancel_units("L1", 2)
    o.cancel_units("L1", 1)
    assert o.package("p2").status is PackageStatus.CANCELLED
    assert o.status is OrderStatus.SHIPPED


def test_order_with_shipped_units_cannot_be_cancelled_whole() -> None:
    o = order(("A", 2))
    ready(o, "p1", {"L1": 1})
    ship(o, "p1")
    with pytest.raises(InvalidTransition, match="remaining units"):
        o.cancel()


def test_delivery_events_derive_partially_delivered_then_delivered() -> None:
    o = order(("A", 1), ("B", 1))
    ready(o, "p1", {"L1": 1})
    ready(o, "p2", {"L2": 1})
    ship(o, "p1")
    ship(o, "p2")
    delivered = TrackingEvent("e1", PackageStatus.DELIVERED, "delivered", NOW + timedelta(days=3))
    assert o.record_tracking_event("p1", delivered)
    assert o.status is OrderStatus.PARTIALLY_DELIVERED
    assert not o.record_tracking_event("p1", delivered)  # duplicate: nothing changes
    o.record_tracking_event(
        "p2", TrackingEvent("e2", PackageStatus.DELIVERED, "delivered", NOW + timedelta(days=4))
    )
    assert o.status is OrderStatus.DELIVERED


def test_late_event_for_earlier_milestone_never_moves_a_package_back() -> None:
    o = order(("A", 1))
    ready(o, "p1", {"L1": 1})
    ship(o, "p1")
    later = NOW + timedelta(days=2)
    o.record_tracking_event("p1", TrackingEvent("e2", PackageStatus.OUT_FOR_DELIVERY, "ofd", later))
    o.record_tracking_event(
        "p1", TrackingEvent("e1", PackageStatus.IN_TRANSIT, "transit", NOW + timedelta(days=1))
    )
    pkg = o.package("p1")
    assert pkg.status is PackageStatus.OUT_FOR_DELIVERY
    assert [e.id for e in pkg.tracking_events] == ["e1", "e2"]
