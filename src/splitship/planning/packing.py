"""The packing search: put blocks of units into parcels at the least total cost.

One call solves one group of units that may share parcels (same address, warehouse and ship
date). A *kind* is a block of units that must stay together (one unit, a whole line, a kit),
repeated ``count`` times. A parcel's cost is its cheapest feasible channel × box price plus the
handling cost, so the objective is cost, not the number of parcels.

Lower bounds. Every parcel is charged at one *level* of one option (a price level of a channel
with a box, or one unit in its own packaging), which caps its content weight and volume. For a
size measure ``a·weight + b·volume`` (weight only, volume only, mixed) a packing is a cover of
the blocks' total size by levels, so the least cost of a cover bounds it from below: exactly
(no rounding) for covers by one or two parcels, by lines under every level (``3f + s·size``)
or a covering table on a grid for three or more; the bound is the least of the three, each
the strongest over the measures. Blocks too heavy for any two to share a parcel each pay their
own parcel.

Search, stopping as soon as the cost meets the bound:

0. special cases: one parcel (when no split can be cheaper), one kind of block (exact dynamic
   programme over blocks per parcel), a handful of blocks (exhaustive), plain bin packing (every
   parcel costs the same and only weight limits it: ``binpack``);
1. constructive: the levels of the bound's cheapest cover (and k copies of the largest level of
   an option that takes every block) filled in turn by exact subset sum on weight, segregated
   tags first or not; best-fit decreasing by added cost; the baseline's worst-fit decreasing
   by weight (so a plan never costs more than it);
2. local search within a budget of parcel evaluations: re-split two parcels (or split one) at
   every price level by exact subset sum, empty the lightest parcels by swapping their blocks
   into fuller ones, merges, moves and swaps between parcel pairs;
3. small groups: branch and bound over the parcel that holds the heaviest remaining block,
   children ordered by cost + bound of the rest, skipping parcels that could take another block
   at no extra cost (dominated), with a transposition table; capped by a work limit.

Everything is integer arithmetic with fixed orders, so the result is deterministic.
"""

from __future__ import annotations

from bisect import bisect_left as _c_bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from operator import itemgetter
from types import FunctionType
from typing import Final, cast

from splitship.planning import binpack
from splitship.planning.rates import INF, BinPricer, Level, Option, price_key

# the covering bound's grid: cells of 1/CELLS of the largest level, 1/CELLS_MAX for groups of
# more than FINE_BLOCKS blocks (where the grid decides the bound), at most GRID_MAX cells
CELLS = 64
CELLS_MAX = 256
FINE_BLOCKS = 30
GRID_MAX = 8192
# exact two-piece covers remembered per cover
TWO_MEMO = 50_000
# groups of more blocks than this: the cheaper constructive heuristics only
BIG_BLOCKS = 200
# groups of at most this many blocks are searched exhaustively without the covering bound
TINY = 6


def _native_bisect_left(a: list[int], x: int) -> int:
    """``bisect.bisect_left`` on a list of ints, for the compiled build: there a loop over the
    list's ints runs natively, where ``bisect`` compares boxed ints through the interpreter
    (a tenth of a big order's planning was those comparisons)."""
    lo = 0
    hi = len(a)
    while lo < hi:
        mid = (lo + hi) >> 1
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


# compiled, a function is no longer a Python function object
_NATIVE: Final = not isinstance(_native_bisect_left, FunctionType)


def bisect_left(a: list[int], x: int) -> int:
    """The first position in ascending ``a`` whose value is at least ``x``."""
    if _NATIVE:
        return _native_bisect_left(a, x)
    return _c_bisect_left(a, x)


_marks = [0]


def _new_mark() -> int:
    """A fresh ``Packer._place`` memo mark. (Parcels belong to one planning call, so marks
    need only differ within one: a counter will do, even shared between threads.)"""
    _marks[0] += 1
    return _marks[0]


# The planner's own value types below write their ``__init__`` (``dataclass(init=False)``): the
# compiled build runs a class's own ``__init__`` natively, while a dataclass's generated one runs
# as Python (several times slower, and the planner makes many). Comparison, hash and repr are
# still the dataclass's, as when they were frozen; nothing changes them after construction.


@dataclass(init=False, unsafe_hash=True)
class Kind:
    """A block of units that must stay together (one unit, a whole line, a kit), ``count``
    times."""

    key: tuple[tuple[str, int], ...]
    count: int
    weight: int
    volume: int
    units: int
    value: int
    tags: int
    dims: tuple[int, int, int]
    chmask: int
    caps: tuple[int, ...]

    def __init__(
        self,
        key: tuple[tuple[str, int], ...],
        count: int,
        weight: int,
        volume: int,
        units: int,
        value: int,
        tags: int,
        dims: tuple[int, int, int],
        chmask: int,
        caps: tuple[int, ...],
    ) -> None:
        self.key = key  # (line id, units) in one block
        self.count = count
        self.weight = weight
        self.volume = volume
        self.units = units
        self.value = value
        self.tags = tags  # bit mask
        self.dims = dims  # sorted sides of the largest unit, (0, 0, 0) when unknown
        self.chmask = chmask  # channels allowed for this block
        self.caps = caps  # contribution to each per-parcel cap


class Parcel:
    __slots__ = (
        "caps",
        "chmask",
        "cost",
        "counts",
        "d0",
        "d1",
        "d2",
        "mark",
        "mark_cost",
        "mark_option",
        "option",
        "tags",
        "units",
        "value",
        "volume",
        "weight",
    )

    def __init__(
        self,
        counts: list[int],
        weight: int,
        volume: int,
        units: int,
        value: int,
        tags: int,
        d0: int,
        d1: int,
        d2: int,
        chmask: int,
        caps: list[int],
        cost: int,
        option: int,
    ) -> None:
        self.counts = counts
        self.weight = weight
        self.volume = volume
        self.units = units
        self.value = value
        self.tags = tags
        self.d0 = d0
        self.d1 = d1
        self.d2 = d2
        self.chmask = chmask
        self.caps = caps
        self.cost = cost
        self.option = option
        # ``Packer._place``'s memo: the cost and option of this parcel with one more block of
        # the kind being placed under ``mark`` (0: none); any change to the parcel clears it
        self.mark = 0
        self.mark_cost = 0
        self.mark_option = -1

    def copy(self) -> Parcel:
        return Parcel(
            list(self.counts),
            self.weight,
            self.volume,
            self.units,
            self.value,
            self.tags,
            self.d0,
            self.d1,
            self.d2,
            self.chmask,
            list(self.caps),
            self.cost,
            self.option,
        )


@dataclass(init=False, unsafe_hash=True)
class PackResult:
    parcels: list[Parcel]
    cost: int
    lower_bound: int
    proven: bool
    heuristic_only: bool

    def __init__(
        self,
        parcels: list[Parcel],
        cost: int,
        lower_bound: int,
        proven: bool,
        heuristic_only: bool = False,
    ) -> None:
        self.parcels = parcels
        self.cost = cost
        self.lower_bound = lower_bound
        self.proven = proven
        # the quick mode left out searches a full solve would run (``Packer.solve`` on the same
        # packer then continues from the constructive work already done)
        self.heuristic_only = heuristic_only


def total(parcels: Sequence[Parcel]) -> int:
    return sum(p.cost for p in parcels)


# ---- covering bound ------------------------------------------------------------------------


