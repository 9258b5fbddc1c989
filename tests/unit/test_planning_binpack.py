"""Plain bin packing (one channel, flat price): valid bins, never more than best-fit decreasing,
the L2 bound where it is easy, and the planner takes this path for such orders."""

import pytest
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


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 60), min_size=1, max_size=9), st.integers(60, 100))
def test_two_bin_split_is_exact(weights: list[int], cap: int) -> None:
    items = list(range(len(weights)))
    fits = any(
        sum(weights[i] for i in items if m >> i & 1) <= cap
        and sum(weights[i] for i in items if not m >> i & 1) <= cap
        for m in range(1 << len(items))
    )
    split = binpack._split(items, weights, cap, 2)
    assert (split is not None) == fits
    if split is not None:
        assert len(split) == 2
        _check(weights, cap, split)


def test_pool_search_gives_up_within_its_budget() -> None:
    weights = [60] * 10  # two per bin of 150: five bins at least
    start = [[i] for i in range(10)]
    found, used = binpack._pool_search(weights, 150, start, 4, 5_000)
    assert found is None and used <= 5_000 + 100


@pytest.mark.parametrize("small_first", [False, True])
def test_pool_search_takes_one_bin_off(small_first: bool) -> None:
    weights = [70, 50, 30] * 6
    start = binpack.best_fit(weights, 150)
    found, _ = binpack._pool_search(weights, 150, start, len(start) - 1, 100_000, small_first)
    assert found is not None and len([b for b in found if b]) <= len(start) - 1
    _check(weights, 150, found)


def test_result_does_not_depend_on_the_order_of_the_items() -> None:
    weights = [70, 50, 30, 60, 60, 45, 45, 20, 95, 55] * 4
    bins, lower = binpack.pack(weights, 150)
    perm = list(range(len(weights)))[::-1]
    other, lower2 = binpack.pack([weights[i] for i in perm], 150)
    assert lower == lower2
    assert sorted(sorted(weights[i] for i in b) for b in bins) == sorted(
        sorted(weights[perm[i]] for i in b) for b in other
    )


@pytest.mark.parametrize(
    ("count", "size", "name", "bins_needed"),
    [
        # 30,297 g in 202 bins of 150 g leaves 3 g of slack; best-fit needs 206
        (3, 500, "u500_02", 202),
        # every bin exactly full: the pool search has to trade items between bins at equal loads
        (1, 120, "t120_00", 40),
    ],
    ids=["tight uniform instance", "triplets"],
)
def test_hard_family_a_instances_reach_the_bound(
    count: int, size: int, name: str, bins_needed: int
) -> None:
    from benchmarks.instances import family_a

    inst = next(i for i in family_a(count, (size,)) if i.name == name)
    weights, cap = inst.meta["weights"], inst.meta["capacity"]
    bins, lower = binpack.pack(weights, cap)
    _check(weights, cap, bins)
    assert len(bins) == lower == bins_needed


def test_pool_search_keeps_the_neighbourhood_of_equal_items_small() -> None:
    # five full bins of 150 one-gram items cannot become four; equal items are interchangeable,
    # so the pool of 450 yields two subsets (1 and 2 g), not ~100,000 pairs
    weights = [1] * 750
    start = [list(range(b * 150, (b + 1) * 150)) for b in range(5)]
    assert len(binpack._small_subsets(start[0], weights)) == 2
    found, used = binpack._pool_search(weights, 150, start, 4, 1_000)
    assert found is None and used < 1_100


def test_small_subsets_one_per_weight_combination() -> None:
    weights = [5, 5, 7, 9]
    got = sorted(
        sorted(weights[i] for i in q) for _, q in binpack._small_subsets([0, 1, 2, 3], weights)
    )
    assert got == [[5], [5, 5], [5, 7], [5, 9], [7], [7, 9], [9]]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 60), st.integers(0, 9)), min_size=1, max_size=12),
    st.integers(1, 200),
)
def test_subset_sums_that_stop_once_full_pick_what_the_whole_table_picks(
    items: list[tuple[int, int]], limit: int
) -> None:
    keyed = [(k, w, n) for k, (w, n) in enumerate(items)]
    whole = binpack.SubsetSums(keyed, limit)
    early = binpack.SubsetSums(keyed, limit, until_full=True)
    best = whole.best(limit)
    assert early.best(limit) == best
    assert early.pick(best) == whole.pick(best)
    # a real selection of the items that adds up to the total
    taken: dict[int, int] = {}
    for k, m in early.pick(best):
        taken[k] = taken.get(k, 0) + m
    assert all(taken[k] <= items[k][1] for k in taken)
    assert sum(items[k][0] * m for k, m in taken.items()) == best


def test_subset_sums_stop_adding_items_once_the_limit_is_reached():
    keyed = [(k, 10, 3) for k in range(20)]  # the limit of 50 is full after two items
    early = binpack.SubsetSums(keyed, 50, until_full=True)
    whole = binpack.SubsetSums(keyed, 50)
    assert len(early.chunks) < len(whole.chunks)
    assert early.pick(50) == whole.pick(50)
