"""Planner benchmark: quality against CP-SAT / L2 bounds and two baselines, and speed.

    .venv/bin/python -m benchmarks.planner            # quick run (a few minutes)
    .venv/bin/python -m benchmarks.planner --full     # the full run (long)

See benchmarks/README.md for how to read the table.

Planner times are CPU time of one core (``time.thread_time``) for each order's *first* plan:
the process-wide caches (price options and levels per catalogue, delivery estimates) are warmed
with other orders first, like a running service, but nothing of the order itself is cached.
Before timing, the objects the benchmark holds (thousands of generated orders, CP-SAT models)
are moved out of the garbage collector's way with ``gc.freeze()``, as a long-running service does
after start-up; the throughput line also reports a run without freezing.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import baselines, bounds, instances, patterns, reference
from benchmarks.bounds import l2_bound
from splitship import planning
from splitship.domain.catalog import Channel
from splitship.planning import planner as pl
from splitship.planning.rates import SCALE


def best_fit_decreasing(weights: Sequence[int], cap: int) -> int:
    loads: list[int] = []
    for w in sorted(weights, reverse=True):
        best = -1
        for b, load in enumerate(loads):
            if load + w <= cap and (best < 0 or load > loads[best]):
                best = b
        if best < 0:
            loads.append(w)
        else:
            loads[best] += w
    return len(loads)


def cpu(fn: Callable[[], object]) -> tuple[object, float]:
    """(result, CPU seconds of the calling thread). The planner and the baselines run in this
    one thread; the thread's own clock leaves out CP-SAT's worker threads, which may still be
    winding down from the previous order's solve (the process clock would count them)."""
    start = time.thread_time()
    out = fn()
    return out, time.thread_time() - start


def pct(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, math.ceil(q * len(s)) - 1)]


def mean(values: Sequence[float]) -> float:
    return statistics.mean(values) if values else float("nan")


def warm_up() -> None:
    """Plan a few orders that are not measured (fills the catalogue caches, not the orders')."""
    for inst in instances.family_b(12, "small", seed=99):
        pl.plan(inst.order, inst.context)
    for inst in instances.family_b(4, "medium", seed=99):
        pl.plan(inst.order, inst.context)


# ---- family A ----------------------------------------------------------------------------


@dataclass
class Proof:
    bound: int  # best proven lower bound on the bins
    source: str  # which bound: "L2", "GG" (Gilmore–Gomory LP), "CP" (CP-SAT), "n/3"
    packs: int | None = None  # fewest bins CP-SAT packed the items in, if it tried and did


def prove_family_a(
    inst: instances.Instance,
    planner_bins: int,
    lp_seconds: float,
    cpsat_seconds: float,
    workers: int,
) -> Proof:
    """The best proven lower bound on the bins, computed only as far as needed to judge the
    planner: L2 first; triplet sets are optimal at n/3 by construction (each triplet fills a bin
    exactly, so n/3 bins are full and L1 = n/3 already); if the planner is above L2, the
    Gilmore–Gomory LP bound; if still above, CP-SAT tries to pack into one bin fewer."""
    weights = inst.meta["weights"]
    cap = inst.meta["capacity"]
    assert isinstance(weights, list) and isinstance(cap, int)
    lb = l2_bound(weights, cap)
    if inst.name.startswith("t"):
        assert lb == len(weights) // 3  # a triplet instance fills every bin exactly
        return Proof(lb, "n/3")
    proof = Proof(lb, "L2")
    if planner_bins <= lb:
        return proof
    gg, _lp, _done = bounds.gilmore_gomory_bound(weights, cap, lp_seconds)
    if gg > proof.bound:
        proof = Proof(gg, "GG")
    if planner_bins <= proof.bound:
        return proof
    fits = bounds.cpsat_fits(weights, cap, planner_bins - 1, cpsat_seconds, workers)
    if fits is False:
        return Proof(planner_bins, "CP")
    if fits:
        proof.packs = planner_bins - 1
    return proof


