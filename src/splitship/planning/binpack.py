"""One-dimensional bin packing: the special case where every parcel costs the same and only its
weight limits it (one channel, a flat price). Fewest bins wins.

1. Minimum bin slack with exact subset sums: each bin, in turn, holds the heaviest item left and
   the heaviest set of other items that fits with it (ties: heavier items first).
2. While above the lower bound (Martello–Toth L2): empty the lightest bin into a pool of loose
   items and repair with swaps between bins and the pool — one or two items of a bin for one or
   two loose ones, filling the bin more, or as full and leaving smaller loose items (which are
   easier to place) — inserting loose items where they fit. When stuck, a deterministic kick
   (the emptiest bin's smallest item joins the pool) and more descent, within a move budget.

Integer arithmetic and fixed orders throughout: the result is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence


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


def _fill(first: int, pool: dict[int, list[int]], weights: Sequence[int], room: int) -> list[int]:
    """Items (indices) from ``pool`` (weight -> indices) of the largest total <= ``room``,
    heavier items preferred among equal totals; ``first`` is already taken."""
    if room <= 0:
        return [first]
    mask = (1 << (room + 1)) - 1
    chunks: list[tuple[int, int]] = []  # (weight, multiplicity), heaviest first
    for w in sorted(pool, reverse=True):
        if w > room:
            continue
        c, m = len(pool[w]), 1
        while c > 0:
            part = m if m <= c else c
            chunks.append((w, part))
            c -= part
            m <<= 1
    layers = [1]
    cur = 1
    for w, m in chunks:
        cur |= (cur << (w * m)) & mask
        layers.append(cur)
    target = cur.bit_length() - 1
    take: dict[int, int] = {}
    for j in range(len(chunks) - 1, -1, -1):
        w, m = chunks[j]
        if not layers[j] >> target & 1:
            take[w] = take.get(w, 0) + m
            target -= w * m
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


def _overflow_search(
    weights: Sequence[int], cap: int, bins: list[list[int]], budget: int
) -> tuple[list[list[int]], int]:
    """Tabu search over complete assignments to a fixed number of bins, minimising the total
    overflow: moves of one item, and swaps of one or two items for one or two, between an
    overloaded bin and any other. The best move is taken even if it makes things worse, but a
    moved item may not move again for a while unless that reaches a new best. ``budget`` counts
    the candidate moves looked at. Returns the bins (feasible when the overflow reached 0) and
    the candidate moves looked at."""
    w = weights
    bins = [list(b) for b in bins]
    loads = [sum(w[i] for i in b) for b in bins]

    def over(load: int) -> int:
        return load - cap if load > cap else 0

    total = sum(over(x) for x in loads)
    best_total = total
    m = len(bins)
    evals = 0

    def partners(a: int) -> list[int]:
        """The bins an overloaded bin trades with: all of them when few, else the roomiest
        PARTNERS // 2 and a window that moves with the iteration."""
        if m <= PARTNERS + 1:
            return [b for b in range(m) if b != a]
        roomy = sorted(range(m), key=lambda b: (loads[b], b))[: PARTNERS // 2]
        start = (it * 7) % m
        window = [(start + k) % m for k in range(PARTNERS // 2)]
        return sorted({b for b in roomy + window if b != a})

    tabu: dict[int, int] = {}  # item -> first iteration it may move again
    it = 0
    while total > 0 and evals < budget:
        it += 1
        best: tuple[int, int, int, tuple[int, ...], tuple[int, ...]] | None = None
        for a in range(len(bins)):
            la = loads[a]
            if la <= cap:
                continue
            items_a = bins[a]
            outs_a: list[tuple[int, tuple[int, ...]]] = [(w[i], (i,)) for i in items_a]
            outs_a += [
                (w[i] + w[j], (i, j)) for x, i in enumerate(items_a) for j in items_a[x + 1 :]
            ]
            for b in partners(a):
                lb_ = loads[b]
                items_b = bins[b]
                ins_b: list[tuple[int, tuple[int, ...]]] = [(0, ())]
                ins_b += [(w[j], (j,)) for j in items_b]
                ins_b += [
                    (w[i] + w[j], (i, j)) for x, i in enumerate(items_b) for j in items_b[x + 1 :]
                ]
                base = over(la) + over(lb_)
                evals += len(outs_a) * len(ins_b)
                for wo, out in outs_a:
                    for wi, inn in ins_b:
                        if wi >= wo:
                            continue  # a must get lighter
                        na, nb = la - wo + wi, lb_ + wo - wi
                        delta = over(na) + over(nb) - base
                        # ties: the fuller bin fuller (concentrates free space)
                        key = (delta, -(max(na, nb) ** 2 + min(na, nb) ** 2))
                        if best is not None and key >= (best[0], best[1]):
                            continue
                        if total + delta >= best_total and any(
                            tabu.get(i, 0) > it for i in out + inn
                        ):
                            continue
                        best = (key[0], key[1], a * len(bins) + b, out, inn)
        if best is None:
            if not tabu:
                break
            tabu.clear()  # every move was tabu: forget them
            continue
        delta, _, ab, out, inn = best
        a, b = divmod(ab, len(bins))
        for i in out:
            bins[a].remove(i)
            bins[b].append(i)
            tabu[i] = it + 5 + (it % 7)
        for i in inn:
            bins[b].remove(i)
            bins[a].append(i)
            tabu[i] = it + 5 + (it % 7)
        moved = sum(w[i] for i in out) - sum(w[i] for i in inn)
        loads[a] -= moved
        loads[b] += moved
        total += delta
        if total < best_total:
            best_total = total
    return bins, evals


def improve(
    weights: Sequence[int], cap: int, bins: list[list[int]], target: int, budget: int
) -> list[list[int]]:
    """Fewer bins, down to ``target``, within ``budget`` candidate moves in all: a light
    bin's items go where they overflow least, then the overflow search repairs (another light
    bin is tried when that fails)."""
    best = [list(b) for b in bins]
    spent = 0
    w = weights
    attempt = 0
    while len(best) > target and spent < budget and attempt < 3:
        loads = [sum(w[i] for i in b) for b in best]
        order = sorted(range(len(best)), key=lambda b: (loads[b], len(best[b]), b))
        drop = order[attempt % len(order)]
        rest = [list(b) for k, b in enumerate(best) if k != drop]
        rest_loads = [x for k, x in enumerate(loads) if k != drop]
        for i in sorted(best[drop], key=lambda i: (-w[i], i)):
            b = min(range(len(rest)), key=lambda b: (max(0, rest_loads[b] + w[i] - cap), b))
            rest[b].append(i)
            rest_loads[b] += w[i]
        share = (budget - spent) if attempt == 2 else (budget - spent) // 2
        repaired, used = _overflow_search(w, cap, rest, share)
        spent += used + 1
        if any(sum(w[i] for i in b) > cap for b in repaired):
            attempt += 1
            continue
        best = [b for b in repaired if b]
        attempt = 0
    return best


# bins an overloaded bin trades with per iteration (all of them below this)
PARTNERS = 48
# candidate moves the overflow search may look at per packing (about 1 µs each)
WORK = 3_000_000


def pack(weights: Sequence[int], cap: int, budget: int = 0) -> tuple[list[list[int]], int]:
    """(bins as lists of item indices, lower bound). Every weight must be <= cap."""
    if not weights:
        return [], 0
    lower = l2(weights, cap)
    bins = min_slack(weights, cap)
    other = best_fit(weights, cap)
    if len(other) < len(bins):
        bins = other
    if len(bins) > lower:
        bins = improve(weights, cap, bins, lower, budget or WORK)
    return bins, lower
