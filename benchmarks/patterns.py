"""A lower bound of the exact family-B problem (as ``reference.py`` models it) from the LP over
parcel patterns, by column generation (Dantzig–Wolfe), with the stock of every warehouse.

A *pattern* is one parcel of one group (``reference._supergroups``) from one warehouse: a
shipping option (channel × box, or a single unit in its own packaging), a price level and a
multiset of the group's blocks. The master LP covers every block kind of every group with
patterns (``>=``: a relaxation of ``==``) within each warehouse's stock of every SKU and
minimises the patterns' cost (price + handling):

    min  sum c_p l_p   s.t.  sum_p a_pi l_p >= d_i  (dual pi_i >= 0)
                             sum_p u_pws l_p <= stock_ws  (dual -mu_ws, mu >= 0),  l >= 0.

Every plan of the exact problem is an integer point of it, so its optimum bounds every plan.
The LP is solved over a growing set of columns (GLOP), and its value is never used as such:
from any duals (pi, mu) a bound is derived that is valid whatever columns the LP had and however
accurate GLOP was. For a pattern p of group g and warehouse w let rho(p) = pi_g . a_p - mu . u_p
and theta_g = max(1, max over *every* feasible pattern p of g of rho(p) / c_p). Then for any plan
x (patterns with multiplicities):

    cost(x) = sum c_p x_p >= sum_g (1 / theta_g) sum_{p in g} rho(p) x_p
            >= sum_g pi_g . d_g / theta_g - mu . stock

(the demand is met exactly; the stock a group uses is at most the stock and theta_g >= 1).
Each group's term may also be replaced by ``floor_g + the least stock penalty of its blocks``,
where floor_g is any lower bound of the group's cost with the warehouses pooled (the benchmark
passes its group bounds): the group's cost plus mu times the stock it uses is at least both.

theta_g is bounded from above in two ways. First a *relaxed* pricing: per option class and price
level, a bounded knapsack over the content weight only (weights rounded down to a grid, the
level's weight limit rounded down too, so every feasible content stays feasible) with the box
volume moved into the objective by a Lagrange multiplier (for any lambda >= 0, max over contents
with volume <= V of rho . a is at most max over all contents of (rho - lambda v) . a + lambda V),
and a bounded knapsack over the volume alone; the least of these bounds the best pattern of that
level. Where that does not show theta_g <= 1, an *exact* pricing of the class: Dinkelbach's
method with CP-SAT (content weight within the chosen level, box volume, supply), whose proven
objective bound (not its solution) decides. Patterns the exact pricing finds above 1 join the
LP, so at convergence theta_g = 1 and the bound is the LP optimum (up to the truncation).
Items, declared value and per-parcel caps are left out (a relaxation); the segregated tags are
honoured by pricing each choice of one tag per segregation group apart. The duals are truncated
to integers at a fixed scale and every step is exact integer or rational arithmetic, so the
bound is a proof; it is then rounded up to the greatest common divisor of all parcel costs
(every plan's cost is a multiple of it).

Column generation itself only needs good columns (the bound's validity does not depend on
them): its heuristic pricing is the same knapsack in floats with a few Lagrange multipliers for
the volume, and a greedy repair of weight and volume, so each column is a parcel that fits;
the planner's parcels, if given, are the first columns.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from benchmarks.reference import _accepts, _own_packaging_price, _supergroups
from splitship.domain.order import Order
from splitship.planning import planner as pl
from splitship.planning.context import PlanningContext
from splitship.planning.packing import Kind
from splitship.planning.rates import INF, Option

DUAL_SCALE = 10**4  # integer scale of the duals in the exact bound
GRID_G = 10  # weight grid of the knapsacks, grams
VOLUME_CELLS = 400  # volume grid of the volume-only knapsack: cells per box volume
# Lagrange multipliers of the box volume, as fractions of the highest value per volume
# (multiples of the class's mean value per volume)
LAMBDAS = tuple(Fraction(n, 8) for n in (0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 24))
PRICING_LAMBDAS = (0.0, 0.5, 1.0, 1.5)
PRICING_LEVELS = 4  # levels rebuilt per knapsack in the heuristic pricing
PRICING_COLUMNS = 6  # columns added per class, group and warehouse in one round


@dataclass
class _Class:
    """Box-like options of a group that accept the same kinds under one choice of segregated
    tags and have the same box volume: one knapsack serves all their price levels."""

    kinds: tuple[int, ...]  # indexes into the group's kinds
    volume: int  # box inner volume (INF: no box)
    levels: list[tuple[int, int]] = field(default_factory=list)  # (content weight cap, cost)


@dataclass
class _GroupData:
    kinds: list[Kind]
    warehouses: list[str]  # "*": stock plays no part
    supply: dict[str, list[int]]  # per warehouse, blocks of each kind its stock can supply
    use: list[list[tuple[str, int]]]  # per kind: (sku, units)
    classes: list[_Class]
    single: list[int]  # per kind: cheapest parcel holding just one such block (INF: none)


@dataclass
class PatternBound:
    bound: int  # proven lower bound of the whole order's cost (0: none)
    lp: float  # the last restricted master LP's value (not a bound)
    iterations: int
    converged: bool  # no improving column left: every theta_g proven 1
    seconds: float
    thetas: list[float]  # per group, the scaling of the best bound's duals


def _levels(o: Option, total_w: int) -> list[tuple[int, int]]:
    """(content weight cap, price) per price level of a box-like option, as the reference's
    model charges it: a step rate at ``rate.price`` of the chargeable weight (a multiple of the
    step, at least the box's volumetric weight); a weight table at the price of the first
    bracket whose top (rounded down to the step) holds the gross weight. Levels of equal price
    keep only the heaviest."""
    cap = min(o.max_load, o.max_gross - o.tare, total_w)
    if cap <= 0:
        return []
    s = o.step
    volw = o.volumetric_g if o.box is not None else 0
    out: list[tuple[int, int]] = []
    rate = o.rate
    if rate.table:
        for up, price in rate.table:
            top = up // s * s
            if -(-volw // s) * s <= up and top > 0 and top - o.tare > 0:
                out.append((min(cap, top - o.tare), price))
    else:
        q_lo = max(1, -(-volw // s))
        q_hi = -(-max(cap + o.tare, volw) // s)
        for q in range(q_lo, q_hi + 1):
            price = rate.price(q * s)
            if price is None or q * s - o.tare <= 0:
                continue
            w = min(cap, q * s - o.tare)
            if out and out[-1][1] == price:
                out[-1] = (w, price)
            else:
                out.append((w, price))
    # a level that holds no more than a cheaper one is never needed
    out.sort(key=lambda lv: (lv[1], -lv[0]))
    kept: list[tuple[int, int]] = []
    for w, price in out:
        if not kept or w > kept[-1][0]:
            kept.append((w, price))
    return kept


def _group_data(
    setup: pl._Setup, order: Order, ctx: PlanningContext, group: pl._Group
) -> _GroupData | None:
    pricer = setup.pricer(group.address, group.ship_on)
    kinds, _unship, _ = pl._blocks(setup, group, pricer)
    if not kinds:
        return None
    handling = setup.handling
    needs_stock = ctx.stock_check and group.ship_on <= setup.today
    whs = [w.id for w in ctx.warehouses] if needs_stock else ["*"]
    use: list[list[tuple[str, int]]] = []
    for k in kinds:
        per: dict[str, int] = {}
        for lid, q in k.key:
            sku = order.line(lid).sku
            per[sku] = per.get(sku, 0) + q
        use.append(sorted(per.items()))
    supply: dict[str, list[int]] = {}
    for wh in whs:
        if wh == "*":
            supply[wh] = [k.count for k in kinds]
            continue
        house = next(w for w in ctx.warehouses if w.id == wh)
        supply[wh] = [
            min([k.count] + [max(0, house.available(sku)) // q for sku, q in u])
            for k, u in zip(kinds, use, strict=True)
        ]
    total_w = sum(k.weight * k.count for k in kinds)
    # segregation: one tag (or none) per group of segregated tags
    choices: list[int] = [0]
    for g in setup.seg_masks:
        members = [1 << b for b in range(g.bit_length()) if g >> b & 1]
        choices = [c | m for c in choices for m in members]
    seg_all = 0
    for g in setup.seg_masks:
        seg_all |= g
    classes: dict[tuple[tuple[int, ...], int], _Class] = {}
    single = [INF] * len(kinds)
    for o in pricer.options:
        if o.box is None:
            for i, k in enumerate(kinds):
                if not k.chmask & o.channel_bit:
                    continue
                price = _own_packaging_price(o, k)
                if price is not None:
                    single[i] = min(single[i], price + handling)
            if not o.any_units:
                continue
        elif not o.size_ok:
            continue
        levels = _levels(o, total_w)
        if not levels:
            continue
        accepted = [i for i, k in enumerate(kinds) if _accepts(o, k)]
        volume = o.inner_volume if o.box is not None else INF
        for ch in choices:
            # a kind may join if its segregated tags are all the chosen ones
            ks = tuple(i for i in accepted if not (kinds[i].tags & seg_all) & ~ch)
            if not ks:
                continue
            cl = classes.setdefault((ks, volume), _Class(ks, volume))
            cl.levels.extend((w, price + handling) for w, price in levels)
            for i in ks:
                k = kinds[i]
                if k.volume <= volume:
                    fit = [c for w, c in levels if w >= k.weight]
                    if fit:
                        single[i] = min(single[i], fit[0] + handling)
    for cl in classes.values():
        cl.levels.sort(key=lambda lv: (lv[1], -lv[0]))
        kept: list[tuple[int, int]] = []
        for w, c in cl.levels:
            if not kept or w > kept[-1][0]:
                kept.append((w, c))
        cl.levels = kept
    return _GroupData(kinds, whs, supply, use, list(classes.values()), single)


def cost_granularity(setup: pl._Setup, groups: Sequence[pl._Group]) -> int:
    """The greatest common divisor of every cost a parcel can have (price + handling)."""
    g = 0
    h = setup.handling
    for group in groups:
        for o in setup.pricer(group.address, group.ship_on).options:
            rate = o.rate
            if rate.table:
                for _, price in rate.table:
                    g = math.gcd(g, price + h)
            else:
                g = math.gcd(g, rate.first_price + h)
                g = math.gcd(g, rate.step_price)
    return max(g, 1)


# ---- knapsacks ----------------------------------------------------------------------------


def _pieces(counts: Sequence[int]) -> list[tuple[int, int]]:
    """Binary splitting of bounded copies: (item, copies)."""
    out: list[tuple[int, int]] = []
    for i, n in enumerate(counts):
        c = 1
        while n > 0:
            take = min(c, n)
            out.append((i, take))
            n -= take
            c *= 2
    return out


def _knap_int(
    values: Sequence[int], sizes: Sequence[int], counts: Sequence[int], cap: int
) -> np.ndarray:
    """best[c] = max sum values . a with sizes . a <= c, 0 <= a <= counts, for every c <= cap
    (exact, int64; values must be positive)."""
    best = np.zeros(cap + 1, dtype=np.int64)
    for i, copies in _pieces(
        [min(n, cap // max(s, 1)) if s else n for s, n in zip(sizes, counts, strict=True)]
    ):
        s, v = sizes[i] * copies, values[i] * copies
        if s == 0:
            best += v
            continue
        if s > cap:
            continue
        cand = best[:-s] + v
        np.maximum(best[s:], cand, out=best[s:])
    return best


def _knap_float(
    values: Sequence[float], sizes: Sequence[int], counts: Sequence[int], cap: int
) -> tuple[np.ndarray, list[tuple[int, int]], list[np.ndarray]]:
    """The same in floats, keeping what each piece took, for reconstruction."""
    best = np.zeros(cap + 1, dtype=np.float64)
    pieces = _pieces([min(n, cap // s) for s, n in zip(sizes, counts, strict=True)])
    took: list[np.ndarray] = []
    kept: list[tuple[int, int]] = []
    for i, copies in pieces:
        s, v = sizes[i] * copies, values[i] * copies
        if s > cap:
            continue
        cand = best[:-s] + v
        mask = cand > best[s:] + 1e-12
        best[s:] = np.where(mask, cand, best[s:])
        row = np.zeros(cap + 1, dtype=bool)
        row[s:] = mask
        took.append(row)
        kept.append((i, copies))
    return best, kept, took


def _rebuild(
    kept: list[tuple[int, int]], took: list[np.ndarray], sizes: Sequence[int], c: int, n: int
) -> list[int]:
    counts = [0] * n
    for (i, copies), row in zip(reversed(kept), reversed(took), strict=True):
        if row[c]:
            counts[i] += copies
            c -= sizes[i] * copies
    return counts


# ---- the bound ----------------------------------------------------------------------------


def pattern_bound(
    order: Order,
    ctx: PlanningContext,
    seconds: float,
    group_lb: Sequence[int] | None = None,
    plan: pl.Plan | None = None,
) -> PatternBound:
    """The proven lower bound (see the module docstring), column generation for ``seconds``."""
    started = time.perf_counter()
    setup = pl._setup(order, ctx)
    groups = _supergroups(setup)
    data: list[_GroupData] = []
    floors: list[int] = []  # per group of ``data``, its lower bound from ``group_lb``
    kept_groups: list[pl._Group] = []
    for gi, group in enumerate(groups):
        gd = _group_data(setup, order, ctx, group)
        if gd is not None:
            data.append(gd)
            kept_groups.append(group)
            floors.append(group_lb[gi] if group_lb is not None else 0)
    if not data:
        return PatternBound(0, 0.0, 0, True, 0.0, [])
    unit = cost_granularity(setup, groups)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    inf = solver.infinity()
    demand = [[solver.Constraint(k.count, inf) for k in gd.kinds] for gd in data]
    stock_rows: dict[tuple[str, str], pywraplp.Constraint] = {}
    stock: dict[tuple[str, str], int] = {}
    # units of each SKU the groups that draw on stock need: a warehouse holding at least that
    # many never runs out, and its row is left out (fewer rows, and no dual to shift)
    needed: dict[str, int] = {}
    for gd in data:
        if gd.warehouses != ["*"]:
            for k, u in zip(gd.kinds, gd.use, strict=True):
                for sku, q in u:
                    needed[sku] = needed.get(sku, 0) + q * k.count
    for gd in data:
        for wh in gd.warehouses:
            if wh == "*":
                continue
            house = next(w for w in ctx.warehouses if w.id == wh)
            for u in gd.use:
                for sku, _ in u:
                    avail = max(0, house.available(sku))
                    if (wh, sku) not in stock_rows and avail < needed[sku]:
                        stock[wh, sku] = avail
                        stock_rows[wh, sku] = solver.Constraint(-inf, avail)
    objective = solver.Objective()
    objective.SetMinimization()
    seen: set[tuple[int, str, tuple[int, ...], int]] = set()

    def add(g: int, wh: str, counts: Sequence[int], cost: int) -> bool:
        # (the same content at a lower cost is another column: a planned parcel may cost more
        # than the cheapest level that holds its content)
        key = (g, wh, tuple(counts), cost)
        if key in seen:
            return False
        seen.add(key)
        x = solver.NumVar(0, inf, "")
        objective.SetCoefficient(x, cost)
        per: dict[str, int] = {}
        for i, a in enumerate(counts):
            if a:
                demand[g][i].SetCoefficient(x, a)
                for sku, q in data[g].use[i]:
                    per[sku] = per.get(sku, 0) + a * q
        if wh != "*":
            for sku, q in per.items():
                if (wh, sku) in stock_rows:
                    stock_rows[wh, sku].SetCoefficient(x, q)
        return True

    # every block alone, from every warehouse that can supply it (so the LP is feasible
    # whenever the order is)
    for g, gd in enumerate(data):
        for i in range(len(gd.kinds)):
            one = [0] * len(gd.kinds)
            one[i] = 1
            for wh in gd.warehouses:
                if gd.supply[wh][i] > 0 and gd.single[i] < INF:
                    add(g, wh, one, gd.single[i])
    # the planner's parcels (feasible patterns) as a warm start
    if plan is not None:
        for pkg in plan.packages:
            for g, (group, gd) in enumerate(zip(kept_groups, data, strict=True)):
                counts = plan_counts(pkg, group, gd.kinds)
                if counts is not None:
                    wh = "*" if gd.warehouses == ["*"] else pkg.warehouse_id
                    add(g, wh, counts, pkg.price + pkg.handling_cost)
                    break

    best = Fraction(0)
    thetas: list[float] = []
    iterations = 0
    converged = False
    lp = 0.0
    while True:
        iterations += 1
        if solver.Solve() != pywraplp.Solver.OPTIMAL:
            break
        lp = objective.Value()
        pis = [[max(0.0, r.dual_value()) for r in rows] for rows in demand]
        mus = {key: max(0.0, -r.dual_value()) for key, r in stock_rows.items()}
        added = 0
        for g, gd in enumerate(data):
            for wh in gd.warehouses:
                for counts, cost in _price(gd, pis[g], mus, wh):
                    added += add(g, wh, counts, cost)
        out_of_time = time.perf_counter() - started > seconds
        if not added or out_of_time or iterations % 8 == 0:
            exact = not added or out_of_time
            value, th, found = _exact_bound(
                data, pis, mus, stock, exact, floors, started + 2 * seconds
            )
            if value > best:
                best, thetas = value, th
            if not added and not out_of_time:
                # the heuristic pricing missed these: keep going with them
                for g, wh, counts, cost in found:
                    added += add(g, wh, counts, cost)
        if not added:
            # (every theta proven 1: the bound is the LP optimum)
            converged = all(t == 1 for t in thetas)
            break
        if out_of_time:
            break
    bound = math.ceil(best / unit) * unit if best > 0 else 0
    return PatternBound(bound, lp, iterations, converged, time.perf_counter() - started, thetas)


def plan_counts(
    pkg: pl.PlannedPackage, group: pl._Group, kinds: Sequence[Kind]
) -> list[int] | None:
    """A planned parcel as block counts of a group's kinds (None: not of this group, or not
    made of whole blocks)."""
    if group.alone is not None or pkg.address != group.address or pkg.ship_on != group.ship_on:
        return None
    if not set(pkg.items) <= {ln.line.id for ln, _ in group.parts}:
        return None
    left = dict(pkg.items)
    counts = []
    for k in kinds:
        n = min(min(left.get(lid, 0) // q for lid, q in k.key), k.count)
        for lid, q in k.key:
            left[lid] = left.get(lid, 0) - n * q
        counts.append(n)
    return counts if not any(left.values()) else None


def _price(
    gd: _GroupData, pi: Sequence[float], mus: dict[tuple[str, str], float], wh: str
) -> list[tuple[list[int], int]]:
    """Columns of negative reduced cost for one group and warehouse (heuristic)."""
    n = len(gd.kinds)
    rho = [
        p - sum(mus.get((wh, sku), 0.0) * q for sku, q in u)
        for p, u in zip(pi, gd.use, strict=True)
    ]
    supply = gd.supply[wh]
    out: list[tuple[list[int], int]] = []
    for cl in gd.classes:
        items = [i for i in cl.kinds if rho[i] > 1e-9 and supply[i] > 0]
        if not items:
            continue
        top = cl.levels[-1][0] // GRID_G
        # (rounded down: the knapsack may overfill by a few grams, which the repair removes)
        sizes = [max(1, gd.kinds[i].weight // GRID_G) for i in items]
        wts = [gd.kinds[i].weight for i in items]
        counts = [supply[i] for i in items]
        vols = [gd.kinds[i].volume for i in items]
        density = sum(rho[i] * counts[j] for j, i in enumerate(items)) / max(
            1, sum(v * c for v, c in zip(vols, counts, strict=True))
        )
        found: dict[int, tuple[float, list[int]]] = {}  # per level: (value, counts)
        for lam in PRICING_LAMBDAS if cl.volume < INF else (0.0,):
            vals = [rho[i] - lam * density * v for i, v in zip(items, vols, strict=True)]
            keep = [j for j, v in enumerate(vals) if v > 1e-12]
            if not keep:
                continue
            best, kept, took = _knap_float(
                [vals[j] for j in keep], [sizes[j] for j in keep], [counts[j] for j in keep], top
            )
            extra = lam * density * (cl.volume if cl.volume < INF else 0)
            # rebuild only the few levels whose (relaxed) ratio is highest
            promising = sorted(
                (
                    li
                    for li, (w, cost) in enumerate(cl.levels)
                    if best[w // GRID_G] + extra > cost * (1 + 1e-9)
                ),
                key=lambda li: -(best[cl.levels[li][0] // GRID_G] + extra) / cl.levels[li][1],
            )[:PRICING_LEVELS]
            for li in promising:
                w, cost = cl.levels[li]
                c = w // GRID_G
                local = _rebuild(kept, took, [sizes[j] for j in keep], c, len(keep))
                a = [0] * len(items)
                for j, x in zip(keep, local, strict=True):
                    a[j] = x
                # repair: drop the least value per (weight + volume) share until it fits, then
                # fill what room is left, most value first
                vol = sum(x * v for x, v in zip(a, vols, strict=True))
                wt = sum(x * z for x, z in zip(a, wts, strict=True))
                room_v = cl.volume if cl.volume < INF else 0
                if vol > cl.volume or wt > w:
                    share = [
                        rho[i] / max(1e-12, z / max(w, 1) + (v / room_v if room_v else 0.0))
                        for i, z, v in zip(items, wts, vols, strict=True)
                    ]
                    for j in sorted(range(len(items)), key=share.__getitem__):
                        while a[j] and (vol > cl.volume or wt > w):
                            a[j] -= 1
                            vol -= vols[j]
                            wt -= wts[j]
                    for j in sorted(range(len(items)), key=lambda j: -rho[items[j]]):
                        while a[j] < counts[j] and wt + wts[j] <= w and vol + vols[j] <= cl.volume:
                            a[j] += 1
                            wt += wts[j]
                            vol += vols[j]
                value = sum(x * rho[i] for x, i in zip(a, items, strict=True))
                if value > cost * (1 + 1e-9) and value > found.get(li, (0.0, []))[0]:
                    found[li] = (value, a)
        # the best few levels by reduced cost
        ranked = sorted(found.items(), key=lambda kv: cl.levels[kv[0]][1] - kv[1][0])
        for li, (_value, a) in ranked[:PRICING_COLUMNS]:
            counts_full = [0] * n
            for x, i in zip(a, items, strict=True):
                counts_full[i] = x
            out.append((counts_full, cl.levels[li][1]))
    return out


def _exact_bound(
    data: list[_GroupData],
    pis: list[list[float]],
    mus: dict[tuple[str, str], float],
    stock: dict[tuple[str, str], int],
    exact: bool,
    floors: Sequence[int],
    deadline: float,
) -> tuple[Fraction, list[float], list[tuple[int, str, list[int], int]]]:
    """The bound of the module docstring for the duals truncated to integers, exactly, and the
    patterns found above theta = 1 (columns the heuristic pricing missed). theta_g comes from
    the relaxed pricing, and, with ``exact`` and before ``deadline``, from the exact pricing
    where the relaxed one does not show theta_g <= 1. Also (sum_g pi_g . d_g - mu . stock) /
    max_g theta_g, valid by the same argument with one theta for all groups; the larger of the
    two."""
    mu = {key: math.floor(v * DUAL_SCALE) for key, v in mus.items()}
    pi = [[math.floor(p * DUAL_SCALE) for p in row] for row in pis]
    # Where a SKU's stock rows all have a positive dual, lowering every one of them by t and
    # the dual of each block holding q units of it by q * t leaves every pattern's rho as it
    # was and does not lower the LP value (the stock is at least the demand); it makes theta's
    # loss (1 - 1 / theta_g) * pi_g . d_g smaller. (Only blocks of groups that draw on stock.)
    by_sku: dict[str, list[tuple[str, str]]] = {}
    for key in mu:
        by_sku.setdefault(key[1], []).append(key)
    whs_of = {w for gd in data for w in gd.warehouses if w != "*"}
    for sku, keys in by_sku.items():
        if len(keys) < len(whs_of):
            continue  # a warehouse without a row for it: its dual is 0
        t = min(mu[key] for key in keys)
        holders = [
            (g, i, q)
            for g, gd in enumerate(data)
            if gd.warehouses != ["*"]
            for i, u in enumerate(gd.use)
            for s, q in u
            if s == sku
        ]
        for g, i, q in holders:
            t = min(t, pi[g][i] // q)
        if t <= 0:
            continue
        for key in keys:
            mu[key] -= t
        for g, i, q in holders:
            pi[g][i] -= q * t
    held = sum(mu[key] * stock[key] for key in mu)
    per_group = Fraction(-held, DUAL_SCALE)
    plain = Fraction(-held, DUAL_SCALE)
    thetas: list[float] = []
    found: list[tuple[int, str, list[int], int]] = []
    top = Fraction(1)
    for g, gd in enumerate(data):
        theta = Fraction(1)
        for wh in gd.warehouses:
            rho = [
                p - sum(mu.get((wh, sku), 0) * q for sku, q in u)
                for p, u in zip(pi[g], gd.use, strict=True)
            ]
            supply = gd.supply[wh]
            for i, c in enumerate(gd.single):
                if rho[i] > 0 and supply[i] > 0 and c < INF:
                    theta = max(theta, Fraction(rho[i], c * DUAL_SCALE))
            for cl in gd.classes:
                relaxed = _class_theta(gd, cl, rho, supply)
                if exact and relaxed > 1 and time.perf_counter() < deadline:
                    proved = _class_exact(gd, cl, rho, supply)
                    if proved is not None:
                        relaxed = min(relaxed, proved[0])
                        found.extend((g, wh, a, cost) for a, cost in proved[1])
                theta = max(theta, relaxed)
        covered = Fraction(
            sum(p * k.count for p, k in zip(pi[g], gd.kinds, strict=True)), DUAL_SCALE
        )
        # the group's cost plus its stock penalty is also at least its own lower bound (any
        # warehouses, no stock) plus the least penalty of sourcing each block
        penalty = 0
        for i, (k, u) in enumerate(zip(gd.kinds, gd.use, strict=True)):
            penalty += k.count * min(
                (
                    sum(mu.get((wh, sku), 0) * q for sku, q in u)
                    for wh in gd.warehouses
                    if gd.supply[wh][i] > 0
                ),
                default=0,
            )
        per_group += max(covered / theta, floors[g] + Fraction(penalty, DUAL_SCALE))
        plain += covered
        top = max(top, theta)
        thetas.append(float(theta))
    return max(per_group, plain / top), thetas, found


THETA_GRID = 2**20  # the exact pricing's ratios are rounded up to this grid
EXACT_SECONDS = 2.0  # CP-SAT limit per exact pricing step


def _class_exact(
    gd: _GroupData, cl: _Class, rho: Sequence[int], supply: Sequence[int]
) -> tuple[Fraction, list[tuple[list[int], int]]] | None:
    """Exact pricing of a class (Dinkelbach's method with CP-SAT): an upper bound theta of
    max rho . a / (cost * DUAL_SCALE) over its patterns (content weight within the level, box
    volume, supply), proven by CP-SAT's objective bound, and the patterns found above 1.
    None when CP-SAT does not settle it in time."""
    items = [i for i in cl.kinds if rho[i] > 0 and supply[i] > 0]
    if not items:
        return Fraction(0), []
    m = cp_model.CpModel()
    a = [m.new_int_var(0, supply[i], "") for i in items]
    t = [m.new_bool_var("") for _ in cl.levels]
    m.add_exactly_one(t)
    m.add(
        sum(gd.kinds[i].weight * x for i, x in zip(items, a, strict=True))
        <= sum(w * y for (w, _), y in zip(cl.levels, t, strict=True))
    )
    if cl.volume < INF:
        m.add(sum(gd.kinds[i].volume * x for i, x in zip(items, a, strict=True)) <= cl.volume)
    theta = Fraction(1)
    cols: list[tuple[list[int], int]] = []
    for _ in range(8):
        p, q = theta.numerator, theta.denominator
        m.maximize(
            sum(q * rho[i] * x for i, x in zip(items, a, strict=True))
            - sum(p * c * DUAL_SCALE * y for (_, c), y in zip(cl.levels, t, strict=True))
        )
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = EXACT_SECONDS
        status = solver.solve(m)
        top = solver.best_objective_bound
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or abs(top) >= 2**52:
            return None
        # (an integer objective: its proven bound is an integer, exact in a double here)
        if round(top) <= 0:
            return theta, cols
        counts = [0] * len(gd.kinds)
        for i, x in zip(items, a, strict=True):
            counts[i] = solver.value(x)
        cost = next(c for (_, c), y in zip(cl.levels, t, strict=True) if solver.value(y))
        ratio = Fraction(sum(rho[i] * counts[i] for i in items), cost * DUAL_SCALE)
        if ratio <= theta:
            return None  # not optimal in time
        cols.append((counts, cost))
        theta = Fraction(math.ceil(ratio * THETA_GRID), THETA_GRID)
    return None


def _class_theta(gd: _GroupData, cl: _Class, rho: Sequence[int], supply: Sequence[int]) -> Fraction:
    """An upper bound of max rho . a / (cost * DUAL_SCALE) over the class's feasible patterns."""
    items = [i for i in cl.kinds if rho[i] > 0 and supply[i] > 0]
    if not items:
        return Fraction(0)
    top = cl.levels[-1][0] // GRID_G
    sizes = [gd.kinds[i].weight // GRID_G for i in items]
    counts = [supply[i] for i in items]
    vols = [gd.kinds[i].volume for i in items]
    # per level, the least upper bound found (as a fraction)
    ub: list[Fraction | None] = [None] * len(cl.levels)
    if cl.volume < INF:
        # volume alone (volumes rounded down to a grid of the box volume)
        cell = max(1, cl.volume // VOLUME_CELLS)
        vbest = _knap_int(
            [rho[i] for i in items], [v // cell for v in vols], counts, cl.volume // cell
        )
        only_volume = int(vbest[-1])
        ub = [Fraction(only_volume)] * len(cl.levels)
        density = Fraction(
            sum(rho[i] * c for i, c in zip(items, counts, strict=True)),
            max(1, sum(v * c for v, c in zip(vols, counts, strict=True))),
        )
        # (any lambda >= 0 is valid; a small denominator keeps the integers small)
        lambdas = [(lam * density).limit_denominator(64) for lam in LAMBDAS]
    else:
        lambdas = [Fraction(0)]
    for lam in lambdas:
        num, den = lam.numerator, lam.denominator
        vals = [den * rho[i] - num * v for i, v in zip(items, vols, strict=True)]
        keep = [j for j, v in enumerate(vals) if v > 0]
        extra = num * cl.volume if cl.volume < INF else 0
        if keep:
            best = _knap_int(
                [vals[j] for j in keep], [sizes[j] for j in keep], [counts[j] for j in keep], top
            )
        else:
            best = np.zeros(top + 1, dtype=np.int64)
        for li, (w, _cost) in enumerate(cl.levels):
            cand = Fraction(int(best[w // GRID_G]) + extra, den)
            cur = ub[li]
            if cur is None or cand < cur:
                ub[li] = cand
    theta = Fraction(0)
    for (_w, cost), u in zip(cl.levels, ub, strict=True):
        assert u is not None
        theta = max(theta, u / (cost * DUAL_SCALE))
    return theta


__all__ = ["PatternBound", "cost_granularity", "pattern_bound", "plan_counts"]
