"""Where units ship from: the warehouse allocation strategies.

Warehouse ``priority``: lower numbers are tried first (ties by id). Stock is shared by all lines
of the same SKU. Pre-sale units (available later) are not held to today's stock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from splitship.domain.catalog import Warehouse

MAX_CANDIDATES = 4


# each writes its ``__init__``: the compiled build runs it natively (see ``packing.Kind``)


@dataclass(init=False, unsafe_hash=True)
class Demand:
    line_id: str
    sku: str
    quantity: int
    needs_stock: bool

    def __init__(self, line_id: str, sku: str, quantity: int, needs_stock: bool = True) -> None:
        self.line_id = line_id
        self.sku = sku
        self.quantity = quantity
        self.needs_stock = needs_stock  # False for pre-sale units and shops that do not track stock


@dataclass(init=False)
class Allocation:
    picks: dict[str, list[tuple[str, int]]]
    shortfall: dict[str, int]

    def __init__(
        self,
        picks: dict[str, list[tuple[str, int]]] | None = None,
        shortfall: dict[str, int] | None = None,
    ) -> None:
        # line id -> [(warehouse id, units)]
        self.picks = {} if picks is None else picks
        # line id -> units nobody has
        self.shortfall = {} if shortfall is None else shortfall

    def warehouses(self) -> set[str]:
        return {w for picks in self.picks.values() for w, _ in picks}


def _distance(w: Warehouse, country: str, region: str | None) -> int:
    if w.country != country:
        return 2
    return 0 if region is not None and w.region == region else 1


def ordered(
    warehouses: Sequence[Warehouse], strategy: str, country: str, region: str | None
) -> list[Warehouse]:
    if strategy == "nearest":
        return sorted(warehouses, key=lambda w: (_distance(w, country, region), w.priority, w.id))
    return sorted(warehouses, key=lambda w: (w.priority, w.id))


def _fill(
    demands: Sequence[Demand],
    order_for: dict[str, list[Warehouse]],
    stock: dict[tuple[str, str], int],
    allow_unit_split: bool,
) -> Allocation:
    """Take each line from its warehouses in order, whole lines first where one warehouse can."""
    out = Allocation()
    for d in demands:
        whs = order_for[d.line_id]
        if not whs:
            out.shortfall[d.line_id] = d.quantity
            continue
        if not d.needs_stock:
            out.picks[d.line_id] = [(whs[0].id, d.quantity)]
            continue
        whole = None
        for w in whs:
            if stock.get((w.id, d.sku), 0) >= d.quantity:
                whole = w
                break
        if whole is not None:
            stock[(whole.id, d.sku)] -= d.quantity
            out.picks[d.line_id] = [(whole.id, d.quantity)]
            continue
        if not allow_unit_split:
            out.shortfall[d.line_id] = d.quantity
            continue
        left = d.quantity
        picks: list[tuple[str, int]] = []
        for w in whs:
            take = min(left, stock.get((w.id, d.sku), 0))
            if take > 0:
                stock[(w.id, d.sku)] -= take
                picks.append((w.id, take))
                left -= take
            if left == 0:
                break
        if picks:
            out.picks[d.line_id] = picks
        if left:
            out.shortfall[d.line_id] = left
    return out


def _stock(
    warehouses: Sequence[Warehouse], demands: Sequence[Demand]
) -> dict[tuple[str, str], int]:
    return {(w.id, d.sku): max(w.available(d.sku), 0) for w in warehouses for d in demands}


def _covers(
    subset: Sequence[Warehouse],
    demands: Sequence[Demand],
    allow_unit_split: bool,
    need: dict[str, int],
    have: dict[tuple[str, str], int],
) -> bool:
    """``need``: units per SKU that must come from stock; ``have``: the stock per (warehouse,
    SKU) of the order's SKUs (never below 0)."""
    for sku, qty in need.items():
        total = 0
        for w in subset:
            total += have[(w.id, sku)]
        if total < qty:
            return False
    if not allow_unit_split:
        # each line whole from one warehouse; checked greedily by _fill afterwards
        stock = {(w.id, d.sku): have[(w.id, d.sku)] for w in subset for d in demands}
        return not _fill(
            demands, {d.line_id: list(subset) for d in demands}, stock, False
        ).shortfall
    return True


def allocate(
    demands: Sequence[Demand],
    warehouses: Sequence[Warehouse],
    strategy: str,
    country: str,
    region: str | None,
    allow_unit_split: bool,
) -> list[Allocation]:
    """Candidate allocations, best first by the strategy; the planner prices each one.

    Only ``fewest_packages`` returns more than one candidate (every smallest set of warehouses
    that covers the order, up to a few), since the cheapest among them is then chosen.
    """
    base = ordered(warehouses, strategy, country, region)
    if not base:
        return [Allocation(shortfall={d.line_id: d.quantity for d in demands})]
    if strategy == "highest_stock":
        stock = _stock(base, demands)
        order_for = {d.line_id: _by_stock(base, d.sku) for d in demands}
        return [_fill(demands, order_for, stock, allow_unit_split)]
    if strategy in ("priority_order", "nearest") or len(base) == 1:
        # (one warehouse: its only covering set, if it covers, fills the lines the same way)
        return [
            _fill(
                demands, {d.line_id: base for d in demands}, _stock(base, demands), allow_unit_split
            )
        ]
    # fewest_packages: the smallest sets of warehouses that cover every line.
    have = _stock(base, demands)  # read once: every subset below is checked against it
    need: dict[str, int] = {}
    for d in demands:
        if d.needs_stock:
            need[d.sku] = need.get(d.sku, 0) + d.quantity
    candidates: list[Allocation] = []
    for size in range(1, min(len(base), 4) + 1):
        for subset in combinations(base, size):
            if _covers(subset, demands, allow_unit_split, need, have):
                candidates.append(_concentrated(demands, list(subset), allow_unit_split, have))
                if len(candidates) >= MAX_CANDIDATES:
                    return candidates
        if candidates:
            return candidates
    return [_fill(demands, {d.line_id: base for d in demands}, dict(have), allow_unit_split)]


def _by_stock(warehouses: Sequence[Warehouse], sku: str) -> list[Warehouse]:
    return sorted(warehouses, key=lambda w: (-w.available(sku), w.priority, w.id))


def _concentrated(
    demands: Sequence[Demand],
    subset: list[Warehouse],
    allow_unit_split: bool,
    have: dict[tuple[str, str], int],
) -> Allocation:
    """Within a covering set, send each line from the warehouse that can serve most of the
    order, so that units gather in as few parcels as possible. ``have``: as for ``_covers``
    (a line always wants at least one unit, so stock below 0 serves it no more than 0 does)."""
    serves: dict[str, int] = {}
    stock: dict[tuple[str, str], int] = {}
    for w in subset:
        n = 0
        for d in demands:
            key = (w.id, d.sku)
            units = stock[key] = have[key]
            if units >= d.quantity:
                n += d.quantity
        serves[w.id] = n
    order = sorted(subset, key=lambda w: (-serves[w.id], w.priority, w.id))
    return _fill(demands, {d.line_id: order for d in demands}, stock, allow_unit_split)
