"""One-dimensional bin packing: the special case where every parcel costs the same and only its
weight limits it (one channel, a flat price). Fewest bins wins.

1. Minimum bin slack with exact subset sums: each bin, in turn, holds the heaviest item left and
   the heaviest set of other items that fits with it (ties: heavier items first).
2. While above the lower bound (Martello–Toth L2), one bin fewer at a time: a consistent
   neighbourhood search (Buljubašić & Vasquez) keeps all bins but two feasible, pools the items
   of the lightest others (on failure: of the bins of the smallest items), and swaps up to two
   items of a bin for one or two pooled ones until the pool fits in two bins — within a budget
   of candidate moves.

Never more bins than best-fit decreasing: the search starts from the better of the two
constructions, and only a complete, feasible packing with fewer bins replaces it.
Integer arithmetic and fixed orders throughout: the result is deterministic.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

_MASKS: dict[int, int] = {}
_MASKS_MAX = 256


def low_bits(n: int) -> int:
    """``(1 << n) - 1``, remembered: the bit sets below mask with one per parcel capacity, and
    the same few capacities recur (making one costs two passes over as many bits)."""
    mask = _MASKS.get(n)
    if mask is None:
        if len(_MASKS) >= _MASKS_MAX:
            _MASKS.clear()
        mask = _MASKS[n] = (1 << n) - 1
    return mask


def l1(weights: Sequence[int], cap: int) -> int:
    return -(-sum(weights) // cap)


def l2(weights: Sequence[int], cap: int) -> int:
    """Martello–Toth L2 lower bound on the number of bins."""
    best = l1(weights, cap)
    ws = sorted(weights)
    half = cap // 2
    candidates = sorted({w for w in ws if w <= half} | {0})
    for k in candidates:
        n1 = sum(1 for w in ws if w > cap - k)
        j2 = [w for w in ws if cap - k >= w > half]
        s3 = sum(w for w in ws if half >= w >= k)
        free = len(j2) * cap - sum(j2)
        best = max(best, n1 + len(j2) + max(0, -(-(s3 - free) // cap)))
    return best


class SubsetSums:
    """Every total weight reachable by taking up to ``count`` of each item ``(key, weight,
    count)``, up to ``limit``: bounded counts by binary splitting (chunks of 1, 2, 4, ...),
    bit sets as Python ints. ``pick`` rebuilds a reachable total preferring the later items
    (heavier first when the items come heaviest first).

    ``until_full``: stop adding items once ``limit`` itself is reachable. Then ``reach`` holds
    only the totals of the items added so far, but the largest total (``limit``) and what
    ``pick`` returns for it are the same as with every item: ``pick`` never takes an item
    added after its target became reachable. (A parcel filled from a big order's blocks often
    reaches its level's weight within the first few dozen of hundreds of items.)"""

    def __init__(
        self, items: Iterable[tuple[int, int, int]], limit: int, until_full: bool = False
    ) -> None:
        top = limit + 1  # bits of the totals up to the limit
        mask = low_bits(top)
        chunks: list[tuple[int, int, int]] = []  # (key, weight, multiplicity)
        layers = [1]
        cur = 1
        for key, weight, count in items:
            m = 1
            while count > 0:
                part = m if m <= count else count
                chunks.append((key, weight, part))
                count -= part
                m <<= 1
                step = weight * part
                if step <= limit:  # a chunk heavier than the limit reaches nothing new
                    if cur.bit_length() + step <= top:
                        cur |= cur << step  # nothing passes the limit yet: no mask needed
                    else:
                        cur |= (cur << step) & mask
                layers.append(cur)
            if until_full and cur >> limit & 1:
                break
        self.chunks = chunks
        self.layers = layers

    @property
    def reach(self) -> int:
        """Bit ``t`` set: total ``t`` is reachable."""
        return self.layers[-1]

    def best(self, cap: int) -> int:
        """The largest reachable total <= ``cap`` (0 when only the empty set fits)."""
        return (self.layers[-1] & low_bits(cap + 1)).bit_length() - 1

    def pick(self, target: int) -> list[tuple[int, int]]:
        """(key, count) pairs whose weights add up to the reachable ``target``."""
        out: list[tuple[int, int]] = []
        layers = self.layers
        for j in range(len(self.chunks) - 1, -1, -1):
            key, weight, m = self.chunks[j]
            if not layers[j] >> target & 1:
                out.append((key, m))
                target -= weight * m
        return out


def _fill(first: int, pool: dict[int, list[int]], weights: Sequence[int], room: int) -> list[int]:
    """Items (indices) from ``pool`` (weight -> indices) of the largest total <= ``room``,
    heavier items preferred among equal totals; ``first`` is already taken."""
    if room <= 0:
        return [first]
    sums = SubsetSums(
        [(w, w, len(pool[w])) for w in sorted(pool, reverse=True) if w <= room], room, True
    )
    take: dict[int, int] = {}
    for w, m in sums.pick(sums.reach.bit_length() - 1):
        take[w] = take.get(w, 0) + m
    out = [first]
    for w, n in take.items():
        for _ in range(n):
            out.append(pool[w].pop())
        if not pool[w]:
            del pool[w]
    return out


def min_slack(weights: Sequence[int], cap: int) -> list[list[int]]:
    pool: dict[int, list[int]] = {}
    # indices by weight; pop() takes the highest index first (any fixed order will do)
    for i in sorted(range(len(weights)), key=lambda i: (weights[i], -i)):
        pool.setdefault(weights[i], []).append(i)
    bins: list[list[int]] = []
    while pool:
        w = max(pool)
        first = pool[w].pop()
        if not pool[w]:
            del pool[w]
        bins.append(_fill(first, pool, weights, cap - weights[first]))
    return bins


def best_fit(weights: Sequence[int], cap: int) -> list[list[int]]:
    loads: list[int] = []
    bins: list[list[int]] = []
    for i in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        w = weights[i]
        best = -1
        for b, load in enumerate(loads):
            if load + w <= cap and (best < 0 or load > loads[best]):
                best = b
        if best < 0:
            loads.append(w)
            bins.append([i])
        else:
            loads[best] += w
            bins[best].append(i)
    return bins


def _split(
    items: Sequence[int], weights: Sequence[int], cap: int, k: int
) -> list[list[int]] | None:
    """``items`` in ``k`` (1 or 2) bins, or None when they do not fit. Exact for two bins: if
    any split fits, the heaviest subset that fits in one bin leaves a remainder that fits too."""
    total = sum(weights[i] for i in items)
    if total <= cap:
        return [list(items)] + [[] for _ in range(k - 1)]
    if k < 2 or total > 2 * cap:
        return None
    mask = low_bits(cap + 1)
    layers = [1]
    for i in items:
        layers.append(layers[-1] | (layers[-1] << weights[i]) & mask)
    target = layers[-1].bit_length() - 1
    if total - target > cap:
        return None
    first: list[int] = []
    second: list[int] = []
    for j in range(len(items) - 1, -1, -1):
        if layers[j] >> target & 1:
            second.append(items[j])  # the sum is reachable without item j
        else:
            first.append(items[j])
            target -= weights[items[j]]
    return [first, second]


def _small_subsets(items: Sequence[int], w: Sequence[int]) -> list[tuple[int, tuple[int, ...]]]:
    """(weight, items) for the sets of one or two of ``items``, one per combination of weights:
    equal items are interchangeable, and many small equal items would otherwise make the
    neighbourhood quadratic in their number."""
    by_weight: dict[int, list[int]] = {}
    for i in items:
        by_weight.setdefault(w[i], []).append(i)
    out: list[tuple[int, tuple[int, ...]]] = [(x, (same[0],)) for x, same in by_weight.items()]
    kinds = list(by_weight.items())
    for a, (x, same) in enumerate(kinds):
        if len(same) > 1:
            out.append((2 * x, (same[0], same[1])))
        out += [(x + y, (same[0], other[0])) for y, other in kinds[a + 1 :]]
    return out


def _pool_search(
    weights: Sequence[int],
    cap: int,
    bins: list[list[int]],
    target: int,
    budget: int,
    small_first: bool = False,
) -> tuple[list[list[int]] | None, int]:
    """Try to pack into ``target`` bins, starting from a feasible packing with more.

    Consistent neighbourhood search in the style of Buljubašić & Vasquez: all bins but ``k``
    (two, fewer when the target is that small) stay feasible, the items of the others form a
    pool (the lightest bins, or with ``small_first`` those whose heaviest item is lightest),
    and the search ends when the pool fits in ``k`` bins. A move swaps up to two items of one
    bin for one or two pool items, keeping the bin within capacity; each step takes the move
    that makes the pool lightest (ties: more, hence smaller, items in the pool, which are
    easier to place), worsening ones included. A weight that left or entered a bin
    may not go back for a while, unless that makes the pool lighter than ever: tabu by weight,
    not by item, as equal items are interchangeable, and swaps of equal weights are no moves.
    Bins with less room than the best gain found so far cannot beat it and are skipped.

    ``budget`` counts the candidate moves looked at and the subsets built (bins of many small
    items make many). Returns the bins (None when the search gave up) and the work spent."""
    w = weights
    k = min(2, target)
    all_loads = [sum(w[i] for i in b) for b in bins]
    if small_first:
        # small items are easy to trade; a pool of big ones can get stuck where bins are full
        # (exact triplets) or hold two big items that nothing else joins
        order = sorted(
            range(len(bins)),
            key=lambda b: (max((w[i] for i in bins[b]), default=0), all_loads[b], b),
        )
    else:
        order = sorted(range(len(bins)), key=lambda b: (all_loads[b], b))
    loose = set(order[: len(bins) - target + k])
    kept = [b for b in range(len(bins)) if b not in loose]
    closed = [list(bins[b]) for b in kept]
    loads = [all_loads[b] for b in kept]
    pool = sorted((i for b in loose for i in bins[b]), key=lambda i: (-w[i], i))
    pool_w = sum(w[i] for i in pool)
    best_w = pool_w
    tabu: dict[tuple[int, int], int] = {}  # (weight, bin) -> first iteration it may move again
    bin_outs: list[list[tuple[int, tuple[int, ...]]] | None] = [None] * len(closed)
    evals = 0
    it = 0
    while evals < budget:
        if pool_w <= k * cap:
            split = _split(pool, w, cap, k)
            if split is not None:
                return closed + split, evals
        it += 1
        # pool subsets of one or two items by weight; at equal weight single items last, so a
        # downward scan meets them first
        subsets = [(wq, -len(q), q) for wq, q in _small_subsets(pool, w)]
        subsets.sort()
        sums = [q[0] for q in subsets]
        evals += len(subsets)  # building them counts too: bins of many small items are dear
        best: tuple[int, tuple[int, ...], tuple[int, ...]] | None = None
        best_key = (-cap - 1, 0)  # (weight leaving the pool, items the pool gains)
        for b, items in enumerate(closed):
            if evals >= budget:
                break  # a step over many bins of many items is bounded too
            room = cap - loads[b]
            if best is not None and room < best_key[0]:
                continue
            outs = bin_outs[b]
            if outs is None:  # only the bin a step changes needs them again
                outs = bin_outs[b] = [(0, ()), *_small_subsets(items, w)]
            evals += len(outs)
            for wp, p in outs:
                pos = bisect_right(sums, room + wp) - 1
                while pos >= 0:
                    wq, nq, q = subsets[pos]
                    evals += 1
                    key = (wq - wp, len(p) + nq)
                    if best is not None and key <= best_key:
                        break
                    if (
                        wq == wp
                        and len(p) == -nq
                        and sorted(w[i] for i in p) == sorted(w[i] for i in q)
                    ):
                        pos -= 1  # the same weights back: no move
                        continue
                    if pool_w - key[0] < best_w or not any(
                        tabu.get((w[i], b), 0) > it for i in p + q
                    ):
                        best, best_key = (b, p, q), key
                        break
                    pos -= 1
        if best is None:
            break
        b, p, q = best
        bin_outs[b] = None
        tenure = 7 + it % 10  # varied, so that the search does not fall into a fixed cycle
        for i in p:
            closed[b].remove(i)
            pool.append(i)
            tabu[(w[i], b)] = it + tenure
        for i in q:
            pool.remove(i)
            closed[b].append(i)
            tabu[(w[i], b)] = it + tenure
        loads[b] += best_key[0]
        pool_w -= best_key[0]
        best_w = min(best_w, pool_w)
    return None, evals


def improve(
    weights: Sequence[int], cap: int, bins: list[list[int]], target: int, budget: int
) -> list[list[int]]:
    """Fewer bins, down to ``target``, within ``budget`` units of work in all: one bin fewer
    at a time, while the pool search succeeds — pooling the lightest bins with half the budget
    left, then, if that fails, the bins of the smallest items with the rest. Only feasible
    packings replace ``bins``."""
    best = [list(b) for b in bins]
    spent = 0
    small_first = False
    while len(best) > target and spent < budget:
        share = budget - spent if small_first else (budget - spent) // 2
        found, used = _pool_search(weights, cap, best, len(best) - 1, share, small_first)
        spent += used + 1
        if found is None:
            if small_first:
                break
            small_first = True
            continue
        best = [b for b in found if b]
        small_first = False
    return best


# work units (candidate moves looked at, subsets built) the pool search may spend per packing,
# about 0.3 µs each: the worst case stays under about 1 s of CPU inside a request
WORK = 3_000_000


def pack(weights: Sequence[int], cap: int, budget: int = 0) -> tuple[list[list[int]], int]:
    """(bins as lists of item indices, lower bound). Every weight must be <= cap."""
    if not weights:
        return [], 0
    # work on the items heaviest first, so that the packing depends on the weights only, not on
    # the order the caller lists them in
    order = sorted(range(len(weights)), key=lambda i: (-weights[i], i))
    ws = [weights[i] for i in order]
    lower = l2(ws, cap)
    bins = min_slack(ws, cap)
    other = best_fit(ws, cap)
    if len(other) < len(bins):
        bins = other  # hence never more bins than best-fit decreasing
    if len(bins) > lower:
        bins = improve(ws, cap, bins, lower, budget or WORK)
    return [[order[i] for i in b] for b in bins], lower
