"""The benchmark's proven bounds on instances small enough to know the optimum: bin packing
(benchmarks/bounds.py) and the family-B group bound (benchmarks/reference.py)."""

from __future__ import annotations

import itertools
import random

import pytest

pytest.importorskip("ortools")

from benchmarks import bounds, instances, reference
from benchmarks.planner import planner_group_bounds

from splitship.planning import planner as pl


def _optimum(weights: list[int], cap: int) -> int:
    """Fewest bins, by trying every assignment (tiny instances only)."""
    n = len(weights)
    for k in range(1, n + 1):
        for assign in itertools.product(range(k), repeat=n):
            loads = [0] * k
            for w, b in zip(weights, assign, strict=True):
                loads[b] += w
            if max(loads) <= cap:
                return k
    return n


def test_knapsack_bounded_exact() -> None:
    value, counts = bounds.knapsack([5, 4, 3], [4, 3, 2], [1, 2, 3], 10, 0)
    # best: 0 x 4 + 2 x 3 + 2 x 2 = 10 -> 8 + 6 = 14
    assert value == 14
    assert sum(c * s for c, s in zip(counts, [4, 3, 2], strict=True)) <= 10
    assert all(c <= d for c, d in zip(counts, [1, 2, 3], strict=True))
    assert sum(c * v for c, v in zip(counts, [5, 4, 3], strict=True)) == value


@pytest.mark.parametrize("seed", range(6))
def test_bounds_never_exceed_the_optimum(seed: int) -> None:
    rng = random.Random(seed)
    cap = 10
    weights = [rng.randint(2, 8) for _ in range(7)]
    opt = _optimum(weights, cap)
    gg, lp, converged = bounds.gilmore_gomory_bound(weights, cap, 5.0)
    assert converged
    assert bounds.l2_bound(weights, cap) <= opt
    assert gg <= opt
    assert lp <= opt
    assert bounds.cpsat_fits(weights, cap, opt, 5.0, 1) is True
    if opt > 1:
        assert bounds.cpsat_fits(weights, cap, opt - 1, 5.0, 1) is False


def test_gilmore_gomory_is_tight_here() -> None:
    # each 7 needs a bin of its own and the 4s go two by two: 4 bins, while the weight alone
    # (30 / 10) says 3; the LP over patterns {7}, {4, 4} reaches 4
    weights = [7, 7, 4, 4, 4, 4]
    assert _optimum(weights, 10) == 4
    gg, lp, _ = bounds.gilmore_gomory_bound(weights, 10, 5.0)
    assert gg == 4
    assert 3.99 < lp <= 4


def test_fits_allows_fewer_bins() -> None:
    # fits in 2 bins, asked about 3: must say yes although a third bin stays empty
    assert bounds.cpsat_fits([5, 5, 5, 5], 10, 3, 5.0, 1) is True


def test_group_bound_never_exceeds_the_exact_optimum() -> None:
    """On orders small enough for CP-SAT to prove the optimum with enough bins, the group
    bound (warehouses pooled, per group) stays at or below it."""
    checked = 0
    for inst in instances.family_b(6, "medium", seed=3):
        plan = pl.plan(inst.order, inst.context)
        ref = reference.solve(inst.order, inst.context, 5.0, len(plan.packages), 1, plan)
        if not (ref.optimal and ref.exact_bins) or ref.cost is None:
            continue
        own = planner_group_bounds(inst)
        parts = reference.group_bounds(inst.order, inst.context, plan.total_cost, own, 5.0, 1, plan)
        assert sum(max(g.own, g.cpsat) for g in parts) <= ref.cost
        checked += 1
    assert checked >= 3
