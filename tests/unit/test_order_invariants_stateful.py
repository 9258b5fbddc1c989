"""Random sequences of split / move / merge / undo / confirm / ship / cancel never break
invariants 1-3 (units conserved, shipped packages frozen, status derived from packages)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from builders import GIFT, NOW, attrs, channel
from splitship.domain.errors import SplitshipError
from splitship.domain.order import Address, Hold, HoldReason, LogisticsInfo, Order, OrderLine
from splitship.domain.status import SHIPPED_STATES, OrderStatus, PackageStatus, derive_order_status

CHANNEL = channel(max_weight_g=4000)
INFO = LogisticsInfo("china_post", "RR123456785CN", None, NOW)
SEGREGATION = (frozenset({"battery", "liquid"}),)


class OrderMachine(RuleBasedStateMachine):
    order: Order
    frozen: dict[str, tuple[dict[str, int], str | None, Address]]

    @initialize(
        lines=st.lists(
            st.tuples(
                st.integers(1, 6),
                st.integers(100, 1500),
                st.sampled_from([(), ("battery",), ("liquid",)]),
                st.booleans(),
            ),
            min_size=1,
            max_size=4,
        ),
        unit_split=st.booleans(),
    )
    def make_order(
        self, lines: list[tuple[int, int, tuple[str, ...], bool]], unit_split: bool
    ) -> None:
        self.unit_split = unit_split
        self.next_id = 0
        self.frozen = {}
        self.order = Order(
            id="o",
            shop_id="s",
            source="t",
            external_id="E",
            address=Address("Ada", "1 Main", "Austin", "US"),
            lines=[
                OrderLine(
                    f"L{i}",
                    f"S{i}",
                    f"S{i}",
                    qty,
                    100,
                    attrs(weight_g=w, tags=tags),
                    GIFT if gift else None,
                )
                for i, (qty, w, tags, gift) in enumerate(lines)
            ],
            created_at=NOW,
        )

    def _pid(self) -> str:
        self.next_id += 1
        return f"p{self.next_id}"

    def _attempt(self, fn: Any, *args: Any, **kw: Any) -> None:
        """A refused operation must leave the order exactly as it was."""
        before = _fingerprint(self.order)
        try:
            fn(*args, **kw)
        except SplitshipError:
            assert _fingerprint(self.order) == before

    def _pick(self, data: st.DataObject, live: bool = True) -> str | None:
        pkgs = self.order.live_packages if live else self.order.packages
        if not pkgs:
            return None
        return data.draw(st.sampled_from([p.id for p in pkgs]))

    @rule(data=st.data())
    def create_package(self, data: st.DataObject) -> None:
        line = data.draw(st.sampled_from(self.order.lines))
        qty = data.draw(st.integers(0, line.quantity + 1))
        self._attempt(
            self.order.create_package,
            self._pid(),
            {line.id: qty},
            NOW,
            allow_unit_split=self.unit_split,
            warehouse_id="w1",
            segregation=SEGREGATION,
        )

    @rule(data=st.data())
    def move(self, data: st.DataObject) -> None:
        src, dst = self._pick(data), self._pick(data)
        if src is None or dst is None:
            return
        line = data.draw(st.sampled_from(self.order.lines))
        qty = data.draw(st.integers(0, 4))
        if data.draw(st.booleans()):
            self._attempt(
                self.order.move_units,
                src,
                dst,
                line.id,
                qty,
                allow_unit_split=self.unit_split,
                segregation=SEGREGATION,
            )
        else:
            self._attempt(
                self.order.move_units_to_new,
                src,
                self._pid(),
                line.id,
                qty,
                NOW,
                allow_unit_split=self.unit_split,
            )

    @rule(data=st.data())
    def merge(self, data: st.DataObject) -> None:
        a, b = self._pick(data), self._pick(data)
        if a and b:
            self._attempt(self.order.merge_packages, a, b, segregation=SEGREGATION)

    @rule()
    def undo(self) -> None:
        self._attempt(self.order.undo_split)

    @rule(data=st.data())
    def confirm(self, data: st.DataObject) -> None:
        pid = self._pick(data)
        if pid:
            self._attempt(self.order.confirm_package, pid, CHANNEL, None, segregation=SEGREGATION)

    @rule(data=st.data())
    def ship(self, data: st.DataObject) -> None:
        pid = self._pick(data)
        if pid:
            self._attempt(self.order.record_logistics, pid, INFO)
            self._attempt(self.order.ship_package, pid, CHANNEL, NOW)

    @rule(data=st.data())
    def cancel_package(self, data: st.DataObject) -> None:
        pid = self._pick(data, live=False)
        if pid:
            self._attempt(self.order.cancel_package, pid)

    @rule(data=st.data())
    def cancel_units(self, data: st.DataObject) -> None:
        line = data.draw(st.sampled_from(self.order.lines))
        self._attempt(self.order.cancel_units, line.id, data.draw(st.integers(0, 3)))

    @rule()
    def cancel_order(self) -> None:
        self._attempt(self.order.cancel)

    @rule(data=st.data())
    def hold_and_release(self, data: st.DataObject) -> None:
        hold = Hold(self._pid(), HoldReason.OTHER, "", NOW, package_id=self._pick(data))
        self.order.place_hold(hold)
        if data.draw(st.booleans()):
            self.order.release_hold(hold.id, NOW)

    @invariant()
    def units_are_conserved(self) -> None:
        o = self.order
        for ln in o.lines:
            packed = sum(p.items.get(ln.id, 0) for p in o.live_packages)
            unassigned = o.unassigned(ln.id)
            assert unassigned >= 0
            assert packed + unassigned == ln.quantity - o.cancelled_qty.get(ln.id, 0)

    @invariant()
    def shipped_packages_never_change(self) -> None:
        for p in self.order.packages:
            if p.status in SHIPPED_STATES:
                snapshot = (dict(p.items), p.warehouse_id, p.address)
                assert self.frozen.setdefault(p.id, snapshot) == snapshot
            else:
                assert p.id not in self.frozen

    @invariant()
    def status_is_a_function_of_packages_holds_and_cancellation(self) -> None:
        o = self.order
        shipped = [p for p in o.live_packages if p.status in SHIPPED_STATES]
        expected = derive_order_status(
            cancelled=o.cancelled,
            on_hold=any(h.active and h.package_id is None for h in o.holds),
            units_to_ship=sum(ln.quantity - o.cancelled_qty.get(ln.id, 0) for ln in o.lines),
            units_shipped=sum(p.units for p in shipped),
            shipped_packages=len(shipped),
            delivered_packages=sum(p.status is PackageStatus.DELIVERED for p in shipped),
        )
        assert o.status is expected
        if o.status is OrderStatus.SHIPPED:
            assert not o.unassigned_items()


def _fingerprint(o: Order) -> Any:
    return (
        [
            (p.id, p.status, dict(p.items), p.warehouse_id, p.channel_id, p.logistics)
            for p in o.packages
        ],
        dict(o.cancelled_qty),
        o.cancelled,
        len(o.holds),
    )


OrderMachine.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_order_invariants_hold_under_random_operations = OrderMachine.TestCase