def run_family_a(
    per_size: int,
    sizes: tuple[int, ...],
    lp_seconds: float,
    cpsat_seconds: float,
    workers: int,
) -> list[str]:
    out = []
    notes = []
    groups: dict[str, list[instances.Instance]] = {}
    for inst in instances.family_a(per_size, sizes):
        prefix = inst.name.split("_")[0]
        groups.setdefault(prefix, []).append(inst)
    header = (
        f"{'set':<6}{'n':>4} | {'planner at L2':>13}{'at opt':>7}{'open':>5}{'bins':>7}"
        f"{'+bins':>6}{'p50 ms':>9}{'p95 ms':>9} | {'BFD at opt':>10}{'+bins':>6} | "
        f"{'binpacking':>10}{'+bins':>6}{'ms':>6} | {'worse than BFD':>14} | {'bound':<10}"
    )
    out += [header, "-" * len(header)]
    for prefix, insts in groups.items():
        at_l2 = at = still_open = bfd_at = bp_at = worse = 0
        extra = bfd_extra = bp_extra = 0
        times: list[float] = []
        bp_times: list[float] = []
        bins: list[int] = []
        used: dict[str, int] = {}
        for inst in insts:
            weights = inst.meta["weights"]
            cap = inst.meta["capacity"]
            assert isinstance(weights, list) and isinstance(cap, int)
            plan, dt = cpu(lambda i=inst: pl.plan(i.order, i.context))
            assert isinstance(plan, pl.Plan)
            n = len(plan.packages)
            proof = prove_family_a(inst, n, lp_seconds, cpsat_seconds, workers)
            lb = proof.bound
            assert n >= lb, f"{inst.name}: {n} bins below the proven bound {lb}"
            used[proof.source] = used.get(proof.source, 0) + 1
            bfd = best_fit_decreasing(weights, cap)
            bp, bdt = cpu(
                lambda w=weights, c=cap: len(baselines.binpacking.to_constant_volume(w, c))
            )
            assert isinstance(bp, int)
            times.append(dt * 1000)
            bp_times.append(bdt * 1000)
            bins.append(n)
            at_l2 += n == l2_bound(weights, cap)
            at += n == lb
            if n > lb:
                # (a triplet set's optimum is known by construction)
                known = proof.source == "n/3" or proof.packs == lb
                still_open += not known
                if proof.source == "n/3":
                    pass
                elif proof.packs is not None:
                    notes.append(
                        f"  {inst.name}: planner {n} bins; CP-SAT packs {proof.packs}"
                        + (f" = the {proof.source} bound: optimum {lb}" if known else "")
                    )
                else:
                    notes.append(
                        f"  {inst.name}: planner {n} bins; open: {lb} ({proof.source}) <= "
                        f"optimum <= {n} (CP-SAT undecided in {cpsat_seconds:g} s)"
                    )
            bfd_at += bfd == lb
            bp_at += bp == lb
            extra += n - lb
            bfd_extra += bfd - lb
            bp_extra += bp - lb
            worse += n > bfd
        k = len(insts)
        source = " ".join(f"{s} {c}" for s, c in sorted(used.items()))
        out.append(
            f"{prefix:<6}{k:>4} | {at_l2 / k:>13.0%}{at / k:>7.0%}{still_open:>5}"
            f"{statistics.mean(bins):>7.1f}{extra / k:>6.2f}"
            f"{pct(times, 0.5):>9.1f}{pct(times, 0.95):>9.1f} | {bfd_at / k:>10.0%}"
            f"{bfd_extra / k:>6.2f} | {bp_at / k:>10.0%}{bp_extra / k:>6.2f}"
            f"{statistics.mean(bp_times):>6.1f} | {worse:>14} | {source:<10}"
        )
    return out + notes


# ---- family B ----------------------------------------------------------------------------


def _channel_dates(
    inst: instances.Instance,
) -> tuple[dict[date, list[Channel]], dict[date, dict[str, date]]]:
    """Per ship date: the channels on time, and every channel's latest delivery date."""
    setup = pl._setup(inst.order, inst.context)
    on_time: dict[date, list[Channel]] = {}
    latest: dict[date, dict[str, date]] = {}
    for ln in setup.lines:
        on_time[ln.ship_on] = [
            ch for ch in setup.channels if setup.on_time(ch, ln.address, ln.ship_on)
        ]
        latest[ln.ship_on] = {
            ch.id: setup.latest(ch, ln.address, ln.ship_on) for ch in setup.channels
        }
    return on_time, latest


