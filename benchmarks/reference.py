"""Exact reference: a CP-SAT model of the same packing problem the planner solves.

Rule interpretation (destinations, ship-date waves, blocks, channels allowed by the deadline) is
taken from the planner's own set-up, so that the reference judges the *optimisation*: warehouse
choice under stock, parcels, channel and box per parcel, price levels. Bins per warehouse are
capped at the planner's parcel count + 2 (or the number of blocks, if smaller); the bound proven
is for that model. ortools is a benchmark dependency only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from splitship.domain.order import Order
from splitship.planning import planner as pl
from splitship.planning.context import PlanningContext
from splitship.planning.packing import Kind
from splitship.planning.rates import INF, Option, _levels, _size_ok


@dataclass
class Reference:
    cost: int | None  # best found (None: nothing found in time)
    bound: int  # proven lower bound
    optimal: bool
    seconds: float


def _option_levels(o: Option, total: int) -> list[tuple[int, int]]:
    """(max content weight, price) per price level of ``o``, up to ``total`` grams."""
    cap = min(o.max_load, o.max_gross - o.tare, total)
    out: list[tuple[int, int]] = []
    if cap <= 0:
        return out
    volw = o.volumetric_g if o.box is not None else 0
    for level, price in _levels(o.rate, max(cap + o.tare, volw)):
        top = (level // o.step) * o.step
        if top < volw:
            continue
        content = min(top - o.tare, cap)
        if content > 0 and (not out or content > out[-1][0]):
            out.append((content, price))
        if content >= cap:
            break
    return out


def _own_packaging_price(o: Option, k: Kind) -> int | None:
    """Price of one single-unit block shipped without a box on option ``o``."""
    if k.units != 1 or k.tags & o.forbidden or k.units > o.max_items or k.value > o.max_value:
        return None
    if k.weight > o.max_gross:
        return None
    volw = 0
    if k.dims[0]:
        if not _size_ok(o.channel, k.dims):
            return None
        if o.divisor:
            volw = -(-(k.dims[0] * k.dims[1] * k.dims[2]) // o.divisor)
    w = max(k.weight, volw)
    return o.rate.price(-(-w // o.step) * o.step)


def _box_accepts(o: Option, k: Kind) -> bool:
    if k.tags & o.forbidden or not o.size_ok:
        return False
    return all(d <= i for d, i in zip(k.dims, o.inner, strict=True))


def solve(
    order: Order, ctx: PlanningContext, seconds: float, planner_parcels: int, workers: int = 1
) -> Reference:
    setup = pl._setup(order, ctx)
    started = time.perf_counter()
    supers: dict[tuple[object, object], list[tuple[pl._Line, int]]] = {}
    for ln in setup.lines:
        supers.setdefault((ln.address, ln.ship_on), []).append((ln, ln.qty))
    m = cp_model.CpModel()
    objective: list[cp_model.LinearExprT] = []
    handling = setup.handling
    stock_use: dict[tuple[str, str], list[cp_model.LinearExprT]] = {}
    fixed = 0
    for (address, ship_on), parts in supers.items():
        group = pl._Group(address, "", ship_on, parts)  # type: ignore[arg-type]
        pricer = setup.pricer(address, ship_on)  # type: ignore[arg-type]
        kinds, _unship, _ = pl._blocks(setup, group, pricer)
        if not kinds:
            continue
        needs_stock = ctx.stock_check and ship_on <= setup.today  # type: ignore[operator]
        whs = [w.id for w in ctx.warehouses] if needs_stock else ["*"]
        total = sum(k.weight * k.count for k in kinds)
        n_blocks = sum(k.count for k in kinds)
        per_wh = min(n_blocks, planner_parcels + 2)
        options = pricer.options
        levels = {o.index: _option_levels(o, total) for o in options}
        seg = setup.seg_masks
        xs: list[list[cp_model.IntVar]] = [[] for _ in kinds]
        for wh in whs:
            prev_used = None
            for b in range(per_wh):
                x = [m.NewIntVar(0, k.count, "") for k in kinds]
                for i, xi in enumerate(x):
                    xs[i].append(xi)
                used = m.NewBoolVar(f"u{wh}{b}")
                for xi, k in zip(x, kinds, strict=True):
                    m.Add(xi <= k.count * used)
                m.Add(sum(x) >= used)
                if prev_used is not None:
                    m.Add(prev_used >= used)
                prev_used = used
                weight = sum(k.weight * xi for k, xi in zip(kinds, x, strict=True))
                volume = sum(k.volume * xi for k, xi in zip(kinds, x, strict=True))
                units = sum(k.units * xi for k, xi in zip(kinds, x, strict=True))
                value = sum(k.value * xi for k, xi in zip(kinds, x, strict=True))
                choose: list[cp_model.IntVar] = []
                cost_terms: list[cp_model.LinearExprT] = []
                for o in options:
                    if o.box is None and not o.any_units:
                        # own packaging: exactly one single-unit block
                        for i, k in enumerate(kinds):
                            if not k.chmask & o.channel_bit:
                                continue
                            price = _own_packaging_price(o, k)
                            if price is None:
                                continue
                            t = m.NewBoolVar("")
                            m.Add(x[i] == 1).OnlyEnforceIf(t)
                            m.Add(units == 1).OnlyEnforceIf(t)
                            choose.append(t)
                            cost_terms.append(price * t)
                        continue
                    lv = levels[o.index]
                    if not lv or (o.box is not None and not o.size_ok):
                        continue
                    z = m.NewBoolVar("")
                    choose.append(z)
                    for i, k in enumerate(kinds):
                        if (
                            not k.chmask & o.channel_bit
                            or (o.box is not None and not _box_accepts(o, k))
                            or k.tags & o.forbidden
                        ):
                            m.Add(x[i] == 0).OnlyEnforceIf(z)
                    if o.box is not None:
                        m.Add(volume <= o.inner_volume).OnlyEnforceIf(z)
                    if o.max_items < INF:
                        m.Add(units <= o.max_items).OnlyEnforceIf(z)
                    if o.max_value < INF:
                        m.Add(value <= o.max_value).OnlyEnforceIf(z)
                    ts = [m.NewBoolVar("") for _ in lv]
                    m.Add(sum(ts) == 1).OnlyEnforceIf(z)
                    m.Add(sum(ts) == 0).OnlyEnforceIf(z.Not())
                    m.Add(
                        weight <= sum(c * t for (c, _), t in zip(lv, ts, strict=True))
                    ).OnlyEnforceIf(z)
                    cost_terms.extend(p * t for (_, p), t in zip(lv, ts, strict=True))
                m.Add(sum(choose) == used)
                for g in seg:
                    members = [1 << bit for bit in range(g.bit_length()) if g >> bit & 1]
                    has = []
                    for tb in members:
                        h = m.NewBoolVar("")
                        for i, k in enumerate(kinds):
                            if k.tags & tb:
                                m.Add(x[i] <= k.count * h)
                        has.append(h)
                    m.Add(sum(has) <= 1)
                for c, cap in enumerate(setup.caps):
                    m.Add(sum(k.caps[c] * xi for k, xi in zip(kinds, x, strict=True)) <= cap.limit)
                objective.extend(cost_terms)
                objective.append(handling * used)
                if wh != "*":
                    for k, xi in zip(kinds, x, strict=True):
                        for line_id, q in k.key:
                            sku = order.line(line_id).sku
                            stock_use.setdefault((wh, sku), []).append(q * xi)
        for k, vars_k in zip(kinds, xs, strict=True):
            m.Add(sum(vars_k) == k.count)
    for (wh, sku), terms in stock_use.items():
        avail = next(w for w in ctx.warehouses if w.id == wh).available(sku)
        m.Add(sum(terms) <= max(avail, 0))
    m.Minimize(sum(objective) + fixed)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    status = solver.Solve(m)
    elapsed = time.perf_counter() - started
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Reference(
            round(solver.ObjectiveValue()),
            round(solver.BestObjectiveBound()),
            status == cp_model.OPTIMAL,
            elapsed,
        )
    return Reference(None, round(solver.BestObjectiveBound()), False, elapsed)
