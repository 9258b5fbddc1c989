"""Plain bin packing (one channel, flat price): valid bins, never more than best-fit decreasing,
the L2 bound where it is easy, and the planner takes this path for such orders."""

from _planning_fixtures import channel, context, order
from hypothesis import given, settings
from hypothesis import strategies as st

from splitship.domain.catalog import SkuAttributes, ZoneRate
from splitship.planning import binpack
from splitship.planning.planner import plan


def _check(weights: list[int], cap: int, bins: list[list[int]]) -> None:
    assert sorted(i for b in bins for i in b) == list(range(len(weights)))
    assert all(sum(weights[i] for i in b) <= cap for b in bins)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(1, 100), min_size=1, max_size=60), st.integers(100, 160))
def test_bins_are_valid_never_more_than_best_fit_and_not_below_l2(
    weights: list[int], cap: int
) -> None:
    bins, lower = binpack.pack(weights, cap, budget=20_000)
    _check(weights, cap, bins)
    assert lower == binpack.l2(weights, cap) <= len(bins) <= len(binpack.best_fit(weights, cap))
    assert binpack.l1(weights, cap) <= lower


def test_tight_instance_reaches_the_bound_and_is_deterministic() -> None:
    # 30 bins filled exactly: (70, 50, 30) triples
    weights = [70, 50, 30] * 30
    bins, lower = binpack.pack(weights, 150)
    _check(weights, 150, bins)
    assert len(bins) == lower == 30
    assert binpack.pack(weights, 150) == (bins, lower)


def test_repair_empties_a_bin_best_fit_cannot() -> None:
    weights = [60, 60, 50, 50, 40, 40, 30, 30, 20, 20]  # 400 in 4 bins of 100: two ways
    bins, lower = binpack.pack(weights, 100)
    _check(weights, 100, bins)
    assert len(bins) == lower == 4


def test_planner_packs_a_flat_rate_order_into_the_fewest_parcels() -> None:
    flat = channel("flat", max_weight_g=150, rate=ZoneRate(150, 100, 1, 0), cutoff=None)
    weights = [70, 50, 30] * 8
    lines = [(f"w{i}", 1, SkuAttributes(weight_g=w)) for i, w in enumerate(weights)]
    p = plan(order(lines), context(channels=[flat], boxes=[], stock_check=False))
    assert len(p.packages) == 8 and p.total_cost == 800 and p.proven_optimal
