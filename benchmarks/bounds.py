"""Proven lower bounds for one-dimensional bin packing (family A).

* ``l2_bound``: Martello–Toth L2.
* ``gilmore_gomory_bound``: the Gilmore–Gomory LP bound by column generation. The restricted
  master LP (cover every weight's demand with bin patterns, minimise the number of bins) is
  solved with GLOP; pricing is a bounded integer knapsack by dynamic programming over the
  capacity, exact because weights and capacity are integers. The LP value itself is a float, so
  it is not rounded up directly: every dual vector GLOP returns is turned into an *exact* Farley
  bound instead (duals truncated to integers at a fixed scale, the best pattern under those
  integer duals found by the same knapsack in integer arithmetic, bound = demand · duals / best
  pattern as a fraction). That bound is valid whatever the LP's accuracy or whether column
  generation converged (the scaled duals divided by the best pattern are a feasible dual
  solution of the full LP), and it tends to the LP value as the columns converge.
* ``cpsat_fits``: CP-SAT decides whether the items fit in a given number of bins; a proof that
  they do not makes that number plus one a lower bound.

ortools is a benchmark dependency only.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from fractions import Fraction
from typing import TypeVar

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

# integer scale of the duals in the exact Farley bound (truncation loses < n / SCALE bins)
DUAL_SCALE = 10**9

T = TypeVar("T", int, float)


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


def knapsack(
    values: Sequence[T], sizes: Sequence[int], demands: Sequence[int], cap: int, zero: T
) -> tuple[T, list[int]]:
    """Bounded knapsack: max sum(values[i] * a[i]) with sum(sizes[i] * a[i]) <= cap and
    0 <= a[i] <= demands[i]. Binary splitting of the copies, 0/1 DP over the capacity; exact in
    integer arithmetic (used for the proof), approximate only through float values (pricing)."""
    pieces: list[tuple[int, int]] = []  # (item, copies)
    for i, (s, d) in enumerate(zip(sizes, demands, strict=True)):
        if values[i] <= 0 or s > cap:
            continue
        left, c = min(d, cap // s), 1
        while left > 0:
            take = min(c, left)
            pieces.append((i, take))
            left -= take
            c *= 2
    best = [zero] * (cap + 1)
    took: list[list[bool]] = []
    for i, copies in pieces:
        s, v = sizes[i] * copies, values[i] * copies
        row = [False] * (cap + 1)
        for c in range(cap, s - 1, -1):
            cand = best[c - s] + v
            if cand > best[c]:
                best[c] = cand
                row[c] = True
        took.append(row)
    counts = [0] * len(sizes)
    c = cap
    for (i, copies), row in zip(reversed(pieces), reversed(took), strict=True):
        if row[c]:
            counts[i] += copies
            c -= sizes[i] * copies
    return best[cap], counts


def farley_bound(
    duals: Sequence[float], sizes: Sequence[int], demands: Sequence[int], cap: int
) -> Fraction:
    """Exact lower bound on the bins from any dual vector (see the module docstring)."""
    ints = [max(0, math.floor(y * DUAL_SCALE)) for y in duals]
    top, _ = knapsack(ints, sizes, demands, cap, 0)
    if top <= 0:
        return Fraction(0)
    return Fraction(sum(d * y for d, y in zip(demands, ints, strict=True)), top)


def gilmore_gomory_bound(
    weights: Sequence[int], cap: int, seconds: float, start: Sequence[Sequence[int]] = ()
) -> tuple[int, Fraction, bool]:
    """(proven bins lower bound, exact LP lower bound it rounds up, column generation converged).

    ``start``: bins of a known packing (lists of weights) as first columns, besides one
    single-weight column per weight."""
    counts: dict[int, int] = {}
    for w in weights:
        counts[w] = counts.get(w, 0) + 1
    sizes = sorted(counts, reverse=True)
    demands = [counts[s] for s in sizes]
    index = {s: i for i, s in enumerate(sizes)}
    solver = pywraplp.Solver.CreateSolver("GLOP")
    rows = [solver.Constraint(d, solver.infinity()) for d in demands]
    objective = solver.Objective()
    objective.SetMinimization()

    def add(pattern: Sequence[int]) -> None:
        x = solver.NumVar(0, solver.infinity(), "")
        objective.SetCoefficient(x, 1)
        for i, a in enumerate(pattern):
            if a:
                rows[i].SetCoefficient(x, a)

    for i, s in enumerate(sizes):
        pattern = [0] * len(sizes)
        pattern[i] = min(demands[i], cap // s)
        add(pattern)
    for b in start:
        pattern = [0] * len(sizes)
        for w in b:
            pattern[index[w]] += 1
        add(pattern)
    deadline = time.perf_counter() + seconds
    best = Fraction(0)
    converged = False
    while True:
        if solver.Solve() != pywraplp.Solver.OPTIMAL:
            break
        duals = [r.dual_value() for r in rows]
        best = max(best, farley_bound(duals, sizes, demands, cap))
        value, pattern = knapsack(duals, sizes, demands, cap, 0.0)
        if value <= 1 + 1e-9:
            converged = True
            break
        if time.perf_counter() > deadline:
            break
        add(pattern)
    return math.ceil(best), best, converged


def _patterns(
    sizes: Sequence[int], demands: Sequence[int], low: int, cap: int, limit: int
) -> list[list[int]] | None:
    """Every bin content (counts per size) with load in [low, cap]; None if more than limit."""
    out: list[list[int]] = []
    counts = [0] * len(sizes)

    def walk(i: int, load: int) -> bool:
        if load >= low:
            out.append(counts.copy())
            if len(out) > limit:
                return False
        for j in range(i, len(sizes)):
            if load + sizes[j] <= cap and counts[j] < demands[j]:
                counts[j] += 1
                ok = walk(j, load + sizes[j])
                counts[j] -= 1
                if not ok:
                    return False
        return True

    return out if walk(0, 0) else None


def cpsat_fits(
    weights: Sequence[int], cap: int, bins: int, seconds: float, workers: int
) -> bool | None:
    """Do the items fit in ``bins`` bins? False: proven not (so ``bins + 1`` is a lower bound);
    True: they do; None: not decided in time.

    Every non-empty bin must hold at least what the other bins cannot, total - (bins - 1) * cap
    (also true of a packing in fewer bins). When that leaves little slack, the bin contents that
    qualify are few enough to list, and the model is how many bins of each content (an exact
    partition of the demands); otherwise an integer count of each weight per bin, bins sorted
    by load against symmetry."""
    counts: dict[int, int] = {}
    for w in weights:
        counts[w] = counts.get(w, 0) + 1
    sizes = sorted(counts, reverse=True)
    demands = [counts[s] for s in sizes]
    least = max(0, sum(weights) - (bins - 1) * cap)
    m = cp_model.CpModel()
    patterns = _patterns(sizes, demands, max(least, 1), cap, 200_000)
    if patterns is not None:
        use = [m.new_int_var(0, bins, "") for _ in patterns]
        for i, d in enumerate(demands):
            m.add(sum(p[i] * u for p, u in zip(patterns, use, strict=True) if p[i]) == d)
        m.add(sum(use) <= bins)
    else:
        x = [
            [m.new_int_var(0, min(d, cap // s), "") for s, d in zip(sizes, demands, strict=True)]
            for _ in range(bins)
        ]
        loads = []
        for row in x:
            load = sum(s * a for s, a in zip(sizes, row, strict=True))
            m.add(load <= cap)
            # (an empty bin is allowed: the question is "at most this many bins")
            used = m.new_bool_var("")
            m.add(load >= least * used)
            m.add(load >= 1).only_enforce_if(used)
            m.add(load == 0).only_enforce_if(~used)
            loads.append(load)
        for i, d in enumerate(demands):
            m.add(sum(row[i] for row in x) == d)
        for a, b in itertools.pairwise(loads):
            m.add(a >= b)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    status = solver.solve(m)
    if status == cp_model.INFEASIBLE:
        return False
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return True
    return None