def _staircase(pieces: Iterable[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """(capacity, cost, tag) pieces reduced to a staircase: the cheapest piece of each
    capacity (the first on a tie), then only those cheaper than every larger one; ascending in
    capacity and cost."""
    # Largest capacity first (the sort is stable: equal capacities keep their order). The
    # pieces are read as tuples of any length, which the compiled build keeps as they are
    # (as three ints it would take each apart and make a new one to keep it).
    ps: list[tuple[int, ...]] = sorted(pieces, key=_capacity, reverse=True)
    stair: list[tuple[int, ...]] = []
    n = len(ps)
    k = 0
    while k < n:
        best = ps[k]
        cap = best[0]
        k += 1
        while k < n and ps[k][0] == cap:
            if ps[k][1] < best[1]:
                best = ps[k]
            k += 1
        if not stair or best[1] < stair[-1][1]:
            stair.append(best)
    stair.reverse()
    return cast(list[tuple[int, int, int]], stair)


_capacity = itemgetter(0)


class _Cover:
    """Least cost of levels whose capacities ``a·w + b·v`` add up to a size.

    Exact (no grid) for covers by one or two pieces; on a grid for covers by more (capacities
    rounded up to whole cells, sizes down, so the tables bound from below). The grid is built
    on first use, finer for sizes that need many pieces."""

    __slots__ = (
        "a",
        "b",
        "caps",
        "cell",
        "choice",
        "cmin",
        "costs",
        "fine",
        "lens",
        "lines",
        "pieces",
        "scost",
        "size_max",
        "t2",
        "t2x",
        "t3",
        "table",
        "tags",
        "useful",
        "x_lim",
    )

    def __init__(
        self, a: int, b: int, pieces: Sequence[tuple[int, int, int]], size: int, fine: bool
    ) -> None:
        # pieces: (capacity, cost, tag); tag identifies the level for the guided packing
        self.a, self.b = a, b
        self.fine = fine
        self.size_max = size
        # exact staircase (a piece of size 0 covers nothing, but still counts as a parcel)
        stair = _staircase(pieces)
        self.caps = [c for c, _, _ in stair]
        self.scost = [c for _, c, _ in stair]
        self.tags = [t for _, _, t in stair]
        self.cmin = self.scost[0]
        # lower convex hull of the (capacity, cost) points: lines under every piece
        hull: list[tuple[int, int]] = []
        for pt in zip(self.caps, self.scost, strict=True):
            while len(hull) >= 2:
                (x1, y1), (x2, y2) = hull[-2], hull[-1]
                if (y2 - y1) * (pt[0] - x1) >= (pt[1] - y1) * (x2 - x1):
                    hull.pop()  # hull[-1] lies on or above the chord
                else:
                    break
            hull.append(pt)
        # edges whose line meets the cost axis at or above 0: (x1, y1, dx, dy)
        self.lines = [
            (x1, y1, x2 - x1, y2 - y1)
            for (x1, y1), (x2, y2) in pairwise(hull)
            if y1 * (x2 - x1) >= (y2 - y1) * x1
        ]
        self.cell = 0  # no grid yet
        self.lens: list[int] = []
        self.costs: list[int] = []
        self.pieces: list[int] = []
        self.table: list[int] = []
        self.choice: list[int] = []
        self.x_lim = 0
        self.t2: dict[int, int] = {}
        self.t2x: dict[int, tuple[int, int, int]] = {}  # exact two-piece covers by size
        self.t3: dict[int, int] = {}
        self.useful: list[tuple[int, int, int]] = []  # pieces worth combining on the grid

    def grid_cell(self) -> int:
        """Cells of 1/CELLS of the largest piece (1/CELLS_MAX for groups of many blocks, where
        the grid decides the bound), at most GRID_MAX in all; the rounding loses at most a cell
        per piece."""
        cells = CELLS_MAX if self.fine else CELLS
        return max(1, self.caps[-1] // cells, self.size_max // GRID_MAX)

    def grow(self, size: int, cell: int) -> None:
        """Cover sizes up to ``size`` on the same grid (cells of ``cell``, which ``size`` keeps:
        ``size // GRID_MAX <= cell``): a table already built is extended. Every entry and
        remembered bound stays what it was (a table entry depends only on smaller ones), so
        groups of any size read the same values."""
        self.size_max = size
        if self.cell:
            self._extend(size // self.cell)

    def _grid(self) -> None:
        caps = self.caps
        cell = self.grid_cell()
        self.cell = cell
        # pieces in whole cells; size 0 is counted apart where the number of parcels matters
        gstair = _staircase(
            [
                (-(-cap // cell), cost, tag)
                for cap, cost, tag in zip(caps, self.scost, self.tags, strict=True)
                if cap > 0
            ]
        )
        self.lens = [ln for ln, _, _ in gstair]
        self.costs = [c for _, c, _ in gstair]
        self.pieces = [t for _, _, t in gstair]
        self.table = [0]
        self.choice = [-1]
        self.useful = []
        self._extend(self.size_max // cell)

    def _extend(self, x_max: int) -> None:
        """The table and choices up to ``x_max`` cells, from where they end."""
        lens, costs, table, choice = self.lens, self.costs, self.table, self.choice
        m = len(lens)
        top = lens[-1]
        # Pieces worth combining: a piece that smaller pieces together cover for strictly less
        # is in no cheapest cover (swapping it for them would be cheaper still), so it never
        # attains a minimum below and leaving it out changes no entry and no choice. A piece
        # is judged when x reaches its length, from the pieces judged before it.
        useful = self.useful  # (length, cost, index), ascending
        for x in range(len(table), min(x_max, top) + 1):
            j = bisect_left(lens, x)
            combo_v, combo_q = INF, -1
            for ln, c, q in useful:  # every piece shorter than x
                v = c + table[x - ln]
                if v < combo_v:
                    combo_v, combo_q = v, q
            if j < m and costs[j] <= combo_v:
                table.append(costs[j])
                choice.append(j)
            else:
                table.append(combo_v)
                choice.append(combo_q)
            if j < m and lens[j] == x and combo_v >= costs[j]:
                useful.append((x, costs[j], j))
        # Past the largest piece every entry combines pieces. (A plain loop: the least value
        # and the first piece at it, as before, without a list of every value for each entry,
        # which was most of the time of the big orders' bounds.)
        u_len = [ln for ln, _, _ in useful]
        u_cost = [c for _, c, _ in useful]
        u_index = [q for _, _, q in useful]
        n_useful = len(useful)
        for x in range(len(table), x_max + 1):
            best_v, best_k = u_cost[0] + table[x - u_len[0]], 0
            for k in range(1, n_useful):
                v = u_cost[k] + table[x - u_len[k]]
                if v < best_v:
                    best_v, best_k = v, k
            table.append(best_v)
            choice.append(u_index[best_k])
        self.x_lim = min(len(table) - 1, 3 * top)

    def size(self, weight: int, volume: int) -> int:
        return self.a * weight + self.b * volume

    def at(self, weight: int, volume: int) -> int:
        if not self.cell:
            self._grid()
        x = (self.a * weight + self.b * volume) // self.cell
        table = self.table
        return table[x] if x < len(table) else table[-1]

    def one(self, r: int) -> int:
        """Cheapest single piece that covers ``r``."""
        j = bisect_left(self.caps, r)
        return self.scost[j] if j < len(self.scost) else INF

    def two(self, r: int) -> tuple[int, int, int]:
        """Cheapest cover by exactly two pieces: (cost, piece index, piece index)."""
        hit = self.t2x.get(r)
        if hit is None:
            if len(self.t2x) >= TWO_MEMO:
                self.t2x.clear()  # covers are shared by many groups: bound the memory
            hit = self.t2x[r] = self._two(r)
        return hit

    def _two(self, r: int) -> tuple[int, int, int]:
        caps, scost = self.caps, self.scost
        m = len(caps)
        best, bi, bj = INF, -1, -1
        cmin = self.cmin
        # the smallest piece covering the rest: as the first piece gets smaller the rest only
        # grows, so it is found by walking up from where it was last (``bisect_left`` each time
        # gives the same)
        up = 0
        for i in range(m - 1, -1, -1):
            c = scost[i]
            if c + cmin >= best:
                continue
            rest = r - caps[i]
            if rest <= 0:
                j = 0
            else:
                while up < m and caps[up] < rest:
                    up += 1
                if up >= m:
                    break  # smaller first pieces leave even more
                j = up
            v = c + scost[j]
            if v < best:
                best, bi, bj = v, i, j
        return best, bi, bj

    def lines_three(self, r: int) -> int:
        """A bound on covers of ``r`` by three or more pieces from lines under every piece:
        k pieces on a line of intercept f >= 0 and slope s cost at least 3f + s·r."""
        best = 3 * self.cmin
        for x1, y1, dx, dy in self.lines:
            # f = y1 - dy*x1/dx;  3f + dy*r/dx  (floored: costs are integers)
            v = (3 * (y1 * dx - dy * x1) + dy * r) // dx
            if v > best:
                best = v
        return best

    def _two_up(self, x: int) -> int:
        """Grid bound on covers of ``x`` cells by two or more pieces."""
        if x <= 0:
            return 2 * self.cmin
        if x > self.lens[-1]:  # one piece cannot cover it anyway
            return self.table[min(x, len(self.table) - 1)]
        hit = self.t2.get(x)
        if hit is None:
            table, cmin = self.table, self.cmin
            hit = min(
                c + (table[x - ln] if x > ln else cmin)
                for ln, c in zip(self.lens, self.costs, strict=True)
            )
            if self.caps[0] == 0:  # a parcel of size 0 next to a cover of all of x
                hit = min(hit, self.scost[0] + self.table[min(x, len(self.table) - 1)])
            self.t2[x] = hit
        return hit

    def three_up(self, r: int) -> int:
        """A bound on covers by three or more pieces."""
        if not self.cell:
            self._grid()
        x = r // self.cell
        table = self.table
        if x > self.x_lim:  # two pieces cannot cover it anyway
            return table[x] if x < len(table) else table[-1]
        hit = self.t3.get(x)
        if hit is None:
            hit = min(c + self._two_up(x - ln) for ln, c in zip(self.lens, self.costs, strict=True))
            if self.caps[0] == 0:
                hit = min(hit, self.scost[0] + self._two_up(x))
            self.t3[x] = hit
        return hit

    def pieces_for(self, weight: int, volume: int) -> list[int]:
        """The tags of the levels the grid table chose for this size."""
        if not self.cell:
            self._grid()
        x = min((self.a * weight + self.b * volume) // self.cell, len(self.table) - 1)
        out = []
        while x > 0:
            q = self.choice[x]
            if q < 0:
                break
            out.append(self.pieces[q])
            x -= self.lens[q]
        return out


class _Kept:
    """The levels a group keeps for its bound (their key and parts), by what decides them."""

    __slots__ = ("lkey", "parts")

    def __init__(self, lkey: tuple[object, ...], parts: LevelParts) -> None:
        self.lkey = lkey
        self.parts = parts


class _LevelPieces:
    """The levels' part of ``_Measures``: each level as a covering piece under weight and, when
    every level has a volume, volume and the mix of both; with the largest capacity of a level
    under each. Shared by every group that keeps the same levels, whatever its single units."""

    __slots__ = ("bounded", "mixed", "parts")

    def __init__(self, levels: Sequence[Level]) -> None:
        self.bounded = all(lv.volume < INF for lv in levels)
        # mixed: the size of the largest box-like level, weight and volume equally
        big = max(levels, key=lambda lv: (lv.weight, lv.volume), default=None)
        self.mixed = (
            (big.volume, big.weight)
            if big is not None and big.volume > 0 and big.weight > 0
            else None
        )
        measures: list[tuple[int, int]] = [(1, 0)]
        if self.bounded:
            measures.append((0, 1))
            if self.mixed is not None:
                measures.append(self.mixed)
        # per measure: the pieces, the largest capacity and the staircase of the pieces
        self.parts: dict[
            tuple[int, int], tuple[list[tuple[int, int, int]], int, list[tuple[int, int, int]]]
        ] = {}
        for a, b in measures:
            ps = [(a * lv.weight + b * lv.volume, lv.cost, t) for t, lv in enumerate(levels)]
            top = max((cap for cap, _, _ in ps), default=-1)
            self.parts[(a, b)] = (ps, top, _staircase(ps))


class _Measures:
    """The covering pieces of a set of levels (and single units in their own packaging) under
    each size measure: weight; and, when every piece has a volume and the blocks take some,
    volume and a mix of both. (a, b, largest capacity of a piece, the staircase of the pieces
    as (capacity, cost, tag) and its key: the staircase with the single units' tags as -1,
    since only the levels' tags are ever read from a cover)."""

    __slots__ = ("schemes",)

    def __init__(
        self, lp: _LevelPieces, singles: Sequence[tuple[int, int, int, int]], bulky: bool
    ) -> None:
        self.schemes: list[
            tuple[int, int, int, list[tuple[int, int, int]], tuple[tuple[int, int, int], ...]]
        ] = []
        if not lp.parts[(1, 0)][0] and not singles:
            return
        measures: list[tuple[int, int]] = [(1, 0)]
        if bulky and lp.bounded and all(vol < INF for _, vol, _, _ in singles):
            measures.append((0, 1))
            if lp.mixed is not None:
                measures.append(lp.mixed)
        for a, b in measures:
            _, top, level_stair = lp.parts[(a, b)]
            single_ps = [(a * pw + b * pv, c, t) for pw, pv, c, t in singles]
            biggest = max(top, max((cap for cap, _, _ in single_ps), default=-1))
            if biggest > 0:
                # a level the levels' own staircase leaves out is beaten by a level there,
                # which beats it beside any single unit too: the same staircase as of all the
                # pieces
                stair = _staircase(level_stair + single_ps) if single_ps else level_stair
                skey = tuple((cap, c, t if t >= 0 else -1) for cap, c, t in stair)
                self.schemes.append((a, b, biggest, stair, skey))


LevelParts = tuple[list[Level], list[int], list[int], list[tuple[int, int, int]], list[int]]


def _level_parts(levels: list[Level]) -> LevelParts:
    """The useful levels, the weight staircase (cheapest level per content weight) and the
    levels no other beats on weight, volume and cost (cheapest first, with their indices)."""
    stair: list[tuple[int, int]] = []
    for lv in sorted(levels, key=lambda lv: (-lv.weight, lv.cost)):
        if not stair or lv.cost < stair[-1][1]:
            stair.append((lv.weight, lv.cost))
    stair.reverse()
    pareto: list[tuple[int, int, int]] = []
    ptags: list[int] = []
    heaviest: dict[int, int] = {}  # volume -> heaviest level kept so far
    for t, lv in sorted(enumerate(levels), key=lambda x: (x[1].cost, -x[1].weight, -x[1].volume)):
        if any(vol >= lv.volume and w >= lv.weight for vol, w in heaviest.items()):
            continue
        pareto.append((lv.weight, lv.volume, lv.cost))
        ptags.append(t)
        if heaviest.get(lv.volume, -1) < lv.weight:
            heaviest[lv.volume] = lv.weight
    return levels, [w for w, _ in stair], [c for _, c in stair], pareto, ptags


# ---- the packer ------------------------------------------------------------------------------


class Packer:
    def __init__(
        self,
        kinds: Sequence[Kind],
        pricer: BinPricer,
        cap_limits: Sequence[int],
        segregation: Sequence[int],
        all_channels: int,
    ) -> None:
        # heaviest first; ties by key so that the order never depends on the input order
        self.kinds = sorted(kinds, key=lambda k: (-k.weight, -k.volume, k.key))
        ks = self.kinds
        self.pricer = pricer
        self.cap_limits = tuple(cap_limits)
        self.segregation = tuple(segregation)
        self.all_channels = all_channels
        self.n = len(ks)
        self.w = [k.weight for k in ks]
        self.v = [k.volume for k in ks]
        self.total_weight = sum(k.weight * k.count for k in ks)
        self.total_volume = sum(k.volume * k.count for k in ks)
        self.total_count = sum(k.count for k in ks)
        chunion = 0
        for k in ks:
            chunion |= k.chmask
        self.chunion = chunion
        self.max_content = pricer.max_content
        # Does a parcel never cost less than a part of its content would? The bounds built on
        # a block's own parcel and the exact search's dominance test rely on it. Not when some
        # rate gets cheaper with weight, nor in a shop without boxes when a single unit of known
        # size may travel alone: it pays its own size's volumetric weight (and size limits),
        # while several units in a parcel of unknown outer size do not.
        self.monotone = pricer.rates_monotone and not (
            pricer.any_units and any(k.units == 1 and k.dims[0] > 0 for k in ks)
        )
        self._price_memo = pricer.memo
        self._alone: list[int] | None = None
        self._accepting: list[int] | None = None
        self._covers: list[_Cover] | None = None
        self._levels: list[Level] = []
        self._stair_w: list[int] = []
        self._stair_c: list[int] = []
        self._pareto: list[tuple[int, int, int]] = []
        self._pareto_tags: list[int] = []
        self.nodes = 0
        self.work = 0
        self.quick = False  # constructive heuristics only, and the cheaper ones
        self.spent = 0  # parcel evaluations so far (the unit of every work limit)
        # constructive packings of all blocks (and their lower bound), kept for a full solve
        # after a quick one: they depend on the blocks only
        self._made: dict[tuple[object, ...], list[Parcel]] = {}
        self._lower: int | None = None
        self._sets: dict[str, list[list[Level]]] = {}
        self.limit = INF  # local search stops past this many
        self.budget_end = INF  # the local search's whole budget ends here
        self.stall = INF  # and it stops this many evaluations after its last gain

    # ---- parcel arithmetic ---------------------------------------------------------------

    def empty(self) -> Parcel:
        return Parcel(
            [0] * self.n,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            self.all_channels,
            [0] * len(self.cap_limits),
            0,
            -1,
        )

    def cost_with(self, p: Parcel, i: int, n: int = 1) -> tuple[int, int]:
        """Cost (and option) of ``p`` plus ``n`` blocks of kind ``i``; INF when infeasible."""
        self.spent += 1
        k = self.kinds[i]
        w = p.weight + k.weight * n
        if w > self.max_content:
            return INF, -1
        chmask = p.chmask & k.chmask
        if not chmask:
            return INF, -1
        tags = p.tags | k.tags
        if tags != p.tags:
            for g in self.segregation:
                if (tags & g).bit_count() > 1:
                    return INF, -1
        if k.caps:
            limits = self.cap_limits
            for c, add in enumerate(k.caps):
                if p.caps[c] + add * n > limits[c]:
                    return INF, -1
        d = k.dims
        volume = p.volume + k.volume * n
        units = p.units + k.units * n
        value = p.value + k.value * n
        d0 = p.d0 if p.d0 > d[0] else d[0]
        d1 = p.d1 if p.d1 > d[1] else d[1]
        d2 = p.d2 if p.d2 > d[2] else d[2]
        # most contents were priced before: the pricer's memo without the call
        key = price_key(w, volume, units, value, tags, d0, d1, d2, chmask)
        hit = self._price_memo.get(key)
        if hit is not None:
            return hit
        return self.pricer.price_new(key, w, volume, units, value, tags, d0, d1, d2, chmask)

    def add(self, p: Parcel, i: int, n: int, cost: int, option: int) -> None:
        k = self.kinds[i]
        p.mark = 0
        p.counts[i] += n
        p.weight += k.weight * n
        p.volume += k.volume * n
        p.units += k.units * n
        p.value += k.value * n
        p.tags |= k.tags
        d = k.dims
        if d[0] > p.d0:
            p.d0 = d[0]
        if d[1] > p.d1:
            p.d1 = d[1]
        if d[2] > p.d2:
            p.d2 = d[2]
        p.chmask &= k.chmask
        for c, add in enumerate(k.caps):
            p.caps[c] += add * n
        p.cost, p.option = cost, option

    def rebuild(self, counts: Sequence[int]) -> Parcel:
        """A parcel holding ``counts``; its cost is INF when it breaks any limit.

        Every limit only tightens as blocks are added, so the content is summed first and
        priced once (the cheap limits are checked block by block on the way, as ``cost_with``
        would). Each block kind still counts as one parcel evaluation, so the work limits mean
        what they meant when a parcel was built block by block."""
        kinds = self.kinds
        weight = volume = units = value = tags = d0 = d1 = d2 = 0
        chmask = self.all_channels
        caps = [0] * len(self.cap_limits)
        ok = True
        seen = 0
        max_content = self.max_content
        for i, n in enumerate(counts):
            if not n:
                continue
            seen += 1
            k = kinds[i]
            weight += k.weight * n
            volume += k.volume * n
            units += k.units * n
            value += k.value * n
            d = k.dims
            if d[0] > d0:
                d0 = d[0]
            if d[1] > d1:
                d1 = d[1]
            if d[2] > d2:
                d2 = d[2]
            chmask &= k.chmask
            if k.caps:
                for c, add in enumerate(k.caps):
                    caps[c] += add * n
            if ok:
                new_tags = tags | k.tags
                broken = (
                    weight > max_content
                    or not chmask
                    or (
                        new_tags != tags
                        and any((new_tags & g).bit_count() > 1 for g in self.segregation)
                    )
                    or (
                        bool(k.caps)
                        and any(c > lim for c, lim in zip(caps, self.cap_limits, strict=True))
                    )
                )
                if broken:
                    ok = False
                else:
                    self.spent += 1
                tags = new_tags
            else:
                tags |= k.tags
        if ok and seen:
            cost, option = self.pricer.cost(weight, volume, units, value, tags, d0, d1, d2, chmask)
        elif ok:
            cost, option = 0, -1
        else:
            self.spent += 1  # the evaluation that found the broken limit
            cost, option = INF, -1
        return Parcel(
            list(counts),
            weight,
            volume,
            units,
            value,
            tags,
            d0,
            d1,
            d2,
            chmask,
            caps,
            cost,
            option,
        )

    def single(self, i: int, n: int = 1) -> Parcel:
        p = self.empty()
        cost, opt = self.cost_with(p, i, n)
        self.add(p, i, n, cost, opt)
        return p

    @property
    def alone(self) -> list[int]:
        """Cost of one block of each kind in a parcel of its own."""
        if self._alone is None:
            e = self.empty()
            self._alone = [self.cost_with(e, i)[0] for i in range(self.n)]
        return self._alone

    def alone_cost(self, i: int) -> int:
        return self.alone[i]

    # ---- lower bound -----------------------------------------------------------------------

    @property
    def accepting(self) -> list[int]:
        """Per kind, the options (bit ``Option.index``) that take one block of it at all."""
        if self._accepting is None:
            accepts = self.pricer.accepts
            self._accepting = [
                accepts(k.chmask, k.tags, k.units, k.value, k.dims) for k in self.kinds
            ]
        return self._accepting

    def _prepare_bound(self) -> list[_Cover]:
        if self._covers is not None:
            return self._covers
        pricer = self.pricer
        # a level is useful when its option takes some block that fits it
        smallest: dict[int, tuple[int, int] | None] = {}
        # (the blocks fall into a few sets of accepting options: the least weight and volume
        # per set first, then per option over the sets that hold it)
        by_mask: dict[int, tuple[int, int]] = {}
        for m, w, v in zip(self.accepting, self.w, self.v, strict=True):
            if m:
                cur = by_mask.get(m)
                by_mask[m] = (w, v) if cur is None else (min(cur[0], w), min(cur[1], v))
        masks = sorted(by_mask.items())
        # which levels are kept depends on the channels, the weight's power of two (which
        # levels are listed at all) and these least sizes only
        kkey = ("kept", self.chunion, 1 << max(self.total_weight, 1).bit_length(), tuple(masks))
        kept_hit = pricer.bound_cache.get(kkey)
        parts: LevelParts
        if isinstance(kept_hit, _Kept):
            lkey, parts = kept_hit.lkey, kept_hit.parts
        else:
            for o in pricer.options:
                if o.channel_bit & self.chunion:
                    bit = 1 << o.index
                    least: tuple[int, int] | None = None
                    for m, (w, v) in masks:
                        if m & bit:
                            least = (
                                (w, v) if least is None else (min(least[0], w), min(least[1], v))
                            )
                    smallest[o.index] = least
            # An option's levels share its volume and ascend in weight: the useful ones are a
            # suffix of them. The bound structures depend on which levels are kept only, so
            # they are shared by every group that keeps the same ones.
            all_levels = pricer.levels(self.chunion, self.total_weight)
            kept: list[tuple[int, int]] = []
            # the kept levels by content (per option: its levels' number and the first kept),
            # so that groups of different weights keeping the same levels share the structures
            same: list[tuple[int, int]] = []
            spans = pricer.level_spans(self.chunion, self.total_weight)
            ids = pricer.level_ids(self.chunion, self.total_weight)
            for (index, start, end, weights), content in zip(spans, ids, strict=True):
                sm = smallest.get(index)
                if sm is None or all_levels[start].volume < sm[1]:
                    continue
                skip = bisect_left(weights, sm[0])
                if start + skip < end:
                    kept.append((start + skip, end))
                    same.append((content, skip))
            lkey = (self.chunion, tuple(same))
            cached = pricer.bound_cache.get(lkey)
            if isinstance(cached, tuple):
                parts = cached
            else:
                parts = _level_parts([lv for a, b in kept for lv in all_levels[a:b]])
                pricer.remember(lkey, parts)
            pricer.remember(kkey, _Kept(lkey, parts))
        levels, stair_w, stair_c, pareto, ptags = parts
        self._levels = levels
        self._stair_w = stair_w
        self._stair_c = stair_c
        self._pareto = pareto
        self._pareto_tags = ptags
        alone = self.alone
        # a single unit may travel in its own packaging: a piece that holds just that block
        singles = [
            (self.w[i], self.v[i], alone[i], -1 - i)
            for i, k in enumerate(self.kinds)
            if k.units == 1 and alone[i] < INF
        ]
        tw, tv = self.total_weight, self.total_volume
        fine = self.total_count > FINE_BLOCKS
        skey = tuple((w, v, c) for w, v, c, _ in singles)
        # the pieces of each size measure depend on the levels and singles only: shared by
        # every group with the same ones
        mkey = (lkey, skey, tv > 0)
        measures = pricer.bound_cache.get(mkey)
        if not isinstance(measures, _Measures):
            pkey = (lkey, "pieces")
            lp = pricer.bound_cache.get(pkey)
            if not isinstance(lp, _LevelPieces):
                lp = _LevelPieces(levels)
                pricer.remember(pkey, lp)
            measures = _Measures(lp, singles, tv > 0)
            pricer.remember(mkey, measures)
        covers: list[_Cover] = []
        for a, b, biggest, stair, stair_key in measures.schemes:
            size = a * tw + b * tv
            cell = max(1, biggest // (CELLS_MAX if fine else CELLS), size // GRID_MAX)
            # A cover computes everything from the staircase of its pieces: it is shared by
            # every group with the same staircase under this measure (a single unit in its own
            # packaging that costs at least a level holding as much is not on it; nor is a
            # level another beats), only on the same grid (the result never depends on which
            # orders came before). Of the tags it returns only the levels' are read.
            cv = self._cover(pricer, ("cover", a, b, stair_key, fine, cell), a, b, stair)
            if cv.size_max < size:
                cv.grow(size, cell)
            covers.append(cv)
        self._covers = covers
        return covers

    def _cover(
        self,
        pricer: BinPricer,
        ckey: tuple[object, ...],
        a: int,
        b: int,
        pieces: list[tuple[int, int, int]],
    ) -> _Cover:
        """The cover of these pieces on the grid in ``ckey`` (its last item), from the cache."""
        cell = ckey[-1]
        cv = pricer.bound_cache.get(ckey)
        if not isinstance(cv, _Cover) or cv.grid_cell() != cell:
            size = a * self.total_weight + b * self.total_volume
            cv = _Cover(a, b, pieces, size, self.total_count > FINE_BLOCKS)
            pricer.remember(ckey, cv)
        return cv

    def bound(self, weight: int, volume: int, blocks: int) -> int:
        """A lower bound on packing ``blocks`` blocks weighing ``weight`` with ``volume``: the
        least of one parcel (exact), two parcels (exact cover of the size) and three or more
        (covering table), each the strongest over the size measures."""
        if blocks <= 0:
            return 0
        alone = self.alone
        if blocks == 1:
            return min(
                (alone[i] for i in range(self.n) if self.w[i] == weight and self.v[i] == volume),
                default=0,
            )
        covers = self._prepare_bound()
        if not covers:
            return 0
        # ``_one_level`` written out: this is its hot caller (a call here costs 0.5 % of a
        # medium order's planning)
        e1 = INF
        for lw, lv_, c in self._pareto:
            if lw >= weight and lv_ >= volume:
                e1 = c
                break
        e2 = 0
        sizes = [cv.size(weight, volume) for cv in covers]
        for cv, r in zip(covers, sizes, strict=True):
            x = cv.two(r)[0]
            if x > e2:
                e2 = x
        if blocks < 3:
            return min(e1, e2)
        low = min(e1, e2)
        e3 = max(cv.lines_three(r) for cv, r in zip(covers, sizes, strict=True))
        if e3 < low:  # not enough: the covering table
            for cv, r in zip(covers, sizes, strict=True):
                y = cv.three_up(r)
                if y > e3:
                    e3 = y
                    if e3 >= low:
                        break
        return min(low, e3)

    def _targets(self, weight: int, volume: int, blocks: int) -> list[int]:
        """The levels (tags) of the cheapest cover the bound found for these blocks."""
        covers = self._prepare_bound()
        if not covers:
            return []
        e1, t1 = INF, -1
        t = self._one_level(weight, volume)
        if t >= 0:
            e1, t1 = self._pareto[t][2], self._pareto_tags[t]
        best2 = (0, -1, -1, covers[0])
        for cv in covers:
            x, i, j = cv.two(cv.size(weight, volume))
            if x > best2[0]:
                best2 = (x, i, j, cv)
        e2 = best2[0] if blocks >= 2 else INF
        low = min(e1, e2)
        if blocks >= 3:
            e3 = max(cv.lines_three(cv.size(weight, volume)) for cv in covers)
            if e3 < low:
                best3 = max(covers, key=lambda cv: cv.three_up(cv.size(weight, volume)))
                if best3.three_up(best3.size(weight, volume)) < low:
                    return best3.pieces_for(weight, volume)
        if e1 <= e2:
            return [t1]
        cv = best2[3]
        return [cv.tags[best2[1]], cv.tags[best2[2]]]

    def _one_level(self, weight: int, volume: int) -> int:
        """The cheapest one-parcel level that holds ``weight`` and ``volume`` (its index in
        ``_pareto``; -1: none). No tag or side check: a lower bound of one parcel's cost."""
        for t, (lw, lv_, _) in enumerate(self._pareto):
            if lw >= weight and lv_ >= volume:
                return t
        return -1

    def parcel_bound(self, weight: int) -> int:
        """Least cost of a parcel of two or more blocks whose content weighs ``weight``."""
        j = bisect_left(self._stair_w, weight)
        return self._stair_c[j] if j < len(self._stair_c) else INF

    def lower_bound(self, counts: Sequence[int]) -> int:
        low = self._plain_bound(counts)
        if self.monotone and self.segregation:
            low = max(low, self._segregated_bound(counts))
        return low

    def _plain_bound(self, counts: Sequence[int]) -> int:
        weight = volume = 0
        w, v = self.w, self.v
        for i, n in enumerate(counts):
            if n:
                weight += w[i] * n
                volume += v[i] * n
        return max(self.bound(weight, volume, sum(counts)), self._apart_bound(counts))

    def _segregated_bound(self, counts: Sequence[int]) -> int:
        """Blocks of tags that may not share a parcel are in different parcels: the parcels
        holding one tag's blocks cost at least a packing of those blocks alone (a parcel never
        costs less than a part of its content, so the untagged blocks beside them only add),
        and no parcel holds two tags' blocks. So the bounds of each tag's blocks alone add
        up to a bound of all of them; the untagged blocks are left out."""
        best = 0
        kinds = self.kinds
        for g in self.segregation:
            classes: dict[int, list[int]] = {}
            for i, n in enumerate(counts):
                if n:
                    mine = kinds[i].tags & g
                    if mine:
                        if mine.bit_count() > 1:
                            break  # a block that conflicts with itself: no packing at all
                        classes.setdefault(mine, [0] * self.n)[i] = n
            else:
                if len(classes) > 1:
                    best = max(best, sum(self._plain_bound(c) for c in classes.values()))
        return min(best, INF)

    def root_bound(self) -> int:
        """``lower_bound`` of all the blocks, computed once (a screen and the search ask for
        it both)."""
        if self._lower is None:
            self._lower = self.lower_bound([k.count for k in self.kinds])
        return self._lower

    def _apart_bound(self, counts: Sequence[int]) -> int:
        """Blocks too heavy (or bulky) for any two to share a parcel each pay their own parcel."""
        if not self.monotone:
            return 0  # a block's own parcel may cost more than a parcel holding it with others
        half_w = self.max_content // 2
        alone = self.alone
        out = 0
        for i, n in enumerate(counts):
            if n and self.w[i] > half_w:
                out += alone[i] * n
        return out

    # ---- constructive heuristics -----------------------------------------------------------

    def best_fit(self, order: Sequence[int] | None = None) -> list[Parcel]:
        parcels: list[Parcel] = []
        for i in order if order is not None else range(self.n):
            mark = _new_mark()
            for _ in range(self.kinds[i].count):
                if not self._place(parcels, i, mark):
                    return []
        return parcels

    def worst_fit(self) -> list[Parcel]:
        """The reference baseline: worst-fit decreasing by weight alone up to the largest
        channel weight limit (what the ``binpacking`` package does), each parcel priced at its
        cheapest option. Kept as a candidate so that the plan never costs more than it."""
        v_max = max((o.max_gross for o in self.pricer.options), default=0)
        loads: list[int] = []
        contents: list[list[int]] = []
        for i in range(self.n):
            w = self.w[i]
            for _ in range(self.kinds[i].count):
                best = -1
                for b, load in enumerate(loads):
                    if load + w <= v_max and (best < 0 or load < loads[best]):
                        best = b
                if best < 0:
                    loads.append(0)
                    contents.append([0] * self.n)
                    best = len(loads) - 1
                loads[best] += w
                contents[best][i] += 1
        parcels = [self.rebuild(c) for c in contents]
        return [] if any(p.cost >= INF for p in parcels) else parcels

    def guided(self, counts: Sequence[int] | None = None) -> list[Parcel]:
        """Fill the levels the covering bound chose for these blocks, largest first, each as
        full as possible (exact subset sum on weight); what is left goes where it adds least.
        With segregated tags present, also with each parcel taking one tag's blocks first."""
        modes = (False, True) if self._conflicts() else (False,)
        best: list[Parcel] = []
        if counts is None:
            if "targets" not in self._sets:
                self._sets["targets"] = self._target_sets(None)
            sets = self._sets["targets"]
        else:
            sets = self._target_sets(counts)
        for t, targets in enumerate(
            sets[:1] if self.quick or self.total_count > BIG_BLOCKS else sets
        ):
            for tagged_first in modes:
                if counts is None:
                    cand = self._once(
                        ("guided", t, tagged_first),
                        partial(self._guided, None, targets, tagged_first),
                    )
                else:
                    cand = self._guided(counts, targets, tagged_first)
                if cand and (not best or total(cand) < total(best)):
                    best = cand
        return best

    def _once(self, key: tuple[object, ...], make: Callable[[], list[Parcel]]) -> list[Parcel]:
        """``make()`` for all blocks, computed once per packer (a fresh list each time: callers
        sort it)."""
        hit = self._made.get(key)
        if hit is None:
            hit = self._made[key] = make()
        return list(hit)

    def _target_sets(self, counts: Sequence[int] | None) -> list[list[Level]]:
        """The levels of the bound's cheapest cover; and, per option that takes every block,
        as many of its largest level as the weight and volume need."""
        self._prepare_bound()
        remaining = list(counts) if counts is not None else [k.count for k in self.kinds]
        tw = sum(self.w[i] * n for i, n in enumerate(remaining))
        tv = sum(self.v[i] * n for i, n in enumerate(remaining))
        present = [i for i, n in enumerate(remaining) if n]
        out = [[self._levels[t] for t in self._targets(tw, tv, sum(remaining)) if t >= 0]]
        top: dict[int, Level] = {}
        for lv in self._levels:
            if lv.option not in top or lv.weight > top[lv.option].weight:
                top[lv.option] = lv
        uniform = []
        for index, lv in top.items():
            if all(self.accepting[i] >> index & 1 for i in present):
                k_w = -(-tw // lv.weight)
                k_v = -(-tv // lv.volume) if lv.volume < INF else 1
                k = max(k_w, k_v, 1)
                uniform.append((k * lv.cost, lv.option, k, lv))
        uniform.sort(key=lambda u: (u[0], u[1]))
        for _, _, k, lv in uniform[:2]:
            out.append([lv] * k)
        return out

    def _conflicts(self) -> bool:
        tags = 0
        for k in self.kinds:
            tags |= k.tags
        return any((tags & g).bit_count() > 1 for g in self.segregation)

    def _guided(
        self, counts: Sequence[int] | None, levels: Sequence[Level], tagged_first: bool
    ) -> list[Parcel]:
        remaining = list(counts) if counts is not None else [k.count for k in self.kinds]
        targets = sorted(levels, key=lambda lv: (-lv.weight, -lv.volume, lv.cost, lv.option))
        parcels: list[Parcel] = []
        for lv in targets:
            if not any(remaining):
                break
            sel = self.fill(remaining, lv, tagged_first)
            if sel is None:
                continue
            p = self.rebuild(sel)
            if p.cost >= INF:
                continue
            parcels.append(p)
            for i, n in enumerate(sel):
                remaining[i] -= n
        for i in range(self.n):
            mark = _new_mark()
            for _ in range(remaining[i]):
                if not self._place(parcels, i, mark):
                    return []
        return parcels

    def fill(
        self, remaining: Sequence[int], lv: Level, tagged_first: bool = False
    ) -> list[int] | None:
        """The heaviest set of remaining blocks that fits level ``lv`` (weight by exact subset
        sum, then volume and every other limit checked); None when nothing fits.
        ``tagged_first``: the segregated blocks of the chosen tag go in before the others."""
        accepting, bit, w, v = self.accepting, 1 << lv.option, self.w, self.v
        pool = [
            i
            for i in range(self.n)
            if remaining[i] and accepting[i] & bit and w[i] <= lv.weight and v[i] <= lv.volume
        ]
        if not pool:
            return None
        best: list[int] | None = None
        best_w = -1
        seg = 0
        for g in self.segregation:
            seg |= g
        for cls in self._tag_classes(pool):
            tagged = [i for i in cls if self.kinds[i].tags & seg] if tagged_first else []
            if tagged:
                first = self._subset_sum(tagged, remaining, lv.weight) or [0] * self.n
                room = lv.weight - sum(self.w[i] * n for i, n in enumerate(first))
                rest = [remaining[i] - first[i] for i in range(self.n)]
                top = self._subset_sum([i for i in cls if i not in tagged], rest, room)
                sel: list[int] | None = (
                    [a + b for a, b in zip(first, top, strict=True)] if top else first
                )
                if sel is not None and not any(sel):
                    sel = None
            else:
                sel = self._subset_sum(cls, remaining, lv.weight)
            if sel is None:
                continue
            p = self.rebuild(sel)
            if p.cost > lv.cost or p.volume > lv.volume:
                sel = self._greedy_fill(cls, remaining, lv)
                if sel is None:
                    continue
                p = self.rebuild(sel)
            if p.cost <= lv.cost and p.weight > best_w:
                best, best_w = sel, p.weight
        return best

    def _tag_classes(self, pool: list[int]) -> list[list[int]]:
        """Subsets of ``pool`` without a segregation conflict: all of it when there is none,
        else untagged blocks plus one segregated tag at a time."""
        used = 0
        for i in pool:
            used |= self.kinds[i].tags
        conflict = [g for g in self.segregation if (used & g).bit_count() > 1]
        if not conflict:
            return [pool]
        seg_bits = 0
        for g in conflict:
            seg_bits |= g
        out = []
        bits = [1 << b for b in range(seg_bits.bit_length()) if seg_bits >> b & 1 and used >> b & 1]
        for bit in bits:
            out.append(
                [i for i in pool if not self.kinds[i].tags & seg_bits or self.kinds[i].tags & bit]
            )
        return out

    def _subset_sum(self, pool: list[int], remaining: Sequence[int], cap: int) -> list[int] | None:
        """Counts of the heaviest total weight <= ``cap`` from ``pool`` (heavier blocks preferred
        among equal totals); bounded counts by binary splitting, bit sets as Python ints."""
        if cap <= 0:
            return None
        w = self.w
        sums = binpack.SubsetSums([(i, w[i], remaining[i]) for i in pool], cap, True)
        if sums.reach == 1:
            return None
        counts = [0] * self.n
        for i, m in sums.pick(sums.reach.bit_length() - 1):
            counts[i] += m
        return counts

    def _greedy_fill(
        self, pool: list[int], remaining: Sequence[int], lv: Level
    ) -> list[int] | None:
        """First fit of the pool's blocks, by weight and volume share, into one parcel at
        this level's price."""
        tw, tv = lv.weight, lv.volume if lv.volume < INF else 0
        order = sorted(
            pool,
            key=lambda i: (-(self.w[i] * (tv or 1) + self.v[i] * tw), i),
        )
        p = self.empty()
        for i in order:
            for _ in range(remaining[i]):
                if p.weight + self.w[i] > lv.weight or p.volume + self.v[i] > lv.volume:
                    break
                cost, opt = self.cost_with(p, i)
                if cost > lv.cost:
                    break
                self.add(p, i, 1, cost, opt)
        return list(p.counts) if p.units else None

    def _place(self, parcels: list[Parcel], i: int, mark: int = 0) -> bool:
        """Put one block of kind ``i`` where it adds least cost (fullest parcel on ties).

        With a ``mark`` (``_new_mark``, one per run of placements of blocks of this one kind
        into the same parcels), each parcel keeps its price with the block added until it
        changes: placing a line's units one by one then prices only the parcel that took the
        last one (each reuse still counts as an evaluation, so every work limit runs out as
        before)."""
        limit = self.max_content - self.w[i]
        # the best so far by (added cost, -weight): ``best_d``, ``best_w``
        best_d = best_w = 0
        best_p: Parcel | None = None
        best_opt = -1
        # When a parcel never costs less than part of its content, a parcel with the block
        # added costs at least its cost now and at least the cheapest level holding its new
        # weight (once the bound structures exist): a parcel whose added cost cannot come
        # below the best so far is not priced. It still counts as an evaluation, so that the
        # work limits of the local search, which places blocks too, run out just as before.
        prune = self.monotone and self._covers is not None
        stair_w, stair_c = self._stair_w, self._stair_c
        n_stair = len(stair_c)
        wi = self.w[i]
        skipped = 0  # evaluations counted without pricing
        for p in parcels:
            pw = p.weight
            if pw > limit:
                continue
            if mark and p.mark == mark:
                skipped += 1
                cost, opt = p.mark_cost, p.mark_option
            else:
                if prune and best_p is not None:
                    j = bisect_left(stair_w, pw + wi)
                    low = (stair_c[j] if j < n_stair else INF) - p.cost
                    if low < 0:
                        low = 0
                    if low > best_d or (low == best_d and pw <= best_w):
                        skipped += 1
                        continue
                cost, opt = self.cost_with(p, i)
                if mark:
                    p.mark, p.mark_cost, p.mark_option = mark, cost, opt
            if cost >= INF:
                continue
            d = cost - p.cost
            if best_p is None or d < best_d or (d == best_d and pw > best_w):
                best_d, best_w, best_p, best_opt = d, pw, p, opt
        self.spent += skipped
        new_cost = self.alone[i]
        if best_p is not None and best_d <= new_cost:
            self.add(best_p, i, 1, best_d + best_p.cost, best_opt)  # (clears its mark)
            return True
        if new_cost >= INF:
            return False
        parcels.append(self.single(i))
        return True

    # ---- exact search ----------------------------------------------------------------------

    def exact(
        self, upper: list[Parcel], work_limit: int, use_dp: bool = True
    ) -> tuple[list[Parcel], bool]:
        """Branch and bound from the incumbent ``upper``; (best parcels, proven optimal).

        ``work_limit`` caps the parcel evaluations; past it the incumbent is returned unproven.
        Without ``use_dp`` (tiny groups) the bound is the dearest block's own parcel.
        """
        best_cost = total(upper)
        best: list[list[int]] = [list(p.counts) for p in upper]
        table: dict[tuple[int, ...], int] = {}
        stack: list[list[int]] = []
        self.nodes = 0
        self.work = 0
        complete = True
        w, v = self.w, self.v
        alone = self.alone
        order = sorted(range(self.n), key=lambda i: -alone[i])
        if use_dp:
            self._prepare_bound()

        def bound_at(rw: int, rv: int, rb: int) -> int:
            if use_dp:
                return self.bound(rw, rv, rb)
            if not self.monotone:
                return 0
            for i in order:  # without the covering bound: the dearest block's own parcel
                if remaining_now[i]:
                    return alone[i]
            return 0

        remaining_now = [k.count for k in self.kinds]

        def search(remaining: list[int], rw: int, rv: int, rb: int, partial: int) -> None:
            nonlocal best_cost, best, complete
            first = next((i for i, n in enumerate(remaining) if n), -1)
            if first < 0:
                if partial < best_cost:
                    best_cost, best = partial, [list(c) for c in stack]
                return
            key = tuple(remaining)
            bound = max(bound_at(rw, rv, rb), table.get(key, 0))
            if partial + bound >= best_cost:
                return
            self.nodes += 1
            if self.work > work_limit:
                complete = False
                return
            candidates = self._parcels_with(first, remaining, work_limit)
            if self.work > work_limit:  # the list may be incomplete
                complete = False
                return
            children = []
            for cost, counts, pw, pv in candidates:
                if partial + cost >= best_cost:
                    continue
                pb = sum(counts)
                child_lb = cost + bound_at(rw - pw, rv - pv, rb - pb) if use_dp else cost
                if partial + child_lb >= best_cost:
                    continue
                children.append((child_lb, -pw, counts, cost, pw, pv, pb))
            children.sort(key=lambda c: (c[0], c[1], c[2]))
            for child_lb, _, counts, cost, pw, pv, pb in children:
                if partial + child_lb >= best_cost:
                    break
                for j, m in enumerate(counts):
                    remaining[j] -= m
                stack.append(counts)
                search(remaining, rw - pw, rv - pv, rb - pb, partial + cost)
                stack.pop()
                for j, m in enumerate(counts):
                    remaining[j] += m
                if not complete:
                    return
            table[key] = max(table.get(key, 0), best_cost - partial)

        search(
            remaining_now,
            sum(w[i] * k.count for i, k in enumerate(self.kinds)),
            sum(v[i] * k.count for i, k in enumerate(self.kinds)),
            self.total_count,
            0,
        )
        return [self.rebuild(c) for c in best], complete

    def _first_step_too_long(self, work_limit: int) -> bool:
        """Would the exact search stop inside its first step? That step lists every feasible
        parcel holding a block of the heaviest kind before branching: one parcel evaluation
        each, and each but the one holding every block also spends at least one on its
        dominance test (when that test runs). Past ``work_limit`` the search returns the
        incumbent unchanged and unproven, so when enough parcels are surely feasible to pass
        it the search is not started: the result is the same."""
        # more surely feasible parcels than this pass the limit
        enough = (work_limit + 1) // 2 if self.monotone else work_limit
        vectors = self.kinds[0].count
        for k in self.kinds[1:]:
            vectors *= k.count + 1
            if vectors > enough:
                break
        if vectors <= enough:
            return False  # not even that many count vectors
        return self.surely_feasible(enough) > enough

    def surely_feasible(self, cap: int) -> int:
        """A lower bound on the feasible parcels holding a block of the heaviest kind (every
        kind at its full count available), or more than ``cap`` when there are more: the
        count vectors that one box option surely takes — every block accepted by the option,
        content weight and volume within the box and the channel's weight limit and priced
        rate, items, value and the per-parcel caps within their limits, no segregated tags
        mixed. Feasibility only tightens as blocks are added, so each such vector is a parcel
        the exact search's first step lists, at one parcel evaluation each."""
        best = 0
        for o in self._roomy_options():
            found = self._count_on(o, cap)
            if found > best:
                best = found
                if best > cap:
                    break
        return best

    def _roomy_options(self) -> list[Option]:
        """Up to two box options that take a block of the heaviest kind, largest weight cap
        first."""
        bit0 = self.accepting[0]
        out = [
            o
            for o in self.pricer.options
            if o.box is not None and bit0 >> o.index & 1 and self._weight_cap(o) > 0
        ]
        out.sort(key=lambda o: (-self._weight_cap(o), -o.inner_volume, o.index))
        return out[:2]

    @staticmethod
    def _weight_cap(o: Option) -> int:
        """The heaviest content option ``o`` (a box) surely prices: box load, channel weight
        limit and, for a weight table, its last bracket."""
        cap = min(o.max_load, o.max_gross - o.tare)
        table = o.rate.table
        if table:
            top = (table[-1][0] // o.step) * o.step  # the heaviest chargeable weight priced
            if -(-o.volumetric_g // o.step) * o.step > top:
                return 0
            cap = min(cap, top - o.tare)
        return cap

    def _count_on(self, o: Option, cap: int) -> int:
        bit = 1 << o.index
        kinds = [i for i in range(self.n) if self.accepting[i] & bit]
        if not kinds or kinds[0] != 0:
            return 0
        counter = _VectorCount(self, kinds, o, cap)
        counter.rec(0, 0, 0, 0, 0, 0, [0] * len(self.cap_limits))
        return counter.count

    def _parcels_with(
        self, first: int, remaining: list[int], work_limit: int
    ) -> list[tuple[int, list[int], int, int]]:
        """Undominated feasible parcels holding at least one block of kind ``first``:
        (cost, counts, weight, volume)."""
        found: list[tuple[int, list[int], int, int]] = []
        n = self.n

        def rec(j: int, parcel: Parcel) -> None:
            if self.work > work_limit:
                return
            if j == n:
                if parcel.units == 0:
                    return
                # dominated: another remaining block fits at no extra cost (only when taking
                # blocks away from the rest can never make the rest dearer)
                for t in range(first, n) if self.monotone else ():
                    if remaining[t] > parcel.counts[t]:
                        self.work += 1
                        c, _ = self.cost_with(parcel, t)
                        if c <= parcel.cost:
                            return
                found.append((parcel.cost, parcel.counts, parcel.weight, parcel.volume))
                return
            low = 1 if j == first else 0
            for m in range(remaining[j], low - 1, -1):
                if m == 0:
                    rec(j + 1, parcel)
                    continue
                self.work += 1
                c, opt = self.cost_with(parcel, j, m)
                if c >= INF:
                    continue
                child = parcel.copy()
                self.add(child, j, m, c, opt)
                rec(j + 1, child)

        rec(first, self.empty())
        return found

    # ---- local search ----------------------------------------------------------------------

    def improve(self, parcels: list[Parcel], lower: int, rounds: int) -> list[Parcel]:
        """Lower the cost by emptying parcels and by moves/swaps/merges/splits between parcels."""
        cost = total(parcels)
        for _ in range(rounds):
            if cost <= lower or self.spent > self.limit:
                break
            before = cost
            parcels = self._repack_pairs(parcels, lower, 12 if len(parcels) > 12 else 78)
            cost = total(parcels)
            if cost > lower and self.spent <= self.limit:
                parcels = self._empty_parcels(parcels, lower)
                cost = total(parcels)
            if cost > lower and self.spent <= self.limit:
                parcels = self._pair_moves(parcels, lower)
                cost = total(parcels)
            if cost >= before:
                break
        if cost > lower and self.spent <= self.limit and len(parcels) >= 3:
            parcels = self._merge_many(parcels)
            parcels = self._make_room(parcels)
        return parcels

    def _merge_many(self, parcels: list[Parcel]) -> list[Parcel]:
        """Merge three or more parcels into one where it costs less than they do together.

        A rate with a high first weight and a low price per step (freight) pays only for a
        parcel fuller than any two of the others together, so no pair move reaches it, and the
        constructive packings fill it with the heaviest blocks, not with those that cost most
        elsewhere. The parcels dearest per gram go in first; each prefix of three or more that
        one parcel might take is priced, if the cheapest parcel of its size could pay."""
        order = sorted(
            range(len(parcels)),
            key=lambda t: (-parcels[t].cost / max(parcels[t].weight, 1), t),
        )
        self._prepare_bound()
        counts = [0] * self.n
        weight = volume = paid = 0
        best_gain, best_k, best = 0, 0, None
        for k, t in enumerate(order, 1):
            p = parcels[t]
            weight += p.weight
            volume += p.volume
            paid += p.cost
            if weight > self.max_content:
                break
            for i, n in enumerate(p.counts):
                counts[i] += n
            if k < 3:
                continue
            # if even the cheapest level that holds this size costs what the parcels do,
            # pricing the content is no use
            level = self._one_level(weight, volume)
            floor = self._pareto[level][2] if level >= 0 else INF
            if floor >= paid - best_gain or self.spent > self.limit:
                continue
            merged = self.rebuild(counts)
            if paid - merged.cost > best_gain:
                best_gain, best_k, best = paid - merged.cost, k, merged
        if best is None:
            return parcels
        self._gained()
        gone = set(order[:best_k])
        return [p for t, p in enumerate(parcels) if t not in gone] + [best]

    def _gained(self) -> None:
        """The local search just lowered the cost: it may go on for ``stall`` more
        evaluations (within its budget)."""
        self.limit = min(self.budget_end, self.spent + self.stall)

    def _make_room(self, parcels: list[Parcel]) -> list[Parcel]:
        """Swap light blocks of the fullest parcel for heavier ones of two others at no cost
        to it, then re-split those two: a pair that cannot be re-cut for less may be once
        the fullest parcel takes some of its weight in exchange for less. The moves pay
        nothing on their own, so the pair moves above never make them; the first exchange
        that lets the pair re-cut for less is kept."""
        w, v = self.w, self.v
        order = sorted(range(len(parcels)), key=lambda t: (-parcels[t].weight, t))
        c = order[0]
        pc = parcels[c]
        others = order[1:5]  # the next four: at most six pairs
        base_c = pc.cost
        inside = [i for i, n in enumerate(pc.counts) for _ in range(min(n, 2))][:12]
        outs: list[tuple[int, ...]] = [(x,) for x in sorted(set(inside))]
        outs += sorted({(x, y) for j, x in enumerate(inside) for y in inside[j + 1 :] if x <= y})
        # the room left under the fullest parcel's price level on its option: exchanges that
        # fit it (weight and box volume) are the ones likely to keep its cost, and the
        # volume check matters for a box filled to the brim
        self._prepare_bound()
        room = [lv for lv in self._levels if lv.option == pc.option and lv.cost <= base_c]
        if not room:
            return parcels
        slack = min(max(lv.weight for lv in room), self.max_content) - pc.weight
        v_slack = room[0].volume - pc.volume
        for ia, a in enumerate(others):
            for b in others[ia + 1 :]:
                pa, pb = parcels[a], parcels[b]
                union = [x + y for x, y in zip(pa.counts, pb.counts, strict=True)]
                kinds = sorted(i for i in range(self.n) if union[i])
                ins: list[tuple[int, ...]] = [(x,) for x in kinds]
                ins += [
                    (x, y)
                    for j, x in enumerate(kinds)
                    for y in kinds[j:]
                    if x != y or union[x] >= 2
                ]
                moves: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = []
                for out in outs:
                    w_out = sum(w[i] for i in out)
                    v_out = sum(v[i] for i in out)
                    for inn in ins:
                        gain = sum(w[i] for i in inn) - w_out
                        if 0 < gain <= slack and sum(v[i] for i in inn) - v_out <= v_slack:
                            moves.append((gain, out, inn))
                moves.sort(key=lambda m: (-m[0], m[1], m[2]))
                base = base_c + pa.cost + pb.cost
                for _, out, inn in moves[:8]:
                    if self.spent > self.limit:
                        return parcels
                    qc = self.rebuild(_exchanged(pc.counts, out, inn))
                    if qc.cost > base_c:
                        continue
                    rest = _exchanged(union, inn, out)
                    # the pair's blocks, as two parcels to re-split: all in one, none in the other
                    res = self._repack(self.rebuild(rest), self.empty())
                    if res is None:
                        continue
                    if qc.cost + res[0].cost + res[1].cost < base:
                        new = [p for t, p in enumerate(parcels) if t not in (a, b, c)]
                        new += [q for q in (qc, res[0], res[1]) if q.units]
                        self._gained()
                        return new
        return parcels

    def _empty_parcels(self, parcels: list[Parcel], lower: int) -> list[Parcel]:
        """Try to dissolve each parcel, lightest first, into the others."""
        current = parcels
        cost = total(current)
        tried = 0
        while tried < min(len(current), 6) and cost > lower and self.spent <= self.limit:
            order = sorted(range(len(current)), key=lambda t: (current[t].weight, t))
            target = order[tried]
            trial = self._dissolve(current, target)
            if trial is not None:
                new_cost = total(trial)
                if new_cost < cost:
                    self._gained()
                    current, cost, tried = trial, new_cost, 0
                    continue
            tried += 1
        return current

    def _dissolve(self, parcels: list[Parcel], target: int) -> list[Parcel] | None:
        rest = [p.copy() for t, p in enumerate(parcels) if t != target]
        free: list[int] = []
        for i, n in enumerate(parcels[target].counts):
            free.extend([i] * n)
        # Swap free blocks into parcels for lighter ones, never raising a parcel's cost.
        for _ in range(3):
            changed = False
            for t, p in enumerate(rest):
                if not free:
                    break
                q = self._swap_into(p, free)
                if q is not None:
                    rest[t] = q
                    changed = True
            free.sort(key=lambda i: (-self.w[i], i))
            still: list[int] = []
            for i in free:
                if not self._insert_free(rest, i):
                    still.append(i)
            free = still
            if not free or not changed:
                break
        for i in free:
            if not self._place(rest, i):
                return None
        return rest

    def _insert_free(self, parcels: list[Parcel], i: int) -> bool:
        """Insert a block where it costs nothing extra (fullest parcel first)."""
        best_p: Parcel | None = None
        best_opt = -1
        limit = self.max_content - self.w[i]
        for p in parcels:
            if p.weight > limit:
                continue
            cost, opt = self.cost_with(p, i)
            if cost <= p.cost and (best_p is None or p.weight > best_p.weight):
                best_p, best_opt = p, opt
        if best_p is None:
            return False
        self.add(best_p, i, 1, best_p.cost, best_opt)
        return True

    def _swap_into(self, p: Parcel, free: list[int]) -> Parcel | None:
        """Replace one or two blocks of ``p`` by one or two free blocks that weigh more, taking
        the largest gain that keeps the parcel feasible at no extra cost."""
        w = self.w
        # a few distinct blocks each side keep this linear in the parcel count
        inside = [i for i, n in enumerate(p.counts) for _ in range(min(n, 2))][:12]
        outs: list[tuple[int, ...]] = [(a,) for a in sorted(set(inside))]
        outs += sorted({(a, b) for x, a in enumerate(inside) for b in inside[x + 1 :] if a <= b})
        fr = sorted(set(free))[:8]
        ins: list[tuple[int, ...]] = [(a,) for a in fr]
        ins += [(a, b) for x, a in enumerate(fr) for b in fr[x:] if a != b or free.count(a) >= 2]
        slack = self.max_content - p.weight
        w_in = [sum(w[i] for i in inn) for inn in ins]
        moves: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = []
        for out in outs:
            w_out = sum(w[i] for i in out)
            for inn, wi in zip(ins, w_in, strict=True):
                gain = wi - w_out
                if 0 < gain <= slack:
                    moves.append((gain, out, inn))
        if not moves:
            return None
        moves.sort(key=lambda m: (-m[0], m[1], m[2]))
        for _, out, inn in moves[:8]:
            q = self.rebuild(_exchanged(p.counts, out, inn))
            if q.cost <= p.cost:
                for i in out:
                    free.append(i)
                for i in inn:
                    free.remove(i)
                return q
        return None

    def _pair_moves(self, parcels: list[Parcel], lower: int) -> list[Parcel]:
        """Merge two parcels, move one block, or swap two, when that lowers their cost."""
        parcels = [p.copy() for p in parcels]
        improved = True
        passes = 0
        limit = 4 if len(parcels) <= 16 else 2
        while improved and passes < limit:
            improved = False
            passes += 1
            for a in range(len(parcels)):
                if self.spent > self.limit:
                    break
                for b in range(len(parcels)):
                    if a == b or not parcels[a].units or not parcels[b].units:
                        continue
                    pair = self._try_pair(parcels[a], parcels[b])
                    if pair is not None:
                        self._gained()
                        parcels[a], parcels[b] = pair
                        improved = True
            parcels = [p for p in parcels if p.units]
            if total(parcels) <= lower:
                break
        return parcels

    def _at_cover(self, pa: Parcel, pb: Parcel) -> bool:
        """Does the pair already cost what the cheapest cover of its size by one or two levels
        costs? Then no re-split into one or two parcels costs less, and none is tried. (Three
        in four pairs the local search tries end here, most in its last round, the one that
        finds nothing; skipping them leaves its budget for later steps.)"""
        return self.bound(pa.weight + pb.weight, pa.volume + pb.volume, 2) >= pa.cost + pb.cost

    def _try_pair(self, pa: Parcel, pb: Parcel) -> tuple[Parcel, Parcel] | None:
        base = pa.cost + pb.cost
        if self._at_cover(pa, pb):
            return None
        if pa.weight + pb.weight <= self.max_content:
            merged = self.rebuild([a + b for a, b in zip(pa.counts, pb.counts, strict=True)])
            if merged.cost < base:
                return self.empty(), merged
        for i, n in enumerate(pa.counts):
            if not n:
                continue
            cb, ob = self.cost_with(pb, i)
            if cb >= INF:
                continue
            ca_counts = list(pa.counts)
            ca_counts[i] -= 1
            qa = self.rebuild(ca_counts) if any(ca_counts) else self.empty()
            if qa.cost + cb < base:
                qb = pb.copy()
                self.add(qb, i, 1, cb, ob)
                return qa, qb
            for j, m in enumerate(pb.counts):
                if not m or j == i:
                    continue
                ta = list(ca_counts)
                ta[j] += 1
                qa2 = self.rebuild(ta)
                if qa2.cost >= base:
                    continue
                tb = list(pb.counts)
                tb[j] -= 1
                tb[i] += 1
                qb2 = self.rebuild(tb)
                if qa2.cost + qb2.cost < base:
                    return qa2, qb2
        return None

    def _repack_pairs(self, parcels: list[Parcel], lower: int, max_pairs: int) -> list[Parcel]:
        """Re-split the blocks of two parcels (or split one) optimally by weight: for each
        price level's weight cap, the heaviest subset under it (exact subset sum) in one parcel
        and the rest in the other."""
        parcels = [p.copy() for p in parcels]
        order = sorted(range(len(parcels)), key=lambda t: (parcels[t].cost, t))
        pairs: list[tuple[int, int]] = [(a, -1) for a in order]
        pairs += [(a, b) for x, a in enumerate(order) for b in order[x + 1 :]]
        tried = 0
        for a, b in pairs:
            if tried >= max_pairs or total(parcels) <= lower or self.spent > self.limit:
                break
            pa = parcels[a]
            pb = parcels[b] if b >= 0 else self.empty()
            if not pa.units or (b >= 0 and not pb.units):
                continue
            tried += 1
            res = self._repack(pa, pb)
            if res is not None:
                self._gained()
                parcels[a] = res[0]
                if b >= 0:
                    parcels[b] = res[1]
                elif res[1].units:
                    parcels.append(res[1])
        return [p for p in parcels if p.units]

    def _repack(self, pa: Parcel, pb: Parcel) -> tuple[Parcel, Parcel] | None:
        union = [x + y for x, y in zip(pa.counts, pb.counts, strict=True)]
        base = pa.cost + pb.cost
        uw = pa.weight + pb.weight
        pool = [i for i in range(self.n) if union[i]]
        if sum(union) < 2:
            return None
        if self._at_cover(pa, pb):
            return None
        best: tuple[Parcel, Parcel] | None = None
        best_cost = base
        if self.segregation:
            apart = self._split_tags(union, uw, best_cost)
            if apart is not None:
                best, best_cost = apart, apart[0].cost + apart[1].cost
        caps = sorted({lv.weight for lv in self._levels if 2 * lv.weight >= uw and lv.weight < uw})
        if not caps:
            return best
        w = self.w
        sums = binpack.SubsetSums([(i, w[i], union[i]) for i in pool], caps[-1])
        seen: set[int] = set()
        alone = self.alone
        least = min(alone[i] for i in pool)  # the cheapest part that is a single block
        for cap in caps:
            target = sums.best(cap)
            if target <= 0 or target in seen:
                continue
            seen.add(target)
            lb = min(self.parcel_bound(target), least)
            if uw > target:
                lb += min(self.parcel_bound(uw - target), least)
            if lb >= best_cost:
                continue
            counts = [0] * self.n
            for i, m in sums.pick(target):
                counts[i] += m
            cut = self._cut(union, counts, best_cost)
            if cut is not None:
                best, best_cost = cut, cut[0].cost + cut[1].cost
        light = self._light_side(union, uw, best_cost)
        if light is not None:
            best = light
        return best

    def _split_tags(
        self, union: list[int], uw: int, best_cost: int
    ) -> tuple[Parcel, Parcel] | None:
        """Re-split two parcels whose blocks hold two tags that may not share a parcel: each
        tag's blocks go whole to one side, so only the blocks of neither are shared out. For
        each price level, one side is filled up to it with the heaviest of those (exact subset
        sum), the rest go to the other. (The weight cuts above take any heaviest subset, which
        mostly mixes the two tags and fails.) None unless cheaper than ``best_cost``."""
        kinds = self.kinds
        present = 0
        for i, u in enumerate(union):
            if u:
                present |= kinds[i].tags
        conflict = [g for g in self.segregation if (present & g).bit_count() > 1]
        if len(conflict) != 1 or (present & conflict[0]).bit_count() != 2:
            # three such tags cannot go into two parcels at all; two pairs are left to the
            # other moves (the common case is one pair)
            return None
        both = present & conflict[0]
        tag_a = both & -both
        base_a = [0] * self.n  # the blocks that must go with tag_a, and with the other tag
        base_b = [0] * self.n
        free: list[int] = []
        w = self.w
        wa = wb = 0
        for i, u in enumerate(union):
            if not u:
                continue
            t = kinds[i].tags & both
            if t == both:
                return None  # a block holding both tags fits no parcel
            if t == tag_a:
                base_a[i] = u
                wa += w[i] * u
            elif t:
                base_b[i] = u
                wb += w[i] * u
            else:
                free.append(i)
        if not free:
            return None  # nothing to share out: the split is the one there is
        best: tuple[Parcel, Parcel] | None = None
        sums = binpack.SubsetSums([(i, w[i], union[i]) for i in free], uw - min(wa, wb))
        tried: set[tuple[int, int]] = set()
        caps = sorted({lv.weight for lv in self._levels if lv.weight < uw})
        for side, base, fixed in ((0, base_a, wa), (1, base_b, wb)):
            for cap in caps:
                if cap < fixed:
                    continue
                target = sums.best(cap - fixed)
                if (side, target) in tried:
                    continue
                tried.add((side, target))
                mine = fixed + target
                # a heuristic filter, like the weight cut's: here without a side of one block
                # alone, which may cost less than ``parcel_bound`` (allowing for it changed no
                # plan among 840 orders, for 5 % more time on the slowest medium ones)
                low = self.parcel_bound(mine) + self.parcel_bound(uw - mine)
                if low >= best_cost:
                    continue
                counts = list(base)
                for i, m in sums.pick(target):
                    counts[i] += m
                cut = self._cut(union, counts, best_cost)
                if cut is not None:
                    best, best_cost = cut, cut[0].cost + cut[1].cost
        return best

    def _cut(
        self, union: list[int], counts: list[int], best_cost: int
    ) -> tuple[Parcel, Parcel] | None:
        """``counts`` in one parcel and the rest of ``union`` in the other, when the two cost
        less than ``best_cost`` together (the second is not priced unless the first does)."""
        qa = self.rebuild(counts)
        if qa.cost >= best_cost:
            return None
        rest = [u - c for u, c in zip(union, counts, strict=True)]
        qb = self.rebuild(rest) if any(rest) else self.empty()
        return (qa, qb) if qa.cost + qb.cost < best_cost else None

    def _light_side(
        self, union: list[int], uw: int, best_cost: int
    ) -> tuple[Parcel, Parcel] | None:
        """Re-split two parcels by filling the lighter one: for each price level under half
        their weight, the heaviest subset of the blocks that the level's option takes.

        The heavy-side cut above takes any heaviest subset for the big parcel, so the rest
        may hold a block that fits no small box (too long, too bulky) and pays a bigger box;
        here only blocks a level's option takes at all (sides within its box, no forbidden
        tag, volume within the box) fill the small parcel, which lets the big one drop a
        price level."""
        accepting = self.accepting
        w, v = self.w, self.v
        levels = sorted(
            {
                (lv.weight, lv.cost, lv.option, lv.volume)
                for lv in self._levels
                if 2 * lv.weight < uw
            },
        )
        if not levels:
            return None
        best: tuple[Parcel, Parcel] | None = None
        done: set[tuple[int, ...]] = set()
        reach_of: dict[tuple[int, ...], binpack.SubsetSums] = {}
        top = levels[-1][0]
        present = sum(1 for u in union if u)
        for cap, level_cost, option, volume in levels:
            pool = tuple(
                i
                for i in range(self.n)
                if union[i] and accepting[i] >> option & 1 and v[i] <= volume
            )
            if not pool or len(pool) == present:
                # a level that takes every block is left to the heavy-side cut: the aim here
                # is a small box that some blocks do not fit
                continue
            # priced at this level, with the rest at least the least parcel of its weight,
            # the cut cannot win: a heuristic filter (a lower level may yet price it)
            if level_cost + self.parcel_bound(uw - cap) >= best_cost:
                continue
            if pool not in reach_of:
                reach_of[pool] = binpack.SubsetSums([(i, w[i], union[i]) for i in pool], top)
            sums = reach_of[pool]
            target = sums.best(cap)
            if target <= 0:
                continue
            counts = [0] * self.n
            for i, m in sums.pick(target):
                counts[i] += m
            key = tuple(counts)
            if key in done:
                continue
            done.add(key)
            qa = self.rebuild(counts)
            if qa.cost >= best_cost:
                continue
            rest = [u - c for u, c in zip(union, counts, strict=True)]
            qb = self.rebuild(rest)
            if qb.cost >= INF:
                # The big parcel breaks a limit the weight cut ignores (items, value, volume):
                # the heaviest small parcel with one, two, ... more blocks leaves it fewer.
                more = self._more_blocks(pool, union, cap, sum(counts))
                for counts in more:
                    qa = self.rebuild(counts)
                    if qa.cost >= best_cost:
                        continue
                    rest = [u - c for u, c in zip(union, counts, strict=True)]
                    qb = self.rebuild(rest)
                    if qb.cost < INF:
                        break
            if qa.cost + qb.cost < best_cost:
                best, best_cost = (qb, qa), qa.cost + qb.cost
        return best

    def _more_blocks(
        self, pool: tuple[int, ...], union: list[int], cap: int, taken: int
    ) -> list[list[int]]:
        """Per number of blocks above ``taken`` (at most three more), the heaviest subset of
        ``pool`` of exactly that many blocks weighing at most ``cap``: a dynamic programme
        over (blocks, weight) with one big-int bit set per count."""
        w = self.w
        blocks = [i for i in pool for _ in range(union[i])]
        most = min(len(blocks), taken + 3)
        if most <= taken or len(blocks) > 40:
            return []
        mask = binpack.low_bits(cap + 1)
        rows = [1] + [0] * most  # rows[c]: weights reachable with exactly c blocks
        layers = [list(rows)]
        for i in blocks:
            wi = w[i]
            for c in range(most, 0, -1):
                rows[c] |= (rows[c - 1] << wi) & mask
            layers.append(list(rows))
        found: list[list[int]] = []
        for c in range(taken + 1, most + 1):
            target = rows[c].bit_length() - 1
            if target < 0:
                break
            counts = [0] * self.n
            left = c
            for j in range(len(blocks) - 1, -1, -1):
                if not layers[j][left] >> target & 1:
                    i = blocks[j]
                    counts[i] += 1
                    target -= w[i]
                    left -= 1
            found.append(counts)
        return found

    # ---- driver ----------------------------------------------------------------------------

    def one_kind(self) -> PackResult:
        """One kind of block: exact dynamic programme over the number of blocks per parcel
        (only counts just below a price step, or the most a parcel takes, are worth using)."""
        c = self.kinds[0].count
        costs = [0]
        p = self.empty()
        for _ in range(c):
            cost, opt = self.cost_with(p, 0)
            if cost >= INF:
                break
            self.add(p, 0, 1, cost, opt)
            costs.append(cost)
        top = len(costs) - 1
        if top == 0:
            return PackResult([], INF, 0, False)
        useful = [
            j for j in range(1, top + 1) if j == top or costs[j] < costs[j + 1] or not self.monotone
        ]
        f = [0] * (c + 1)
        pick = [0] * (c + 1)
        for m in range(1, c + 1):
            best, best_j = (costs[m], m) if m <= top else (INF, 0)
            for j in useful:
                if j >= m:
                    break
                v = costs[j] + f[m - j]
                if v < best:
                    best, best_j = v, j
            f[m], pick[m] = best, best_j
        parcels = []
        m = c
        while m > 0:
            parcels.append(self.rebuild([pick[m]]))
            m -= pick[m]
        parcels.sort(key=lambda q: (-q.weight, q.counts))
        return PackResult(parcels, f[c], f[c], True)

    def _pure(self) -> tuple[int, int] | None:
        """(capacity, cost) when every feasible parcel of these blocks costs the same and only
        its content weight limits it: plain bin packing (one channel with a flat price)."""
        kinds = self.kinds
        if len(set(self.alone)) != 1 or len({k.chmask for k in kinds}) != 1:
            return None
        if any(any(k.caps) for k in kinds):
            return None
        tags = 0
        for k in kinds:
            tags |= k.tags
        if any((tags & g).bit_count() > 1 for g in self.segregation):
            return None
        self._prepare_bound()
        levels = self._levels
        costs = {lv.cost for lv in levels} | set(self.alone)
        if not levels or len(costs) != 1 or any(lv.volume < INF for lv in levels):
            return None
        return max(lv.weight for lv in levels), levels[0].cost

    def _bin_packing(self, cap: int, cost: int) -> PackResult | None:
        weights: list[int] = []
        kind_of: list[int] = []
        for i, k in enumerate(self.kinds):
            weights.extend([k.weight] * k.count)
            kind_of.extend([i] * k.count)
        if max(weights) > cap:
            return None
        bins, lower = binpack.pack(weights, cap)
        parcels = []
        for b in bins:
            counts = [0] * self.n
            for item in b:
                counts[kind_of[item]] += 1
            p = self.rebuild(counts)
            if p.cost != cost:
                return None  # some other limit after all: the general search decides
            parcels.append(p)
        parcels.sort(key=lambda p: (-p.weight, p.counts))
        return PackResult(parcels, cost * len(parcels), cost * lower, len(parcels) <= lower)

    def solve(
        self,
        exact_units: int = 30,
        work_limit: int = 4000,
        rounds: int = 6,
        quick: bool = False,
        budget: int = 20_000,
        stall: int = INF,
    ) -> PackResult:
        """Best packing found; ``quick``: the constructive heuristics only (no local search, no
        exact search), to compare allocations cheaply. The local search spends at most
        ``budget`` parcel evaluations, and stops ``stall`` evaluations after its last gain."""
        self.quick = quick
        if self.n == 0:
            return PackResult([], 0, 0, True)
        counts0 = [k.count for k in self.kinds]
        one = self.rebuild(counts0)
        if self.n == 1 and counts0[0] == 1:
            # a single block: its own parcel is the packing (what ``one_kind`` and the test
            # below both come to, without pricing the block alone a second time)
            if one.cost < INF:
                return PackResult([one], one.cost, one.cost, True)
            return PackResult([], INF, 0, False)
        alone = self.alone
        if one.cost < INF and self.monotone:
            # any split has two parcels: one holding the dearest block, another one
            dear = max(range(self.n), key=lambda i: alone[i])
            others = [alone[i] for i in range(self.n) if i != dear or counts0[i] > 1]
            if others and one.cost <= alone[dear] + min(others):
                return PackResult([one], one.cost, one.cost, True)
            if not others:
                return PackResult([one], one.cost, one.cost, True)
        if self.n == 1:
            return self.one_kind()
        # a handful of blocks is searched exhaustively below: no need for the bin-packing case
        # (or the bound structures its test builds)
        pure = self._pure() if self.total_count > TINY else None
        if pure is not None:
            res = self._bin_packing(*pure)
            if res is not None:
                return res
        best: list[Parcel] = [one] if one.cost < INF else []
        best_cost = one.cost if one.cost < INF else INF
        if self.total_count <= TINY:
            # a handful of blocks: exhaustive search from the best greedy packing
            cand = self.best_fit()
            if cand and total(cand) < best_cost:
                best, best_cost = cand, total(cand)
            best, proven = self.exact(best, work_limit, use_dp=False)
            best_cost = total(best)
            best.sort(key=lambda p: (-p.weight, p.counts))
            lower = best_cost if proven else self._apart_bound(counts0)
            return PackResult(best, best_cost, lower, proven)
        lower = self.root_bound()
        makers = (
            (self.guided, self.worst_fit)
            if self.total_count > BIG_BLOCKS
            else (self.guided, self.best_fit, self.worst_fit)
        )
        for make in makers:
            if best_cost <= lower:
                break
            cand = make() if make == self.guided else self._once((make.__name__,), make)
            if cand and total(cand) < best_cost:
                best, best_cost = cand, total(cand)
        if best_cost > lower and not quick:
            big = self.total_count > 200
            self.budget_end = self.spent + budget
            self.stall = stall
            self._gained()
            best = self.improve(best, lower, 2 if big else rounds)
            best_cost = total(best)
        if (
            best_cost > lower
            and self.total_count <= exact_units
            and not quick
            and not self._first_step_too_long(work_limit)
        ):
            best, proven = self.exact(best, work_limit)
            best_cost = total(best)
            if proven:
                lower = best_cost
        best.sort(key=lambda p: (-p.weight, p.counts))
        return PackResult(best, best_cost, min(lower, best_cost), best_cost <= lower, quick)


class _VectorCount:
    """``Packer._count_on``: the count vectors over ``kinds`` (block kinds the box option
    takes, the heaviest first) that the option surely takes, counted past ``cap`` at most.
    (A class rather than nested functions: the compiled build calls its methods natively,
    while a nested function takes its arguments as objects.)"""

    __slots__ = (
        "blocks",
        "cap",
        "count",
        "kinds",
        "last",
        "limits",
        "seg",
        "u_cap",
        "v_cap",
        "val_cap",
        "w_cap",
    )

    def __init__(self, packer: Packer, kinds: list[int], o: Option, cap: int) -> None:
        self.blocks = packer.kinds
        self.kinds = kinds
        self.last = len(kinds) - 1
        self.w_cap = Packer._weight_cap(o)
        self.v_cap = o.inner_volume
        self.u_cap = o.max_items
        self.val_cap = o.max_value
        self.limits = packer.cap_limits
        self.seg = packer.segregation
        self.cap = cap
        self.count = 0

    def room(self, i: int, w: int, v: int, u: int, val: int, tags: int, caps: list[int]) -> int:
        """How many more blocks of kind ``i`` (up to all of them) still surely fit."""
        # (called once per vector counted: written out, so that it makes no objects)
        k = self.blocks[i]
        new_tags = tags | k.tags
        if new_tags != tags:
            for g in self.seg:
                if (new_tags & g).bit_count() > 1:
                    return 0
        m = k.count
        per = k.weight
        if per > 0 and (self.w_cap - w) // per < m:
            m = (self.w_cap - w) // per
        per = k.volume
        if per > 0 and (self.v_cap - v) // per < m:
            m = (self.v_cap - v) // per
        per = k.units
        if per > 0 and (self.u_cap - u) // per < m:
            m = (self.u_cap - u) // per
        per = k.value
        if per > 0 and (self.val_cap - val) // per < m:
            m = (self.val_cap - val) // per
        block_caps = k.caps
        limits = self.limits
        for x in range(len(caps)):
            per = block_caps[x]
            if per > 0 and (limits[x] - caps[x]) // per < m:
                m = (limits[x] - caps[x]) // per
        return m if m > 0 else 0

    def rec(self, t: int, w: int, v: int, u: int, val: int, tags: int, caps: list[int]) -> None:
        i = self.kinds[t]
        m = self.room(i, w, v, u, val, tags, caps)
        if t == self.last:  # the vectors ending here, counted without listing them
            self.count += m + (1 if t else 0)
            return
        if t:  # none of this kind (the heaviest kind is in every vector)
            self.rec(t + 1, w, v, u, val, tags, caps)
        k = self.blocks[i]
        tags |= k.tags
        c = list(caps)
        for _ in range(m):
            if self.count > self.cap:
                return
            w += k.weight
            v += k.volume
            u += k.units
            val += k.value
            for x, add in enumerate(k.caps):
                c[x] += add
            self.rec(t + 1, w, v, u, val, tags, c)


def _exchanged(counts: Sequence[int], out: Iterable[int], inn: Iterable[int]) -> list[int]:
    """``counts`` with one block of each index in ``out`` taken away and one of each in
    ``inn`` added (an index may repeat)."""
    new = list(counts)
    for i in out:
        new[i] -= 1
    for i in inn:
        new[i] += 1
    return new
