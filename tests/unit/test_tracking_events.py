"""Carrier events on the order aggregate: arrival order, duplicates, impossible moves, status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import NOW, channel, order
from splitship.domain import events as ev
from splitship.domain.errors import InvalidTransition
from splitship.domain.order import LogisticsInfo, Order, TrackingEvent
from splitship.domain.status import OrderStatus, PackageStatus

INFO = LogisticsInfo("china_post", "RR123456785CN", None, NOW)
S = PackageStatus
# Progress along the happy path; an event may never move a package to a lower rank.
RANK = {S.SHIPPED: 0, S.IN_TRANSIT: 1, S.OUT_FOR_DELIVERY: 2, S.DELIVERED: 3, S.RETURNED: 3}


def shipped_order(packages: int = 1) -> Order:
    o = order(*[(f"SKU{i}", 1) for i in range(packages)])
    for i in range(packages):
        pid = f"p{i + 1}"
        o.create_package(pid, {f"L{i + 1}": 1}, NOW, warehouse_id="w1")
        o.confirm_package(pid, channel(), None)
        o.record_logistics(pid, INFO)
        o.ship_package(pid, channel(), NOW)
    o.events.clear()
    o.audit.clear()
    return o


def event(eid: str, kind: str, hours: int, reason: str | None = None) -> TrackingEvent:
    status = None if kind == "attempted" else PackageStatus(kind)
    return TrackingEvent(eid, status, kind, NOW + timedelta(hours=hours), reason=reason)


def test_events_in_order_walk_the_package_to_delivered() -> None:
    o = shipped_order()
    for e in (event("e1", "in_transit", 1), event("e2", "out_for_delivery", 30)):
        assert o.record_tracking_event("p1", e)
    assert o.package("p1").status is S.OUT_FOR_DELIVERY
    assert o.status is OrderStatus.SHIPPED
    o.record_tracking_event("p1", event("e3", "delivered", 33))
    assert o.package("p1").status is S.DELIVERED
    assert o.status is OrderStatus.DELIVERED
    assert [e.name for e in o.events] == [ev.PACKAGE_DELIVERED, ev.ORDER_DELIVERED]


def test_delivered_arriving_first_is_final_and_earlier_events_only_fill_the_timeline() -> None:
    o = shipped_order()
    o.record_tracking_event("p1", event("e3", "delivered", 50))
    o.record_tracking_event("p1", event("e1", "in_transit", 1))
    o.record_tracking_event("p1", event("e2", "out_for_delivery", 40))
    pkg = o.package("p1")
    assert pkg.status is S.DELIVERED
    assert [e.id for e in pkg.tracking_events] == ["e1", "e2", "e3"]  # by time, not arrival


def test_duplicate_event_changes_nothing_the_second_time() -> None:
    o = shipped_order()
    e = event("e1", "in_transit", 1)
    assert o.record_tracking_event("p1", e) is True
    audit, events = len(o.audit), len(o.events)
    assert o.record_tracking_event("p1", e) is False
    # Same id with other content is still the same carrier event.
    assert o.record_tracking_event("p1", event("e1", "delivered", 9)) is False
    assert o.package("p1").status is S.IN_TRANSIT
    assert len(o.package("p1").tracking_events) == 1
    assert (len(o.audit), len(o.events)) == (audit, events)


def test_attempted_joins_the_timeline_without_moving_the_package() -> None:
    o = shipped_order()
    o.record_tracking_event("p1", event("e1", "out_for_delivery", 1))
    o.record_tracking_event("p1", event("e2", "attempted", 2))
    assert o.package("p1").status is S.OUT_FOR_DELIVERY
    assert [e.kind for e in o.package("p1").tracking_events] == ["out_for_delivery", "attempted"]


def test_exception_with_reason_then_recovery_moves_on() -> None:
    o = shipped_order()
    o.record_tracking_event("p1", event("e1", "exception", 5, reason="invalid_address"))
    assert o.package("p1").status is S.EXCEPTION
    assert o.events[-1].name == ev.PACKAGE_EXCEPTION
    assert o.events[-1].data["reason"] == "invalid_address"
    o.record_tracking_event("p1", event("e2", "in_transit", 20))
    assert o.package("p1").status is S.IN_TRANSIT


def test_nothing_moves_a_delivered_or_returned_package() -> None:
    o = shipped_order(2)
    o.record_tracking_event("p1", event("e1", "delivered", 5))
    o.record_tracking_event("p2", event("e2", "returned", 5))
    o.record_tracking_event("p1", event("e3", "exception", 9, reason="lost"))
    o.record_tracking_event("p2", event("e4", "in_transit", 9))
    assert (o.package("p1").status, o.package("p2").status) == (S.DELIVERED, S.RETURNED)


def test_events_for_a_package_that_has_not_shipped_are_refused() -> None:
    o = order(("A", 1))
    o.create_package("p1", {"L1": 1}, NOW, warehouse_id="w1")
    with pytest.raises(InvalidTransition, match="has not shipped"):
        o.record_tracking_event("p1", event("e1", "in_transit", 1))
    assert o.package("p1").tracking_events == []


def test_order_status_follows_deliveries_partially_then_fully() -> None:
    o = shipped_order(3)
    assert o.status is OrderStatus.SHIPPED
    o.record_tracking_event("p2", event("e1", "delivered", 10))
    assert o.status is OrderStatus.PARTIALLY_DELIVERED
    o.record_tracking_event("p1", event("e2", "delivered", 11))
    assert o.status is OrderStatus.PARTIALLY_DELIVERED
    o.record_tracking_event("p3", event("e3", "delivered", 12))
    assert o.status is OrderStatus.DELIVERED
    names = [e.name for e in o.events]
    assert names.count(ev.PACKAGE_DELIVERED) == 3 and names.count(ev.ORDER_DELIVERED) == 1


KINDS = ["in_transit", "out_for_delivery", "delivered", "attempted", "returned"]
feed = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(min_value=1, max_value=200)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(feed, st.randoms(use_true_random=False))
def test_any_arrival_order_with_repeats_never_moves_a_package_backwards(
    items: list[tuple[str, int]], rnd: object
) -> None:
    o = shipped_order()
    events = [event(f"e{i}", kind, hours) for i, (kind, hours) in enumerate(items)]
    arrivals = events + events[: len(events) // 2]  # some sent twice
    rnd.shuffle(arrivals)  # type: ignore[attr-defined]
    rank = 0
    for e in arrivals:
        o.record_tracking_event("p1", e)
        now_rank = RANK[o.package("p1").status]
        assert now_rank >= rank
        rank = now_rank
    pkg = o.package("p1")
    assert sorted(e.id for e in pkg.tracking_events) == sorted(e.id for e in events)
    terminal = {e.status for e in events} & {S.DELIVERED, S.RETURNED}
    if S.DELIVERED in terminal and pkg.status is not S.RETURNED:
        assert pkg.status is S.DELIVERED
    if pkg.status is S.DELIVERED:
        assert o.status is OrderStatus.DELIVERED


@settings(max_examples=100, deadline=None)
@given(st.permutations(list(range(4))))
def test_a_progressing_feed_ends_in_the_same_state_whatever_the_arrival_order(
    order_of_arrival: list[int],
) -> None:
    feed_events = [
        event("e0", "in_transit", 1),
        event("e1", "out_for_delivery", 20),
        event("e2", "attempted", 22),
        event("e3", "delivered", 26),
    ]
    o = shipped_order()
    for i in order_of_arrival:
        o.record_tracking_event("p1", feed_events[i])
    assert o.package("p1").status is S.DELIVERED
    assert [e.id for e in o.package("p1").tracking_events] == ["e0", "e1", "e2", "e3"]
    assert o.status is OrderStatus.DELIVERED
