from __future__ import annotations

import pytest

from builders import GIFT, NOW, attrs, order
from splitship.domain.errors import (
    InvalidInput,
    InvalidTransition,
    LimitExceeded,
    OnHold,
    QuantityMismatch,
    RuleViolation,
    UnitSplitNotAllowed,
)
from splitship.domain.order import Hold, HoldReason
from splitship.domain.status import OrderStatus, PackageStatus


def test_new_order_has_every_unit_unassigned_and_awaits_shipment() -> None:
    o = order(("A", 3), ("B", 1))
    assert o.unassigned_items() == {"L1": 3, "L2": 1}
    assert o.status is OrderStatus.AWAITING_SHIPMENT


def test_create_package_takes_units_from_the_pool() -> None:
    o = order(("A", 3), ("B", 1))
    pkg = o.create_package("p1", {"L1": 2}, NOW)
    assert pkg.number == 1 and pkg.status is PackageStatus.OPEN
    assert o.unassigned_items() == {"L1": 1, "L2": 1}
    assert [a.action for a in o.audit] == ["package.created"]


def test_package_cannot_take_more_units_than_unassigned() -> None:
    o = order(("A", 3))
    o.create_package("p1", {"L1": 2}, NOW)
    with pytest.raises(QuantityMismatch, match="1 unassigned"):
        o.create_package("p2", {"L1": 2}, NOW)
    assert len(o.packages) == 1


@pytest.mark.parametrize("qty", [0, -1])
def test_non_positive_quantities_are_refused(qty: int) -> None:
    o = order(("A", 3))
    with pytest.raises(InvalidInput):
        o.create_package("p1", {"L1": qty}, NOW)


def test_unknown_line_is_not_found() -> None:
    o = order(("A", 3))
    with pytest.raises(Exception, match="no line L9"):
        o.create_package("p1", {"L9": 1}, NOW)


def test_whole_line_shops_refuse_unit_splits_but_accept_whole_lines() -> None:
    o = order(("A", 3), ("B", 2))
    with pytest.raises(UnitSplitNotAllowed, match="whole lines"):
        o.create_package("p1", {"L1": 2}, NOW, allow_unit_split=False)
    o.create_package("p1", {"L1": 3}, NOW, allow_unit_split=False)
    o.create_package("p2", {"L2": 2}, NOW, allow_unit_split=False)
    assert o.unassigned_items() == {}


def test_lines_for_different_addresses_cannot_share_a_package() -> None:
    o = order(("A", 1), ("B", 1))
    o.lines[1].address = GIFT
    with pytest.raises(RuleViolation, match="different addresses"):
        o.create_package("p1", {"L1": 1, "L2": 1}, NOW)
    assert o.create_package("p1", {"L2": 1}, NOW).address == GIFT


def test_battery_and_liquid_cannot_share_a_package_when_segregated() -> None:
    o = order(("BAT", 1, attrs(tags=("battery",))), ("OIL", 1, attrs(tags=("liquid",))))
    groups = (frozenset({"battery", "liquid"}),)
    with pytest.raises(LimitExceeded, match="battery, liquid"):
        o.create_package("p1", {"L1": 1, "L2": 1}, NOW, segregation=groups)
    o.create_package("p1", {"L1": 1}, NOW, segregation=groups)
    o.create_package("p2", {"L2": 1}, NOW, segregation=groups)
    with pytest.raises(LimitExceeded):
        o.merge_packages("p1", "p2", segregation=groups)


def test_move_units_between_open_packages_and_cancel_emptied_source() -> None:
    o = order(("A", 3))
    o.create_package("p1", {"L1": 2}, NOW)
    o.create_package("p2", {"L1": 1}, NOW)
    o.move_units("p1", "p2", "L1", 2)
    assert o.package("p2").items == {"L1": 3}
    assert o.package("p1").status is PackageStatus.CANCELLED


def test_move_more_units_than_held_is_refused() -> None:
    o = order(("A", 3))
    o.create_package("p1", {"L1": 1}, NOW)
    o.create_package("p2", {"L1": 2}, NOW)
    with pytest.raises(QuantityMismatch):
        o.move_units("p1", "p2", "L1", 2)


def test_move_to_new_package_keeps_the_source_warehouse() -> None:
    o = order(("A", 3))
    o.create_package("p1", {"L1": 3}, NOW, warehouse_id="w1")
    new = o.move_units_to_new("p1", "p2", "L1", 1, NOW)
    assert new.items == {"L1": 1} and new.warehouse_id == "w1"
    assert o.package("p1").items == {"L1": 2}


def test_merge_combines_items_and_cancels_the_source() -> None:
    o = order(("A", 1), ("B", 2))
    o.create_package("p1", {"L1": 1}, NOW)
    o.create_package("p2", {"L2": 2}, NOW)
    o.merge_packages("p1", "p2")
    assert o.package("p1").items == {"L1": 1, "L2": 2}
    assert o.package("p2").status is PackageStatus.CANCELLED
    assert o.unassigned_items() == {}


def test_undo_split_returns_open_packages_units_to_the_pool() -> None:
    o = order(("A", 2), ("B", 1))
    o.create_package("p1", {"L1": 2}, NOW)
    o.create_package("p2", {"L2": 1}, NOW)
    o.undo_split()
    assert o.unassigned_items() == {"L1": 2, "L2": 1}
    assert not o.live_packages


def test_a_held_order_cannot_be_split_and_the_refusal_names_the_hold() -> None:
    o = order(("A", 2))
    o.place_hold(Hold("h1", HoldReason.FRAUD_REVIEW, "check", NOW))
    assert o.status is OrderStatus.ON_HOLD
    with pytest.raises(OnHold, match="fraud_review h1"):
        o.create_package("p1", {"L1": 1}, NOW)
    o.release_hold("h1", NOW)
    o.create_package("p1", {"L1": 1}, NOW)
    assert o.status is OrderStatus.AWAITING_SHIPMENT


def test_releasing_a_hold_twice_is_refused() -> None:
    o = order(("A", 2))
    o.place_hold(Hold("h1", HoldReason.ADDRESS_CHECK, "", NOW))
    o.release_hold("h1", NOW)
    with pytest.raises(InvalidTransition):
        o.release_hold("h1", NOW)


def test_cancelled_order_cannot_be_split_or_cancelled_again() -> None:
    o = order(("A", 2))
    o.create_package("p1", {"L1": 1}, NOW)
    o.cancel()
    assert o.status is OrderStatus.CANCELLED
    assert not o.live_packages
    with pytest.raises(InvalidTransition):
        o.create_package("p2", {"L1": 1}, NOW)
    with pytest.raises(InvalidTransition):
        o.cancel()
