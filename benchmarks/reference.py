"""Exact reference: a CP-SAT model of the same packing problem the planner solves.

Rule interpretation (destinations, ship-date waves, ship_alone groups, blocks, channels allowed by
the deadline) is taken from the planner's own set-up, so that the reference judges the
*optimisation*: warehouse choice under stock, parcels, channel and box per parcel, price levels.

The model, per candidate parcel ("bin") of a warehouse:

* ``x[i]`` blocks of kind ``i``; ``used``; exactly one shipping option when used: a box-like
  option ``z[o]`` (a channel with a box, or a box-less channel of a shop without boxes) or the
  own packaging of one single-unit block ``y[o, i]``;
* the parcel's content weight and volume are split over the options (``w[o] <= cap_o * z[o]``,
  ``v[o] <= volume_o * z[o]``), which keeps the LP relaxation tight;
* price: for a step rate, integer ``q`` (chargeable weight in channel steps) and ``n`` (rate
  steps above the first weight): ``step*q >= gross``, ``step*q >= volumetric``,
  ``rate_step*n >= step*q - first``, cost ``first_price*z + step_price*n`` — exact, no boolean
  per price level; a weight table keeps one boolean per bracket;
* symmetry: bins of a warehouse are used in order and sorted by weight.

Bins per warehouse: with the planner's plan, as many as a plan no dearer can have (plan cost /
cheapest parcel), capped for very large orders; without it, the planner's parcel count + 2;
never more than the blocks the warehouse's stock can supply. ``Reference.exact_bins`` says
whether the bins cover every plan cheaper than the bound found (checked a priori and again
after solving); only then is the bound one of the problem and not just of the model. The
planner's plan is given as a hint. ``group_bounds`` bounds the order group by group with the
warehouses pooled (a relaxation). ortools is a benchmark dependency only.
"""

from __future__ import annotations

import functools
import os
import pickle
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from splitship.domain.order import Order
from splitship.planning import planner as pl
from splitship.planning.context import PlanningContext
from splitship.planning.packing import Kind
from splitship.planning.rates import INF, Option, _size_ok


@dataclass
class Reference:
    cost: int | None  # best found (None: nothing found in time)
    bound: int  # proven lower bound
    optimal: bool
    seconds: float  # wall time
    cpu_seconds: float = 0.0  # solver user time (all workers)
    # the best solution found: (warehouse, {line id: units}, option index or -1 if unknown)
    parcels: list[tuple[str, dict[str, int], int]] | None = None
    exact_bins: bool = False  # enough bins that no cheaper plan is cut off
    # CPU time of this process during the solve alone (model building excluded): with one
    # worker, CP-SAT's own CPU time, unaffected by other load on the machine
    solve_cpu: float = 0.0


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


def _accepts(o: Option, k: Kind) -> bool:
    """May block ``k`` travel in a box-like parcel of option ``o`` at all?"""
    if not k.chmask & o.channel_bit or k.tags & o.forbidden:
        return False
    if k.units > o.max_items or k.value > o.max_value:
        return False
    if o.box is None:
        return True
    return o.size_ok and all(d <= i for d, i in zip(k.dims, o.inner, strict=True))


def _cheapest_parcel(o: Option, handling: int) -> int:
    """The least any parcel on option ``o`` costs (its first price level)."""
    if o.rate.table:
        return o.rate.table[0][1] + handling
    return o.rate.first_price + handling


def _supergroups(setup: pl._Setup) -> list[pl._Group]:
    """The planner's groups without the warehouse: ship_alone units / lines apart, the rest by
    (address, ship date)."""
    out: list[pl._Group] = []
    by_key: dict[tuple[object, object], pl._Group] = {}
    for ln in setup.lines:
        if ln.alone is not None:
            if ln.alone.per == "unit":
                out.extend(
                    pl._Group(ln.address, "", ln.ship_on, [(ln, 1)], ln.alone)
                    for _ in range(ln.qty)
                )
            else:
                out.append(pl._Group(ln.address, "", ln.ship_on, [(ln, ln.qty)], ln.alone))
            continue
        key = (ln.address, ln.ship_on)
        if key not in by_key:
            by_key[key] = pl._Group(ln.address, "", ln.ship_on, [])
            out.append(by_key[key])
        by_key[key].parts.append((ln, ln.qty))
    return out