def planner_group_bounds(inst: instances.Instance) -> list[int]:
    """The planner's own lower bound per group of the reference model ((address, ship date),
    ship_alone apart), for any choice of warehouses: the packing bound of all the group's
    units, in cost units rounded down."""
    setup = pl._setup(inst.order, inst.context)
    out = []
    for group in reference._supergroups(setup):
        packer = pl._prepare_group(setup, group).packer
        if packer is None:
            out.append(0)
            continue
        out.append(packer.lower_bound([k.count for k in packer.kinds]) // SCALE)
    return out


@dataclass
class Worse:
    name: str
    planner: int
    base1: int | None
    base2: int | None
    ref: int | None


def run_family_b(
    counts: dict[str, int],
    cpsat_seconds: dict[str, float],
    workers: int,
    throughput_n: int,
) -> tuple[list[str], list[Worse]]:
    out: list[str] = []
    header = (
        f"{'orders':<15}{'n':>4} | {'CP-SAT':>6}{'closed':>7} | {'planner':>7}{'=opt':>7}"
        f"{'gap%':>6}{'max%':>6}{'open%':>6}{'pkgs':>6}{'p50 ms':>7}{'p95 ms':>7}"
        f" | {'CP-SAT s':>8}{'speed-up':>9}{'1 core':>7} | {'bound':>9}"
        f" | {'base1':>6}{'gap%':>7}{'pkgs':>6}{'ms':>5} | {'base2':>6}{'gap%':>7} | {'worse':>5}"
    )
    sub = (
        f"{'':<15}{'':>4} | {'proven':>6}{'':>7} | {'=CP-SAT':>7}{'':>7}{'':>6}{'':>6}{'':>6}"
        f"{'':>6}{'':>7}{'':>7} | {'':>8}{'':>9}{'':>7} | {'C/G/D/P':>9} | {'=opt':>6}"
    )
    out += [header, sub, "-" * len(header)]
    labels = {"small": "B 1-5 units", "medium": "B 10-30 units", "large": "B 50-200 units"}
    worse_cases: list[Worse] = []
    notes: list[str] = []
    warm_up()
    for size, count in counts.items():
        if count <= 0:
            continue
        insts = instances.family_b(count, size)
        gc.collect()
        gc.freeze()  # the benchmark's own data stays out of the collector's way
        proven = closed = at = at_best = b1_at = b2_at = worse = 0
        source = {"C": 0, "G": 0, "D": 0, "P": 0}
        pattern_times: list[float] = []
        gaps: list[float] = []
        open_gaps: list[float] = []
        b1_gaps: list[float] = []
        b2_gaps: list[float] = []
        pk: list[int] = []
        b1_pk: list[int] = []
        times: list[float] = []
        b1_times: list[float] = []
        ref_times: list[float] = []
        ratios: list[float] = []
        ratios_1: list[float] = []
        capped_gaps: list[float] = []
        # every order planned first, one after the other as a service would, before any CP-SAT
        # run (its models would otherwise crowd the planner out of the processor caches)
        planned: list[tuple[pl.Plan, float]] = []
        for inst in insts:
            made, dt = cpu(lambda i=inst: pl.plan(i.order, i.context))
            assert isinstance(made, pl.Plan)
            planned.append((made, dt))
        for inst, (plan, dt) in zip(insts, planned, strict=True):
            times.append(dt * 1000)
            pk.append(len(plan.packages))
            setup = pl._setup(inst.order, inst.context)
            on_time, latest = _channel_dates(inst)
            b1, bdt = cpu(
                lambda i=inst, p=plan, s=setup, ot=on_time, lt=latest: baselines.baseline(
                    i.order, i.context, p, s.handling, ot, latest_for=lt
                )
            )
            b2 = baselines.baseline(
                inst.order,
                inst.context,
                plan,
                setup.handling,
                on_time,
                split_tags=True,
                latest_for=latest,
            )
            assert isinstance(b1, baselines.BaselineResult)
            b1_times.append(bdt * 1000)
            # CP-SAT on its own (timed), then helped by the planner's plan (hint and upper
            # bound) when that did not prove the optimum; large orders: helped only
            ref = reference.solve(
                inst.order,
                inst.context,
                cpsat_seconds[size],
                len(plan.packages),
                workers,
                plan if size == "large" else None,
            )
            ref_times.append(ref.seconds)
            unaided = ref
            if not (ref.optimal and ref.exact_bins) and size != "large":
                helped = reference.solve(
                    inst.order,
                    inst.context,
                    cpsat_seconds[size],
                    len(plan.packages),
                    workers,
                    plan,
                )
                ref = reference.Reference(
                    helped.cost if ref.cost is None else min(ref.cost, helped.cost or ref.cost),
                    max(
                        ref.bound if ref.exact_bins else 0,
                        helped.bound if helped.exact_bins else 0,
                    ),
                    helped.optimal and helped.exact_bins,
                    ref.seconds,
                    exact_bins=True,  # the bound just taken is one of the problem
                )
            # a bound of a model with too few bins is not a bound of the problem: use CP-SAT's
            # only when its bins cover every plan below it (``exact_bins``)
            exact = ref.exact_bins
            capped_bound = max(ref.bound, unaided.bound)  # within the bins, for the note
            cp_bound = ref.bound if exact else 0
            own_groups = planner_group_bounds(inst)
            own = sum(own_groups)
            if ref.cost is not None and own > ref.cost:
                raise AssertionError(f"{inst.name}: planner bound {own} above a solution")
            best_known = min(plan.total_cost, ref.cost if ref.cost is not None else plan.total_cost)
            grp = 0
            parts: list[reference.GroupBound] = []
            if max(cp_bound, own) < best_known:
                # not closed yet: CP-SAT group by group with warehouses pooled (a relaxation
                # with enough bins, see reference.group_bounds), each group's bound at least
                # the planner's own for it
                parts = reference.group_bounds(
                    inst.order,
                    inst.context,
                    plan.total_cost,
                    own_groups,
                    # the order's limit, as for the whole model (half of it left the proof
                    # of a 60-block group to chance on a slow machine)
                    cpsat_seconds[size],
                    workers,
                    plan,
                )
                grp = sum(max(g.own, g.cpsat) for g in parts)
                if ref.cost is not None and grp > ref.cost:
                    raise AssertionError(f"{inst.name}: group bound {grp} above a solution")
                if grp > plan.total_cost:
                    raise AssertionError(f"{inst.name}: group bound {grp} above the plan")
            pat = 0
            if max(cp_bound, own, grp) < best_known:
                # still open: the LP over parcel patterns with every warehouse's stock, by
                # column generation (see benchmarks/patterns.py), each group's cost at least
                # its bound above; twice CP-SAT's limit, as column generation on a 150-unit
                # order takes 5-15 s to converge on a loaded machine (stopped early, the bound
                # is still valid but weaker)
                floors = [max(g.own, g.cpsat) for g in parts] if parts else own_groups
                pb = patterns.pattern_bound(
                    inst.order, inst.context, 2 * cpsat_seconds[size], floors, plan
                )
                pat = pb.bound
                pattern_times.append(pb.seconds)
                if ref.cost is not None and pat > ref.cost:
                    raise AssertionError(f"{inst.name}: pattern bound {pat} above a solution")
                if pat > plan.total_cost:
                    raise AssertionError(f"{inst.name}: pattern bound {pat} above the plan")
            bound = max(cp_bound, own, grp, pat)
            if not exact and capped_bound > bound:
                capped_gaps.append(100 * (plan.total_cost - capped_bound) / capped_bound)
            # (a source counts only where it is the first to reach the bound in this order)
            src = (
                "C" if bound == cp_bound else "G" if bound == grp else "D" if bound == pat else "P"
            )
            source[src] += 1
            if 0 < bound < best_known:
                # where an open order's gap comes from: the planner above the best plan known,
                # and that plan above the bound (the bound's weakness, or an optimum not found)
                notes.append(
                    f"  open {inst.name} ({inst.meta['units']} units, "
                    f"{inst.meta['warehouses']} wh): planner {plan.total_cost}, best known "
                    f"{best_known} (+{100 * (plan.total_cost - best_known) / best_known:.2f}%), "
                    f"bound {bound} {src} (best known +{100 * (best_known - bound) / bound:.2f}%)"
                    + (f"; without D {max(cp_bound, own, grp)}" if src == "D" else "")
                )
            cost = plan.total_cost
            best_ref = ref.cost
            is_proven = ref.optimal and exact and best_ref is not None
            if is_proven and best_ref is not None:
                proven += 1
                if cost <= best_ref and size != "large":
                    # speed-up at equal cost: CP-SAT's unaided wall time over the planner's CPU
                    # time; and one core against one core: CP-SAT's CPU time in the solve with
                    # one worker over the planner's CPU time (CPU time on both sides, so other
                    # load on the machine does not tilt it)
                    ratios.append(unaided.seconds / max(dt, 1e-9))
                    one = unaided
                    if workers != 1:
                        one = reference.solve(
                            inst.order, inst.context, cpsat_seconds[size], len(plan.packages), 1
                        )
                    # (not proven within the limit: the ratio is a floor of the speed-up)
                    ratios_1.append(one.solve_cpu / max(dt, 1e-9))
            # closed: the bound reaches a known plan, so it is the optimum; the planner is
            # optimal there if it costs no more (whichever bound closed it)
            is_closed = bound >= best_known
            if is_closed:
                closed += 1
                at += cost <= bound
            if best_ref is not None:
                at_best += cost <= best_ref
            if bound > 0:
                gaps.append(100 * (cost - bound) / bound)
                if bound < best_known:
                    open_gaps.append(gaps[-1])
            for res, gl, flag in ((b1, b1_gaps, 1), (b2, b2_gaps, 2)):
                if res.cost is None:
                    continue
                if bound > 0:
                    gl.append(100 * (res.cost - bound) / bound)
                if is_closed and res.cost <= bound:
                    if flag == 1:
                        b1_at += 1
                    else:
                        b2_at += 1
            b1_pk.append(b1.parcels)
            if any(r.cost is not None and cost > r.cost for r in (b1, b2)):
                worse += 1
                worse_cases.append(Worse(inst.name, cost, b1.cost, b2.cost, best_ref))
        k = len(insts)

        def share(x: int, of: int) -> str:
            return f"{x / of:.1%}" if of else "—"

        def med(xs: list[float]) -> str:
            return f"{statistics.median(xs):.0f}x" if xs else "—"

        # gap over the orders not closed, times their share: what they add to the mean gap
        open_part = sum(open_gaps) / k if open_gaps else 0.0
        out.append(
            f"{labels[size]:<15}{k:>4} | {proven:>6}{closed:>7} | {share(at, closed):>7}"
            f"{share(at_best, k):>7}{mean(gaps):>6.2f}"
            f"{(max(gaps) if gaps else float('nan')):>6.2f}{open_part:>6.2f}{mean(pk):>6.2f}"
            f"{pct(times, 0.5):>7.2f}{pct(times, 0.95):>7.2f} | {mean(ref_times):>8.2f}"
            f"{med(ratios):>9}{med(ratios_1):>7} | "
            f"{source['C']:>2}/{source['G']}/{source['D']}/{source['P']:<2}"
            f" | {share(b1_at, closed):>6}{mean(b1_gaps):>7.2f}{mean(b1_pk):>6.2f}"
            f"{mean(b1_times):>5.1f} | {share(b2_at, closed):>6}{mean(b2_gaps):>7.2f}"
            f" | {worse:>5}"
        )
        if pattern_times:
            notes.append(
                f"  {labels[size]}: pattern LP bound (D) run on {len(pattern_times)} open "
                f"order(s), {mean(pattern_times):.1f} s each on average "
                f"(max {max(pattern_times):.1f} s)"
            )
        if capped_gaps:
            notes.append(
                f"  {labels[size]}: on {len(capped_gaps)} order(s) CP-SAT's bound holds only "
                f"within its bins cap (2 x planner parcels + 2, at least 24, per warehouse); "
                f"gap to it {mean(capped_gaps):.2f}% (not a proven gap)"
            )
    out += notes
    # throughput on typical orders (<= 10 units): first plans, one core, planning only; once
    # with the collector scanning everything the benchmark holds, once after gc.freeze()
    rates = []
    for seed, frozen in ((11, False), (12, True)):
        typical = list(instances.family_b(throughput_n, "small", seed=seed))
        typical += [
            i
            for i in instances.family_b(throughput_n, "medium", seed=seed)
            if i.meta["units"] <= 10  # type: ignore[operator]
        ]
        gc.collect()
        if frozen:
            gc.freeze()
        start = time.thread_time()
        for inst in typical:
            pl.plan(inst.order, inst.context)
        rates.append((len(typical), len(typical) / (time.thread_time() - start)))
        gc.unfreeze()
    out.append("")
    out.append(
        f"throughput on {rates[1][0]} typical orders (<= 10 units, each planned once): "
        f"{rates[1][1]:,.0f} orders/s (one core, after gc.freeze); "
        f"{rates[0][1]:,.0f} orders/s on {rates[0][0]} others without freezing"
    )
    return out, worse_cases


def _timed_plans(
    cases: Sequence[tuple[int, int]], repeats: int
) -> list[list[tuple[instances.Instance, pl.Plan, float]]]:
    """Per case, ``repeats`` realistic orders of ``units`` units over ``warehouses`` warehouses,
    each with its first plan and that plan's time (ms)."""
    gc.collect()
    gc.freeze()
    out = []
    for n, wh in cases:
        timed = []
        for inst in _speed_orders(n, wh, repeats):
            plan, dt = cpu(lambda i=inst: pl.plan(i.order, i.context))
            assert isinstance(plan, pl.Plan)
            timed.append((inst, plan, dt * 1000))
        out.append(timed)
    return out


def large_speed_times(cases: Sequence[tuple[int, int]], repeats: int) -> list[list[float]]:
    """Per case, the planner's first-plan times (ms) (``_timed_plans``)."""
    return [[ms for _, _, ms in timed] for timed in _timed_plans(cases, repeats)]


def _speed_orders(n: int, wh: int, repeats: int) -> list[instances.Instance]:
    orders = []
    for k in range(repeats):
        # The one-warehouse orders keep their seeds, so their rows compare with earlier runs.
        rng = instances.random.Random(f"speed-{n}-{k}" if wh == 1 else f"speed-{n}-{wh}wh-{k}")
        orders.append(
            instances.realistic(
                rng,
                f"speed{n}-{wh}wh-{k}",
                n,
                tag_share=0.1,
                warehouses=wh,
                divisor=5000,
                tight=False,
                presale=0.0,
            )
        )
    return orders


def interpreted_speed_times(cases: Sequence[tuple[int, int]], repeats: int) -> list[list[float]]:
    """``large_speed_times`` of the interpreted planner, in a process of its own."""
    arg = ",".join(f"{n}x{wh}" for n, wh in cases)
    cmd = [sys.executable, "-m", "benchmarks.planner", "--speed-times", arg]
    done = subprocess.run(
        [*cmd, "--repeats", str(repeats)],
        env={**os.environ, "SPLITSHIP_PLANNER": "python"},
        capture_output=True,
        text=True,
        check=True,
    )
    times: list[list[float]] = json.loads(done.stdout)
    return times


def run_large_speed(cases: Sequence[tuple[int, int]], repeats: int) -> list[str]:
    """Plan realistic orders of `units` units over `warehouses` warehouses, `repeats` each; with
    the compiled planner, the interpreted one's times beside them."""
    out = []
    planned = _timed_plans(cases, repeats)
    plain = interpreted_speed_times(cases, repeats) if planning.COMPILED else None
    for c, (n, wh) in enumerate(cases):
        bp_times: list[float] = []
        for inst, plan, _ in planned[c]:
            _b1, bdt = cpu(lambda i=inst, p=plan: baselines.baseline(i.order, i.context, p, 80))
            bp_times.append(bdt * 1000)
        times = [ms for _, _, ms in planned[c]]
        beside = (
            f"  | interpreted p50 {pct(plain[c], 0.5):7.1f}  p95 {pct(plain[c], 0.95):7.1f}"
            if plain is not None
            else ""
        )
        out.append(
            f"{n:>5} units, {wh} wh: planner p50 {pct(times, 0.5):8.1f} ms"
            f"  p95 {pct(times, 0.95):8.1f} ms  (of {repeats}){beside}"
            f"   | baseline 1 p50 {pct(bp_times, 0.5):8.1f} ms"
        )
    return out


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--full", action="store_true", help="full counts and CP-SAT limits")
    ap.add_argument("--a", type=int, help="family A instances per set")
    ap.add_argument("--small", type=int, help="family B orders of 1-5 units")
    ap.add_argument("--medium", type=int, help="family B orders of 10-30 units")
    ap.add_argument("--large", type=int, help="family B orders of 50-200 units")
    ap.add_argument(
        "--cpsat", type=float, help="CP-SAT seconds per order (medium; small / 2.5, large x3)"
    )
    ap.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    ap.add_argument(
        "--a-cpsat",
        type=float,
        help="CP-SAT seconds to decide a family-A instance the bounds leave open (10; full 120)",
    )
    ap.add_argument("--skip-a", action="store_true")
    ap.add_argument("--skip-b", action="store_true")
    # (internal: the large-order speed rows' times as JSON, for the interpreted comparison)
    ap.add_argument("--speed-times", help=argparse.SUPPRESS)
    ap.add_argument("--repeats", type=int, default=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.speed_times:
        cases = [tuple(int(x) for x in c.split("x")) for c in args.speed_times.split(",")]
        print(json.dumps(large_speed_times([(n, wh) for n, wh in cases], args.repeats)))
        return
    if args.full:
        a, small, medium, large, cps, sizes = 10, 200, 200, 40, 20.0, (120, 250, 500, 1000)
    else:
        a, small, medium, large, cps, sizes = 3, 40, 30, 6, 5.0, (120, 250, 500)
    a = args.a if args.a is not None else a
    small = args.small if args.small is not None else small
    medium = args.medium if args.medium is not None else medium
    large = args.large if args.large is not None else large
    cps = args.cpsat if args.cpsat is not None else cps
    a_cpsat = args.a_cpsat if args.a_cpsat is not None else (120.0 if args.full else 10.0)
    reference.ISOLATED = True  # each order's CP-SAT solve in a child process, see there
    started = time.perf_counter()
    build = "compiled (mypyc)" if planning.COMPILED else "interpreted"
    print(f"splitship planner benchmark ({'full' if args.full else 'quick'} run; planner {build})")
    if not args.skip_a:
        print(
            "\nFamily A — one-dimensional bin packing (bins; L2 = Martello–Toth lower bound; "
            "opt = best proven lower bound)"
        )
        for line in run_family_a(a, sizes, 5.0, a_cpsat, args.workers):
            print(line, flush=True)
    if not args.skip_b:
        print(
            f"\nFamily B — realistic orders (cost; reference CP-SAT {cps / 2.5:g} s/order small, "
            f"{cps:g} s medium, {3 * cps:g} s large, {args.workers} worker(s))"
        )
        lines, worse = run_family_b(
            {"small": small, "medium": medium, "large": large},
            {"small": cps / 2.5, "medium": cps, "large": 3 * cps},
            args.workers,
            max(small, 100),
        )
        for line in lines:
            print(line, flush=True)
        for w in worse:
            print(
                f"  worse than a baseline: {w.name} planner {w.planner} base1 {w.base1} "
                f"base2 {w.base2} CP-SAT best {w.ref}"
            )
        print("\nSpeed on large orders (one core, first plan)")
        cases = [(200, 1), (200, 2), (200, 4), (1000, 1), (1000, 2)]
        for line in run_large_speed(cases, 3 if not args.full else 10):
            print(line, flush=True)
    print(f"\n(ran {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
