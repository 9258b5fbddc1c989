"""Planner benchmark: quality against CP-SAT / L2 bounds and two baselines, and speed.

    .venv/bin/python -m benchmarks.planner            # quick run (~1-2 minutes)
    .venv/bin/python -m benchmarks.planner --full     # the full run (long)

See benchmarks/README.md for how to read the table.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import baselines, instances, reference
from splitship.planning import planner as pl


@dataclass
class Row:
    name: str
    values: dict[str, list[float]] = field(default_factory=dict)

    def add(self, key: str, value: float) -> None:
        self.values.setdefault(key, []).append(value)


def l2_bound(weights: Sequence[int], cap: int) -> int:
    """Martello–Toth L2 lower bound on the number of bins."""
    best = math.ceil(sum(weights) / cap)
    for k in sorted({w for w in weights if w <= cap // 2} | {0}):
        j1 = [w for w in weights if w > cap - k]
        j2 = [w for w in weights if cap - k >= w > cap // 2]
        j3 = [w for w in weights if cap // 2 >= w >= k]
        free = len(j2) * cap - sum(j2)
        best = max(best, len(j1) + len(j2) + max(0, math.ceil((sum(j3) - free) / cap)))
    return best


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


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def pct(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, math.ceil(q * len(s)) - 1)]


# ---- family A ----------------------------------------------------------------------------


def run_family_a(per_size: int, sizes: tuple[int, ...]) -> list[str]:
    out = []
    groups: dict[str, list[instances.Instance]] = {}
    for inst in instances.family_a(per_size, sizes):
        prefix = inst.name.split("_")[0]
        groups.setdefault(prefix, []).append(inst)
    header = (
        f"{'set':<6}{'n':>4} | {'planner at L2':>13}{'bins':>8}{'+bins':>6}{'p50 ms':>9}"
        f"{'p95 ms':>9} | {'BFD at L2':>10}{'+bins':>6} | {'binpacking':>11}{'+bins':>6}"
        f"{'ms':>7} | {'worse than BFD':>14}"
    )
    out += [header, "-" * len(header)]
    for prefix, insts in groups.items():
        at = bfd_at = bp_at = worse = 0
        extra = bfd_extra = bp_extra = 0
        times: list[float] = []
        bp_times: list[float] = []
        bins: list[int] = []
        for inst in insts:
            weights = inst.meta["weights"]
            cap = inst.meta["capacity"]
            assert isinstance(weights, list) and isinstance(cap, int)
            lb = l2_bound(weights, cap)
            plan, dt = timed(lambda i=inst: pl.plan(i.order, i.context))
            assert isinstance(plan, pl.Plan)
            n = len(plan.packages)
            bfd = best_fit_decreasing(weights, cap)
            bp, bdt = timed(
                lambda w=weights, c=cap: len(baselines.binpacking.to_constant_volume(w, c))
            )
            assert isinstance(bp, int)
            times.append(dt * 1000)
            bp_times.append(bdt * 1000)
            bins.append(n)
            at += n == lb
            bfd_at += bfd == lb
            bp_at += bp == lb
            extra += n - lb
            bfd_extra += bfd - lb
            bp_extra += bp - lb
            worse += n > bfd
        k = len(insts)
        out.append(
            f"{prefix:<6}{k:>4} | {at / k:>13.0%}{statistics.mean(bins):>8.1f}{extra / k:>6.2f}"
            f"{pct(times, 0.5):>9.1f}{pct(times, 0.95):>9.1f} | {bfd_at / k:>10.0%}"
            f"{bfd_extra / k:>6.2f} | {bp_at / k:>11.0%}{bp_extra / k:>6.2f}"
            f"{statistics.mean(bp_times):>7.1f} | {worse:>14}"
        )
    return out


# ---- family B ----------------------------------------------------------------------------


def _on_time_channels(inst: instances.Instance) -> dict[object, list[object]]:
    setup = pl._setup(inst.order, inst.context)
    out: dict[object, list[object]] = {}
    for ln in setup.lines:
        out[ln.ship_on] = [ch for ch in setup.channels if setup.on_time(ch, ln.address, ln.ship_on)]
    return out


def run_family_b(
    counts: dict[str, int], cpsat_seconds: dict[str, float], workers: int, throughput_n: int
) -> list[str]:
    out: list[str] = []
    header = (
        f"{'orders':<14}{'n':>4} | {'ref proven':>10} | {'planner =opt':>12}{'gap%':>7}"
        f"{'max%':>7}{'pkgs':>6}{'p50 ms':>8}{'p95 ms':>8}{'CP-SAT s':>9}{'speed-up':>9}"
        f" | {'base1 =opt':>10}{'gap%':>7}{'pkgs':>6}{'ms':>6} | {'base2 =opt':>10}{'gap%':>7}"
        f"{'pkgs':>6} | {'worse':>5}"
    )
    out += [header, "-" * len(header)]
    labels = {"small": "B 1-5 units", "medium": "B 10-30 units", "large": "B 50-200 units"}
    for size, count in counts.items():
        if count <= 0:
            continue
        insts = instances.family_b(count, size)
        proven = at = b1_at = b2_at = worse = 0
        gaps: list[float] = []
        b1_gaps: list[float] = []
        b2_gaps: list[float] = []
        pk: list[int] = []
        b1_pk: list[int] = []
        b2_pk: list[int] = []
        times: list[float] = []
        b1_times: list[float] = []
        ref_times: list[float] = []
        ratios: list[float] = []
        for inst in insts:
            pl.plan(inst.order, inst.context)  # warm the zone caches like a running service
            plan, dt = timed(lambda i=inst: pl.plan(i.order, i.context))
            assert isinstance(plan, pl.Plan)
            times.append(dt * 1000)
            pk.append(len(plan.packages))
            setup = pl._setup(inst.order, inst.context)
            on_time = _on_time_channels(inst)
            b1, bdt = timed(
                lambda i=inst, p=plan, s=setup, ot=on_time: baselines.baseline(
                    i.order,
                    i.context,
                    p,
                    s.handling,
                    ot,  # type: ignore[arg-type]
                )
            )
            b2 = baselines.baseline(
                inst.order,
                inst.context,
                plan,
                setup.handling,
                on_time,  # type: ignore[arg-type]
                split_tags=True,
            )
            assert isinstance(b1, baselines.BaselineResult)
            b1_times.append(bdt * 1000)
            ref = reference.solve(
                inst.order, inst.context, cpsat_seconds[size], len(plan.packages), workers
            )
            ref_times.append(ref.seconds)
            bound = ref.bound
            cost = plan.total_cost
            proven += ref.optimal
            best_ref = ref.cost if ref.cost is not None else None
            if ref.optimal and best_ref is not None:
                at += cost <= best_ref
                if cost <= best_ref:
                    ratios.append(ref.seconds / max(dt, 1e-9))
            if bound > 0:
                gaps.append(100 * (cost - bound) / bound)
            pk_b1 = b1.parcels
            for res, gl, pl_list, flag in ((b1, b1_gaps, b1_pk, 1), (b2, b2_gaps, b2_pk, 2)):
                if res.cost is None:
                    continue
                if bound > 0:
                    gl.append(100 * (res.cost - bound) / bound)
                pl_list.append(res.parcels)
                if ref.optimal and best_ref is not None and res.cost <= best_ref:
                    if flag == 1:
                        b1_at += 1
                    else:
                        b2_at += 1
                if cost > res.cost:
                    worse += 1
            del pk_b1
        k = len(insts)

        def mean(v: Sequence[float]) -> float:
            return statistics.mean(v) if v else float("nan")

        out.append(
            f"{labels[size]:<14}{k:>4} | {proven:>10} | "
            f"{(at / proven if proven else float('nan')):>12.1%}{mean(gaps):>7.2f}"
            f"{(max(gaps) if gaps else float('nan')):>7.2f}{mean(pk):>6.2f}"
            f"{pct(times, 0.5):>8.2f}{pct(times, 0.95):>8.2f}"
            f"{mean(ref_times):>9.2f}{(statistics.median(ratios) if ratios else 0):>8.0f}x"
            f" | {(b1_at / proven if proven else float('nan')):>10.1%}{mean(b1_gaps):>7.2f}"
            f"{mean(b1_pk):>6.2f}{mean(b1_times):>6.1f}"
            f" | {(b2_at / proven if proven else float('nan')):>10.1%}{mean(b2_gaps):>7.2f}"
            f"{mean(b2_pk):>6.2f} | {worse:>5}"
        )
    # throughput on typical orders (<= 10 units), one core, planning only
    typical = [i for i in instances.family_b(throughput_n, "small")]
    typical += [i for i in instances.family_b(throughput_n // 4, "medium") if i.meta["units"] <= 10]  # type: ignore[operator]
    for inst in typical:
        pl.plan(inst.order, inst.context)
    start = time.perf_counter()
    for inst in typical:
        pl.plan(inst.order, inst.context)
    rate = len(typical) / (time.perf_counter() - start)
    base_start = time.perf_counter()
    for inst in typical:
        plan = pl.plan(inst.order, inst.context)
    del plan
    out.append("")
    out.append(
        f"throughput on {len(typical)} typical orders (<= 10 units): {rate:,.0f} orders/s "
        f"(one core)"
    )
    del base_start
    return out


def run_large_speed(units: Sequence[int], repeats: int) -> list[str]:
    out = []
    for n in units:
        times: list[float] = []
        bp_times: list[float] = []
        for k in range(repeats):
            rng = instances.random.Random(f"speed-{n}-{k}")
            inst = instances.realistic(
                rng,
                f"speed{n}-{k}",
                n,
                tag_share=0.1,
                warehouses=1,
                divisor=5000,
                tight=False,
                presale=0.0,
            )
            pl.plan(inst.order, inst.context)
            plan, dt = timed(lambda i=inst: pl.plan(i.order, i.context))
            times.append(dt * 1000)
            assert isinstance(plan, pl.Plan)
            _b1, bdt = timed(
                lambda i=inst, p=plan: baselines.baseline(i.order, i.context, p, 80, {})
            )
            bp_times.append(bdt * 1000)
        out.append(
            f"{n:>5} units: planner p50 {pct(times, 0.5):8.1f} ms  p95 {pct(times, 0.95):8.1f} ms"
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
    ap.add_argument("--cpsat", type=float, help="CP-SAT seconds per order (medium; large x3)")
    ap.add_argument("--workers", type=int, default=1, help="CP-SAT workers (default 1)")
    ap.add_argument("--skip-a", action="store_true")
    ap.add_argument("--skip-b", action="store_true")
    args = ap.parse_args(argv)
    if args.full:
        a, small, medium, large, cps, sizes = 10, 200, 200, 40, 20.0, (120, 250, 500, 1000)
    else:
        a, small, medium, large, cps, sizes = 3, 40, 30, 6, 2.0, (120, 250, 500)
    a = args.a if args.a is not None else a
    small = args.small if args.small is not None else small
    medium = args.medium if args.medium is not None else medium
    large = args.large if args.large is not None else large
    cps = args.cpsat if args.cpsat is not None else cps
    print(f"splitship planner benchmark ({'full' if args.full else 'quick'} run)")
    if not args.skip_a:
        print("\nFamily A — one-dimensional bin packing (bins; L2 = Martello–Toth lower bound)")
        for line in run_family_a(a, sizes):
            print(line, flush=True)
    if not args.skip_b:
        print(
            f"\nFamily B — realistic orders (cost; reference CP-SAT {cps:g} s/order medium, "
            f"{3 * cps:g} s large, {args.workers} worker(s))"
        )
        for line in run_family_b(
            {"small": small, "medium": medium, "large": large},
            {"small": cps, "medium": cps, "large": 3 * cps},
            args.workers,
            max(small, 100),
        ):
            print(line, flush=True)
        print("\nSpeed on large orders (one core)")
        for line in run_large_speed((200, 1000), 3 if not args.full else 10):
            print(line, flush=True)


if __name__ == "__main__":
    main()