def _hint_bins(
    plan: pl.Plan | None, group: pl._Group, kinds: list[Kind], wh: str
) -> list[list[int]]:
    """The planner's parcels of this group and warehouse as block counts (for the hint)."""
    if plan is None or group.alone is not None:
        return []
    lines = {ln.line.id for ln, _ in group.parts}
    out = []
    for pkg in plan.packages:
        if pkg.address != group.address or pkg.ship_on != group.ship_on:
            continue
        if wh != "*" and pkg.warehouse_id != wh:
            continue
        if not set(pkg.items) <= lines:
            continue
        left = dict(pkg.items)
        counts = []
        for k in kinds:
            n = min(left.get(lid, 0) // q for lid, q in k.key)
            n = min(n, k.count)
            for lid, q in k.key:
                left[lid] = left.get(lid, 0) - n * q
            counts.append(n)
        out.append(counts)
    out.sort(key=lambda c: -sum(k.weight * n for k, n in zip(kinds, c, strict=True)))
    return out


# Solve each model in a forked child process (set by the benchmark's command line). OR-Tools
# 9.15's presolve can abort the whole process now and then on a model with a solution hint
# (an uncaught ``std::out_of_range`` from ``absl::btree_map::at`` while it maps the hint onto a
# reduced domain; which worker takes that path depends on timing). In a child, such an abort
# costs one solve, which is run again, instead of a benchmark run of many minutes.
ISOLATED = False
CRASH_RETRIES = 2  # with the hint; then once more without it


def _in_child(solve_once: Callable[[], Reference]) -> Reference | None:
    """``solve_once()`` in a forked child; None if the child was killed by a signal."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        code = 0
        try:
            with os.fdopen(write_end, "wb") as out:
                out.write(pickle.dumps(solve_once()))
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stderr.flush()
        os._exit(code)  # no atexit handlers, no flush of the parent's buffered output
    os.close(write_end)
    with os.fdopen(read_end, "rb") as inp:
        data = inp.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return None
    if os.WEXITSTATUS(status) != 0 or not data:
        raise RuntimeError(f"the CP-SAT child process failed (exit status {status})")
    result = pickle.loads(data)
    assert isinstance(result, Reference)
    return result


def solve(
    order: Order,
    ctx: PlanningContext,
    seconds: float,
    planner_parcels: int,
    workers: int = 1,
    plan: pl.Plan | None = None,
    upper_bound: bool = True,
    *,
    only_group: int | None = None,
    pooled_bins: int | None = None,
    cost_cap: int | None = None,
) -> Reference:
    """``_solve`` in this process, or with ``ISOLATED`` in a child process, solved again if
    CP-SAT aborts (and the last time without the planner's plan as a hint)."""

    def once(use_hint: bool) -> Reference:
        return _solve(
            order,
            ctx,
            seconds,
            planner_parcels,
            workers,
            plan,
            upper_bound,
            use_hint=use_hint,
            only_group=only_group,
            pooled_bins=pooled_bins,
            cost_cap=cost_cap,
        )

    if not ISOLATED or not hasattr(os, "fork"):
        return once(True)
    for attempt in range(CRASH_RETRIES + 1):
        ref = _in_child(functools.partial(once, attempt < CRASH_RETRIES))
        if ref is not None:
            return ref
        print(
            f"  (CP-SAT aborted on {order.id}"
            + (f", group {only_group}" if only_group is not None else "")
            + "; solving it again"
            + (" without the hint)" if attempt + 1 == CRASH_RETRIES else ")"),
            file=sys.stderr,
            flush=True,
        )
    raise RuntimeError(f"CP-SAT aborted {CRASH_RETRIES + 1} times on {order.id}")


def _solve(
    order: Order,
    ctx: PlanningContext,
    seconds: float,
    planner_parcels: int,
    workers: int,
    plan: pl.Plan | None,
    upper_bound: bool,
    *,
    use_hint: bool,
    only_group: int | None,
    pooled_bins: int | None,
    cost_cap: int | None,
) -> Reference:
    """CP-SAT on the whole order, or (``only_group``) on one group of ``_supergroups`` with the
    warehouses pooled: bins of any warehouse, no stock limit, ``pooled_bins`` bins. A relaxation
    of that group's part of the whole model (groups share nothing but stock), so its proven
    bound is a lower bound of the group's cost in any solution that has at most
    ``pooled_bins`` parcels in it; ``cost_cap`` (an upper bound of that cost) may cut the rest."""
    setup = pl._setup(order, ctx)
    started = time.perf_counter()
    m = cp_model.CpModel()
    objective: list[cp_model.LinearExprT] = []
    handling = setup.handling
    stock_use: dict[tuple[str, str], list[cp_model.LinearExprT]] = {}
    bins: list[
        tuple[str, list[Kind], list[cp_model.IntVar], list[tuple[int, cp_model.IntVar]]]
    ] = []
    exact_bins = True
    # per group and warehouse: blocks it can supply, cheapest parcel, bins
    sizes: list[tuple[int, int, int]] = []
    for gi, group in enumerate(_supergroups(setup)):
        if only_group is not None and gi != only_group:
            continue
        pricer = setup.pricer(group.address, group.ship_on)
        kinds, _unship, _ = pl._blocks(setup, group, pricer)
        if not kinds:
            continue
        needs_stock = ctx.stock_check and group.ship_on <= setup.today and only_group is None
        whs = [w.id for w in ctx.warehouses] if needs_stock else ["*"]
        total_w = sum(k.weight * k.count for k in kinds)
        total_v = sum(k.volume * k.count for k in kinds)
        total_u = sum(k.units * k.count for k in kinds)
        total_val = sum(k.value * k.count for k in kinds)
        n_blocks = sum(k.count for k in kinds)
        # A solution at most as dear as the planner's has at most (its cost / cheapest parcel)
        # parcels in this group, and a warehouse no more parcels than the group's blocks its
        # stock can supply: with that many bins the model is exact. Very large orders are
        # capped at twice the planner's parcels + 2, at least 24 (then "optimal" means within
        # that cap, and the benchmark does not use the bound unless the check after solving
        # shows the cap cut nothing off).
        cheapest = max(1, min((_cheapest_parcel(o, handling) for o in pricer.options), default=1))
        # (the whole plan's cost: groups to different addresses may share stock)
        group_cost = plan.total_cost if plan is not None else None
        wh_bins: dict[str, int] = {}
        for wh in whs:
            supply = n_blocks
            if wh != "*":
                house = next(w for w in ctx.warehouses if w.id == wh)
                supply = sum(
                    min(
                        [k.count]
                        + [max(0, house.available(order.line(lid).sku)) // q for lid, q in k.key]
                    )
                    for k in kinds
                )
            if pooled_bins is not None:
                wh_bins[wh] = min(supply, pooled_bins)
            elif group_cost is not None:
                need = min(supply, group_cost // cheapest)
                cap = max(2 * planner_parcels + 2, 24)
                wh_bins[wh] = min(need, cap)
                exact_bins = exact_bins and need <= cap
            else:
                wh_bins[wh] = min(supply, planner_parcels + 2)
                exact_bins = False
            sizes.append((supply, cheapest, wh_bins[wh]))
        options = pricer.options
        seg = setup.seg_masks
        xs: list[list[cp_model.IntVar]] = [[] for _ in kinds]
        for wh in whs:
            prev_used = None
            prev_weight: cp_model.LinearExprT | None = None
            hints = _hint_bins(plan, group, kinds, wh)
            for b in range(wh_bins[wh]):
                hint = hints[b] if b < len(hints) else [0] * len(kinds)
                x = [m.NewIntVar(0, k.count, "") for k in kinds]
                used = m.NewBoolVar(f"u{wh}{b}")
                for i, xi in enumerate(x):
                    xs[i].append(xi)
                if use_hint:
                    for xi, h in zip(x, hint, strict=True):
                        m.AddHint(xi, h)
                    m.AddHint(used, 1 if any(hint) else 0)
                for xi, k in zip(x, kinds, strict=True):
                    m.Add(xi <= k.count * used)
                m.Add(sum(x) >= used)
                weight = sum(k.weight * xi for k, xi in zip(kinds, x, strict=True))
                volume = sum(k.volume * xi for k, xi in zip(kinds, x, strict=True))
                units = sum(k.units * xi for k, xi in zip(kinds, x, strict=True))
                value = sum(k.value * xi for k, xi in zip(kinds, x, strict=True))
                if prev_used is not None and prev_weight is not None:
                    m.Add(prev_used >= used)
                    m.Add(prev_weight >= weight)
                prev_used, prev_weight = used, weight
                choose: list[cp_model.IntVar] = []
                chosen: list[tuple[int, cp_model.IntVar]] = []
                bins.append((wh, kinds, x, chosen))
                w_parts: list[cp_model.LinearExprT] = []
                v_parts: list[cp_model.LinearExprT] = []
                u_caps: list[cp_model.LinearExprT] = []
                val_caps: list[cp_model.LinearExprT] = []
                carriers: list[list[cp_model.IntVar]] = [[] for _ in kinds]
                for o in options:
                    if o.box is None:
                        # own packaging: exactly one single-unit block
                        for i, k in enumerate(kinds):
                            if not k.chmask & o.channel_bit:
                                continue
                            price = _own_packaging_price(o, k)
                            if price is None:
                                continue
                            t = m.NewBoolVar("")
                            m.Add(x[i] >= 1).OnlyEnforceIf(t)
                            choose.append(t)
                            chosen.append((o.index, t))
                            carriers[i].append(t)
                            w_parts.append(k.weight * t)
                            v_parts.append(k.volume * t)
                            u_caps.append(t)
                            val_caps.append(k.value * t)
                            objective.append(price * t)
                        if not o.any_units:
                            continue
                    elif not o.size_ok:
                        continue
                    cap = min(o.max_load, o.max_gross - o.tare, total_w)
                    if cap <= 0 or not any(_accepts(o, k) for k in kinds):
                        continue
                    z = m.NewBoolVar("")
                    choose.append(z)
                    chosen.append((o.index, z))
                    for i, k in enumerate(kinds):
                        if _accepts(o, k):
                            carriers[i].append(z)
                    w_o = m.NewIntVar(0, cap, "")
                    m.Add(w_o <= cap * z)
                    w_parts.append(w_o)
                    if o.box is not None:
                        v_o = m.NewIntVar(0, min(o.inner_volume, total_v), "")
                        m.Add(v_o <= min(o.inner_volume, total_v) * z)
                        v_parts.append(v_o)
                    else:
                        v_o = m.NewIntVar(0, total_v, "")
                        m.Add(v_o <= total_v * z)
                        v_parts.append(v_o)
                        m.Add(units >= 2 * z)  # a single unit ships in its own packaging
                    u_caps.append(min(o.max_items, total_u) * z)
                    val_caps.append(min(o.max_value, total_val) * z)
                    gross = w_o + o.tare * z
                    s = o.step
                    rate = o.rate
                    volw = o.volumetric_g if o.box is not None else 0
                    if rate.table:
                        levels = [
                            (up // s * s, price)
                            for up, price in rate.table
                            if -(-volw // s) * s <= up and up // s * s > 0
                        ]
                        if not levels:
                            m.Add(z == 0)
                            continue
                        ts = [m.NewBoolVar("") for _ in levels]
                        m.Add(sum(ts) == z)
                        m.Add(gross <= sum(top * t for (top, _), t in zip(levels, ts, strict=True)))
                        objective.extend(p * t for (_, p), t in zip(levels, ts, strict=True))
                    else:
                        top = max(cap + o.tare, volw)
                        q_max = -(-top // s)
                        q = m.NewIntVar(0, q_max, "")
                        m.Add(s * q >= gross)
                        m.Add(s * q >= volw * z)
                        m.Add(q <= q_max * z)
                        r = max(rate.step_g, 1)
                        n_max = max(0, -(-(q_max * s - rate.first_weight_g) // r))
                        n = m.NewIntVar(0, n_max, "")
                        m.Add(r * n >= s * q - rate.first_weight_g * z)
                        objective.append(rate.first_price * z)
                        objective.append(rate.step_price * n)
                m.Add(sum(choose) == used)
                m.Add(sum(w_parts) == weight)
                m.Add(sum(v_parts) >= volume)
                m.Add(units <= sum(u_caps))
                m.Add(value <= sum(val_caps))
                for i, k in enumerate(kinds):
                    if carriers[i]:
                        m.Add(x[i] <= k.count * sum(carriers[i]))
                    else:
                        m.Add(x[i] == 0)
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
                for c, capr in enumerate(setup.caps):
                    m.Add(sum(k.caps[c] * xi for k, xi in zip(kinds, x, strict=True)) <= capr.limit)
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
    if cost_cap is not None:
        m.Add(sum(objective) <= cost_cap)
    if plan is not None and upper_bound and only_group is None:
        # the planner's plan is a solution of this model: search only for one at least as good
        m.Add(sum(objective) <= plan.total_cost)
    m.Minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    if only_group is not None and workers >= 2:
        # A pooled group is solved for its bound only: run the two workers that raise the
        # bound (the LP with every cut, and core-based search on the objective) instead of
        # the default pair. On the benchmark's 40 large orders it proves one 60-block
        # group's optimum in 7.5 s (1000 → 16740), where the default pair stays at the
        # cheapest parcel; no other group bound moved.
        solver.parameters.subsolvers.append("max_lp")
        solver.parameters.subsolvers.append("core")
    cpu_started = time.process_time()
    status = solver.Solve(m)
    solve_cpu = time.process_time() - cpu_started
    elapsed = time.perf_counter() - started
    cpu = solver.UserTime()
    bound = round(solver.BestObjectiveBound())
    # Checked afterwards: a plan cheaper than ``bound`` has fewer than bound / cheapest parcels
    # per group (and no more per warehouse than blocks it can supply); if the bins cover that
    # everywhere, no plan cheaper than the bound was cut off, so the bound (and an optimum)
    # holds for the exact problem even with fewer bins than the a-priori count.
    exact_bins = exact_bins or all(min(nb, bound // ch) <= pw for nb, ch, pw in sizes)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found: list[tuple[str, dict[str, int], int]] = []
        for wh, kinds_b, x_b, chosen_b in bins:
            items: dict[str, int] = {}
            for k, xi in zip(kinds_b, x_b, strict=True):
                for lid, q in k.key:
                    if solver.Value(xi):
                        items[lid] = items.get(lid, 0) + q * solver.Value(xi)
            if items:
                opt = next((o for o, var in chosen_b if solver.Value(var)), -1)
                found.append((wh, items, opt))
        return Reference(
            round(solver.ObjectiveValue()),
            bound,
            status == cp_model.OPTIMAL,
            elapsed,
            cpu,
            found,
            exact_bins,
            solve_cpu,
        )
    return Reference(None, bound, False, elapsed, cpu, None, exact_bins, solve_cpu)


MAX_POOLED_BINS = 80


@dataclass
class GroupBound:
    own: int  # the planner's packing bound of the group (cost units, rounded down)
    cpsat: int  # CP-SAT's proven bound of the pooled group model (0 if not run)
    proven: bool  # CP-SAT proved the pooled group's optimum
    bins: int  # bins given to the pooled model


def group_bounds(
    order: Order,
    ctx: PlanningContext,
    plan_cost: int,
    own: list[int],
    seconds: float,
    workers: int,
    plan: pl.Plan | None = None,
) -> list[GroupBound]:
    """A lower bound of the whole model, group by group (groups of ``_supergroups``).

    The whole model's objective is the sum of its groups' costs and the groups share only
    stock, so the sum over groups of a lower bound of each group's cost with warehouses pooled
    and stock dropped is a lower bound of the optimum. Per group CP-SAT gets the pooled model
    with enough bins for any optimal plan: the optimum costs at most ``plan_cost``, the other
    groups at least their own bounds ``own``, so this group costs at most
    ``plan_cost - sum(others)`` and has at most that / its cheapest parcel parcels. The pooled
    models are far smaller than the whole one (no warehouse copies of every bin) and each proves
    its bound on its own. The groups that get CP-SAT (those needing at most
    ``MAX_POOLED_BINS`` bins; the others keep the planner's bound) share ``seconds``; the
    planner's plan, if given, is a hint."""
    setup = pl._setup(order, ctx)
    groups = _supergroups(setup)
    assert len(own) == len(groups)
    out: list[GroupBound] = []
    live = []
    for gi, group in enumerate(groups):
        pricer = setup.pricer(group.address, group.ship_on)
        kinds, _, _ = pl._blocks(setup, group, pricer)
        if not kinds:
            out.append(GroupBound(own[gi], 0, True, 0))
            continue
        cheapest = min((_cheapest_parcel(o, setup.handling) for o in pricer.options), default=1)
        budget = plan_cost - (sum(own) - own[gi])
        bins = min(sum(k.count for k in kinds), budget // max(cheapest, 1))
        out.append(GroupBound(own[gi], 0, False, bins))
        # with more bins CP-SAT does not get past the trivial bound in benchmark time
        if bins <= MAX_POOLED_BINS:
            live.append(gi)
    # smallest groups first, each with an even share of the time left: groups CP-SAT closes
    # early leave their time to the big ones
    live.sort(key=lambda gi: out[gi].bins)
    deadline = time.perf_counter() + seconds
    for n, gi in enumerate(live):
        budget = plan_cost - (sum(own) - own[gi])
        ref = solve(
            order,
            ctx,
            max(0.1, (deadline - time.perf_counter()) / (len(live) - n)),
            0,
            workers,
            plan,  # (as a hint only: a group's share of the plan cost is not known here)
            only_group=gi,
            pooled_bins=out[gi].bins,
            cost_cap=budget,
        )
        # (the planner's group cost is at most the budget, so the capped model is feasible)
        assert ref.bound <= budget, f"group {gi}: bound {ref.bound} above {budget}"
        out[gi].cpsat = ref.bound
        out[gi].proven = ref.optimal
    return out


__all__ = ["INF", "GroupBound", "Reference", "group_bounds", "solve"]
