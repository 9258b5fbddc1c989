"""The packing search: put blocks of units into parcels at the least total cost.

One call solves one group of units that may share parcels (same address, warehouse and ship
date). A *kind* is a block of units that must stay together (one unit, a whole line, a kit),
repeated ``count`` times. A parcel's cost is its cheapest feasible channel × box price plus the
handling cost, so the objective is cost, not the number of parcels.

1. Best-fit decreasing by weight, placing each block where it adds the least cost.
2. A lower bound: item-count bound (L2 of Martello–Toth on weight) and a covering bound over the
   weight/price staircase of the rate cards. Equal to the upper bound: done, proven.
3. Small groups: exact branch and bound over parcels that contain the heaviest remaining block,
   skipping parcels that could take another block at no extra cost (they are dominated), with a
   transposition table over the remaining multiset.
4. Large groups: local search that tries to empty the lightest parcels by swapping their
   blocks into fuller parcels (Levine–Ducatelle style), then moves and swaps between parcel pairs
   that lower the cost; it stops at the lower bound.

Everything is integer arithmetic with fixed orders, so the result is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from splitship.planning.rates import INF, BinPricer


@dataclass(frozen=True, slots=True)
class Kind:
    key: tuple[tuple[str, int], ...]  # (line id, units) in one block
    count: int
    weight: int
    volume: int
    units: int
    value: int
    tags: int  # bit mask
    dims: tuple[int, int, int]  # sorted sides of the largest unit, (0, 0, 0) when unknown
    chmask: int  # channels allowed for this block
    caps: tuple[int, ...]  # contribution to each per-parcel cap


@dataclass
class Parcel:
    counts: list[int]
    weight: int
    volume: int
    units: int
    value: int
    tags: int
    d0: int
    d1: int
    d2: int
    chmask: int
    caps: list[int]
    cost: int
    option: int


def _copy(p: Parcel) -> Parcel:
    return Parcel(
        list(p.counts),
        p.weight,
        p.volume,
        p.units,
        p.value,
        p.tags,
        p.d0,
        p.d1,
        p.d2,
        p.chmask,
        list(p.caps),
        p.cost,
        p.option,
    )


@dataclass
class _Best:
    weight: int
    cost: int
    counts: list[int]
    work: int = 0


@dataclass(frozen=True)
class PackResult:
    parcels: list[Parcel]
    cost: int
    lower_bound: int
    proven: bool


class Packer:
    def __init__(
        self,
        kinds: Sequence[Kind],
        pricer: BinPricer,
        cap_limits: Sequence[int],
        segregation: Sequence[int],
        all_channels: int,
    ) -> None:
        # heaviest first; ties by key so that the order never depends on the input order
        self.kinds = sorted(kinds, key=lambda k: (-k.weight, -k.volume, k.key))
        self.pricer = pricer
        self.cap_limits = tuple(cap_limits)
        self.segregation = tuple(segregation)
        self.all_channels = all_channels
        self.n = len(self.kinds)
        self.total_weight = sum(k.weight * k.count for k in self.kinds)
        self.total_count = sum(k.count for k in self.kinds)
        self.max_content = max(
            (min(o.max_load, o.max_gross - o.tare) for o in pricer.options), default=0
        )
        self._lb_table: list[int] | None = None
        self._grid = 1
        self._cmin = INF
        self.nodes = 0
        self.work = 0

    # ---- parcel arithmetic ---------------------------------------------------------------

    def empty(self) -> Parcel:
        return Parcel(
            [0] * self.n,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            self.all_channels,
            [0] * len(self.cap_limits),
            0,
            -1,
        )

    def cost_with(self, p: Parcel, i: int, n: int = 1) -> tuple[int, int]:
        """Cost (and option) of ``p`` plus ``n`` blocks of kind ``i``; INF when infeasible."""
        k = self.kinds[i]
        w = p.weight + k.weight * n
        if w > self.max_content:
            return INF, -1
        chmask = p.chmask & k.chmask
        if not chmask:
            return INF, -1
        tags = p.tags | k.tags
        if tags != p.tags:
            for g in self.segregation:
                if (tags & g).bit_count() > 1:
                    return INF, -1
        if k.caps:
            for c, (have, add) in enumerate(zip(p.caps, k.caps, strict=True)):
                if have + add * n > self.cap_limits[c]:
                    return INF, -1
        d = k.dims
        return self.pricer.cost(
            w,
            p.volume + k.volume * n,
            p.units + k.units * n,
            p.value + k.value * n,
            tags,
            max(p.d0, d[0]),
            max(p.d1, d[1]),
            max(p.d2, d[2]),
            chmask,
        )

    def add(self, p: Parcel, i: int, n: int, cost: int, option: int) -> None:
        k = self.kinds[i]
        p.counts[i] += n
        p.weight += k.weight * n
        p.volume += k.volume * n
        p.units += k.units * n
        p.value += k.value * n
        p.tags |= k.tags
        p.d0, p.d1, p.d2 = max(p.d0, k.dims[0]), max(p.d1, k.dims[1]), max(p.d2, k.dims[2])
        p.chmask &= k.chmask
        for c, add in enumerate(k.caps):
            p.caps[c] += add * n
        p.cost, p.option = cost, option

    def rebuild(self, counts: Sequence[int]) -> Parcel:
        """A parcel holding ``counts``; its cost is INF when it breaks any limit."""
        p = self.empty()
        for i, n in enumerate(counts):
            if n:
                cost, opt = self.cost_with(p, i, n)
                self.add(p, i, n, cost, opt)
                if cost >= INF:
                    p.counts = list(counts)
                    return p
        return p

    def alone_cost(self, i: int) -> int:
        return self.cost_with(self.empty(), i)[0]

    # ---- lower bound -----------------------------------------------------------------------

    def _prepare_bound(self) -> None:
        steps = self.pricer.weight_cost_steps(self.all_channels, self.total_weight)
        self._cmin = min((c for _, c in steps), default=INF)
        total = self.total_weight
        self._grid = max(1, total // 64)
        g = self._grid
        x_max = total // g
        pieces = [(-(-w // g), c) for w, c in steps]
        table = [0] * (x_max + 1)
        for x in range(1, x_max + 1):
            best = INF
            for length, c in pieces:
                v = c + table[x - length if x > length else 0]
                if v < best:
                    best = v
            table[x] = best
        self._lb_table = table

    def lower_bound(self, counts: Sequence[int]) -> int:
        if self._lb_table is None:
            self._prepare_bound()
        assert self._lb_table is not None
        weight = 0
        big = 0
        half = self.max_content // 2
        for i, n in enumerate(counts):
            if n:
                w = self.kinds[i].weight
                weight += w * n
                if w > half:
                    big += n
        by_weight = self._lb_table[min(weight // self._grid, len(self._lb_table) - 1)]
        return max(by_weight, self._l2(counts) * self._cmin if big else 0)

    def _l2(self, counts: Sequence[int]) -> int:
        """Martello–Toth L2 on content weight against the largest capacity."""
        cap = self.max_content
        weights = [(self.kinds[i].weight, n) for i, n in enumerate(counts) if n]
        best = -(-sum(w * n for w, n in weights) // cap)
        candidates = sorted({w for w, _ in weights if w <= cap // 2})
        for kk in [0, *candidates]:
            n1 = sum(n for w, n in weights if w > cap - kk)
            j2 = [(w, n) for w, n in weights if cap - kk >= w > cap // 2]
            n2 = sum(n for _, n in j2)
            s2 = sum(w * n for w, n in j2)
            s3 = sum(w * n for w, n in weights if cap // 2 >= w >= kk)
            free = n2 * cap - s2
            bound = n1 + n2 + max(0, -(-(s3 - free) // cap))
            best = max(best, bound)
        return best

    # ---- heuristic -------------------------------------------------------------------------

    def best_fit(self, order: Sequence[int] | None = None) -> list[Parcel]:
        parcels: list[Parcel] = []
        for i in order if order is not None else range(self.n):
            for _ in range(self.kinds[i].count):
                self._place(parcels, i)
        return parcels

    def first_fit(self) -> list[Parcel]:
        """First-fit decreasing: fewest parcels first, cost second."""
        parcels: list[Parcel] = []
        for i in range(self.n):
            for _ in range(self.kinds[i].count):
                limit = self.max_content - self.kinds[i].weight
                for p in parcels:
                    if p.weight <= limit:
                        cost, opt = self.cost_with(p, i)
                        if cost < INF:
                            self.add(p, i, 1, cost, opt)
                            break
                else:
                    cost, opt = self.cost_with(self.empty(), i)
                    if cost >= INF:
                        return []
                    p = self.empty()
                    self.add(p, i, 1, cost, opt)
                    parcels.append(p)
        return parcels

    def min_slack(self, budget: int = 1500) -> list[Parcel]:
        """Minimum bin slack (Gupta–Ho MBS'): each parcel, in turn, is the fullest feasible one
        that holds the heaviest block left (cheapest among equally full)."""
        remaining = [k.count for k in self.kinds]
        parcels: list[Parcel] = []
        while True:
            first = next((i for i, c in enumerate(remaining) if c), -1)
            if first < 0:
                return parcels
            counts = self._fullest(first, remaining, budget)
            if counts is None:
                return []
            parcels.append(self.rebuild(counts))
            for t, c in enumerate(counts):
                remaining[t] -= c

    def _fullest(self, first: int, remaining: list[int], budget: int) -> list[int] | None:
        n, cap = self.n, self.max_content
        weights = [k.weight for k in self.kinds]
        suffix = [0] * (n + 1)
        for t in range(n - 1, -1, -1):
            suffix[t] = suffix[t + 1] + remaining[t] * weights[t]
        start = self.empty()
        cost, opt = self.cost_with(start, first)
        if cost >= INF:
            return None
        self.add(start, first, 1, cost, opt)
        best = _Best(start.weight, start.cost, list(start.counts))

        def rec(j: int, parcel: Parcel) -> None:
            for t in range(j, n):
                if best.work > budget or best.weight >= cap:
                    return
                if parcel.weight + suffix[t] - parcel.counts[t] * weights[t] <= best.weight:
                    return
                if remaining[t] <= parcel.counts[t] or parcel.weight + weights[t] > cap:
                    continue
                best.work += 1
                c, o = self.cost_with(parcel, t)
                if c >= INF:
                    continue
                child = _copy(parcel)
                self.add(child, t, 1, c, o)
                if child.weight > best.weight or (
                    child.weight == best.weight and child.cost < best.cost
                ):
                    best.weight, best.cost, best.counts = child.weight, child.cost, child.counts
                rec(t, child)

        rec(first, start)
        return list(best.counts)

    def worst_fit(self) -> list[Parcel]:
        """The reference baseline: worst-fit decreasing by weight alone up to the largest
        channel weight limit (what the ``binpacking`` package does), each parcel priced at its
        cheapest option. Kept as a candidate so that the plan never costs more than it."""
        v_max = max((o.max_gross for o in self.pricer.options), default=0)
        loads: list[int] = []
        contents: list[list[int]] = []
        for i in range(self.n):
            w = self.kinds[i].weight
            for _ in range(self.kinds[i].count):
                best = -1
                for b, load in enumerate(loads):
                    if load + w <= v_max and (best < 0 or load < loads[best]):
                        best = b
                if best < 0:
                    loads.append(0)
                    contents.append([0] * self.n)
                    best = len(loads) - 1
                loads[best] += w
                contents[best][i] += 1
        parcels = [self.rebuild(c) for c in contents]
        return [] if any(p.cost >= INF for p in parcels) else parcels

    def _place(self, parcels: list[Parcel], i: int) -> bool:
        """Put one block of kind ``i`` where it adds least cost (fullest parcel on ties)."""
        kw = self.kinds[i].weight
        limit = self.max_content - kw
        best: tuple[int, int] | None = None
        best_p: Parcel | None = None
        best_opt = -1
        for p in parcels:
            if p.weight > limit:
                continue
            cost, opt = self.cost_with(p, i)
            if cost >= INF:
                continue
            key = (cost - p.cost, -p.weight)
            if best is None or key < best:
                best, best_p, best_opt = key, p, opt
        new_cost, new_opt = self.cost_with(self.empty(), i)
        if best_p is not None and best is not None and best[0] <= new_cost:
            self.add(best_p, i, 1, best[0] + best_p.cost, best_opt)
            return True
        if new_cost >= INF:
            return False
        p = self.empty()
        self.add(p, i, 1, new_cost, new_opt)
        parcels.append(p)
        return True

    # ---- exact search ----------------------------------------------------------------------

    def exact(self, upper: list[Parcel], work_limit: int) -> tuple[list[Parcel], bool]:
        """Branch and bound from the incumbent ``upper``; (best parcels, proven optimal).

        ``work_limit`` caps the parcel evaluations; past it the incumbent is returned unproven.
        """
        best_cost = sum(p.cost for p in upper)
        best: list[list[int]] = [list(p.counts) for p in upper]
        table: dict[tuple[int, ...], int] = {}
        stack: list[list[int]] = []
        self.nodes = 0
        self.work = 0
        complete = True

        def search(remaining: list[int], partial: int) -> None:
            nonlocal best_cost, best, complete
            first = next((i for i, n in enumerate(remaining) if n), -1)
            if first < 0:
                if partial < best_cost:
                    best_cost, best = partial, [list(c) for c in stack]
                return
            key = tuple(remaining)
            bound = max(self.lower_bound(remaining), table.get(key, 0))
            if partial + bound >= best_cost:
                return
            self.nodes += 1
            if self.work > work_limit:
                complete = False
                return
            for cost, counts in self._parcels_with(first, remaining, work_limit):
                if partial + cost >= best_cost:
                    continue
                for j, n in enumerate(counts):
                    remaining[j] -= n
                stack.append(counts)
                search(remaining, partial + cost)
                stack.pop()
                for j, n in enumerate(counts):
                    remaining[j] += n
                if not complete:
                    return
            table[key] = max(table.get(key, 0), best_cost - partial)

        search([k.count for k in self.kinds], 0)
        return [self.rebuild(c) for c in best], complete

    def _parcels_with(
        self, first: int, remaining: list[int], work_limit: int
    ) -> list[tuple[int, list[int]]]:
        """Undominated feasible parcels holding at least one block of kind ``first``,
        cheapest per gram first, then heaviest."""
        found: list[tuple[int, int, list[int], int]] = []
        n = self.n

        def rec(j: int, parcel: Parcel) -> None:
            if self.work > work_limit:
                return
            if j == n:
                if parcel.units == 0:
                    return
                # dominated: another remaining block fits at no extra cost
                for t in range(first, n):
                    if remaining[t] > parcel.counts[t]:
                        self.work += 1
                        c, _ = self.cost_with(parcel, t)
                        if c <= parcel.cost:
                            return
                w = parcel.weight
                found.append((parcel.cost * 1_000_000 // max(w, 1), -w, parcel.counts, parcel.cost))
                return
            low = 1 if j == first else 0
            for m in range(remaining[j], low - 1, -1):
                if m == 0:
                    rec(j + 1, parcel)
                    continue
                self.work += 1
                c, opt = self.cost_with(parcel, j, m)
                if c >= INF:
                    continue
                child = Parcel(
                    list(parcel.counts),
                    parcel.weight,
                    parcel.volume,
                    parcel.units,
                    parcel.value,
                    parcel.tags,
                    parcel.d0,
                    parcel.d1,
                    parcel.d2,
                    parcel.chmask,
                    list(parcel.caps),
                    parcel.cost,
                    parcel.option,
                )
                self.add(child, j, m, c, opt)
                rec(j + 1, child)

        rec(first, self.empty())
        found.sort(key=lambda t: (t[0], t[1], t[2]))
        return [(cost, counts) for _, _, counts, cost in found]

    # ---- local search ----------------------------------------------------------------------

    def improve(self, parcels: list[Parcel], lower: int, rounds: int) -> list[Parcel]:
        """Lower the cost by emptying parcels and by moves/swaps between parcel pairs."""
        total = sum(p.cost for p in parcels)
        for _ in range(rounds):
            if total <= lower:
                break
            before = total
            parcels = self._empty_parcels(parcels, lower)
            total = sum(p.cost for p in parcels)
            if total > lower and len(parcels) <= 12 and self.total_count <= 120:
                parcels = self._pair_moves(parcels)
                total = sum(p.cost for p in parcels)
            if total >= before:
                break
        return parcels

    def _empty_parcels(self, parcels: list[Parcel], lower: int) -> list[Parcel]:
        """Try to dissolve each parcel, lightest first, into the others."""
        current = parcels
        total = sum(p.cost for p in current)
        tried = 0
        while tried < min(len(current), 6) and total > lower:
            order = sorted(range(len(current)), key=lambda t: (current[t].weight, t))
            target = order[tried]
            trial = self._dissolve(current, target)
            if trial is not None:
                new_total = sum(p.cost for p in trial)
                if new_total < total:
                    current, total, tried = trial, new_total, 0
                    continue
            tried += 1
        return current

    def _dissolve(self, parcels: list[Parcel], target: int) -> list[Parcel] | None:
        rest = [self.rebuild(p.counts) for t, p in enumerate(parcels) if t != target]
        free: list[int] = []
        for i, n in enumerate(parcels[target].counts):
            free.extend([i] * n)
        # Swap free blocks into parcels for lighter ones, never raising a parcel's cost.
        for _ in range(3):
            changed = False
            for p in rest:
                if not free:
                    break
                if self._swap_into(p, free):
                    changed = True
            free.sort(key=lambda i: (-self.kinds[i].weight, i))
            still: list[int] = []
            for i in free:
                if not self._insert_free(rest, i):
                    still.append(i)
            free = still
            if not free or not changed:
                break
        for i in free:
            if not self._place(rest, i):
                return None
        return rest

    def _insert_free(self, parcels: list[Parcel], i: int) -> bool:
        """Insert a block where it costs nothing extra (fullest parcel first)."""
        best_p: Parcel | None = None
        best_opt = -1
        limit = self.max_content - self.kinds[i].weight
        for p in parcels:
            if p.weight > limit:
                continue
            cost, opt = self.cost_with(p, i)
            if cost <= p.cost and (best_p is None or p.weight > best_p.weight):
                best_p, best_opt = p, opt
        if best_p is None:
            return False
        self.add(best_p, i, 1, best_p.cost, best_opt)
        return True

    def _swap_into(self, p: Parcel, free: list[int]) -> bool:
        """Replace one or two blocks of ``p`` by one or two free blocks that weigh more, taking
        the largest gain that keeps the parcel feasible at no extra cost."""
        kinds = self.kinds
        # a few distinct blocks each side keep this linear in the parcel count
        inside = [i for i, n in enumerate(p.counts) for _ in range(min(n, 2))][:12]
        outs: list[tuple[int, ...]] = [(a,) for a in sorted(set(inside))]
        outs += sorted({(a, b) for x, a in enumerate(inside) for b in inside[x + 1 :] if a <= b})
        fr = sorted(set(free))[:8]
        ins: list[tuple[int, ...]] = [(a,) for a in fr]
        ins += [(a, b) for x, a in enumerate(fr) for b in fr[x:] if a != b or free.count(a) >= 2]
        slack = self.max_content - p.weight
        w_in = [sum(kinds[i].weight for i in inn) for inn in ins]
        moves: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = []
        for out in outs:
            w_out = sum(kinds[i].weight for i in out)
            for inn, w in zip(ins, w_in, strict=True):
                gain = w - w_out
                if 0 < gain <= slack:
                    moves.append((gain, out, inn))
        if not moves:
            return False
        moves.sort(key=lambda m: (-m[0], m[1], m[2]))
        for _, out, inn in moves[:8]:
            counts = list(p.counts)
            for i in out:
                counts[i] -= 1
            for i in inn:
                counts[i] += 1
            q = self.rebuild(counts)
            if q.cost <= p.cost:
                for i in out:
                    free.append(i)
                for i in inn:
                    free.remove(i)
                p.__dict__.update(q.__dict__)
                return True
        return False

    def _pair_moves(self, parcels: list[Parcel]) -> list[Parcel]:
        """Move one block, or swap two, between two parcels when that lowers their cost."""
        improved = True
        passes = 0
        while improved and passes < 4:
            improved = False
            passes += 1
            for a in range(len(parcels)):
                for b in range(len(parcels)):
                    if a == b:
                        continue
                    pa, pb = parcels[a], parcels[b]
                    if self._try_pair(pa, pb):
                        improved = True
            parcels = [p for p in parcels if p.units]
        return parcels

    def _try_pair(self, pa: Parcel, pb: Parcel) -> bool:
        base = pa.cost + pb.cost
        if pa.weight + pb.weight <= self.max_content:
            merged = self.rebuild([a + b for a, b in zip(pa.counts, pb.counts, strict=True)])
            if merged.cost < base:
                pb.__dict__.update(merged.__dict__)
                pa.__dict__.update(self.empty().__dict__)
                return True
        for i, n in enumerate(pa.counts):
            if not n:
                continue
            cb, _ = self.cost_with(pb, i)
            if cb >= INF:
                continue
            ca_counts = list(pa.counts)
            ca_counts[i] -= 1
            qa = self.rebuild(ca_counts) if any(ca_counts) else None
            ca = qa.cost if qa is not None else 0
            if ca + cb < base:
                qb_counts = list(pb.counts)
                qb_counts[i] += 1
                pb.__dict__.update(self.rebuild(qb_counts).__dict__)
                if qa is None:
                    pa.__dict__.update(self.empty().__dict__)
                else:
                    pa.__dict__.update(qa.__dict__)
                return True
            for j, m in enumerate(pb.counts):
                if not m or j == i:
                    continue
                ta = list(ca_counts)
                ta[j] += 1
                tb = list(pb.counts)
                tb[j] -= 1
                tb[i] += 1
                qa2, qb2 = self.rebuild(ta), self.rebuild(tb)
                if qa2.cost + qb2.cost < base:
                    pa.__dict__.update(qa2.__dict__)
                    pb.__dict__.update(qb2.__dict__)
                    return True
        return False

    # ---- driver ----------------------------------------------------------------------------

    def solve(self, exact_units: int = 30, work_limit: int = 4000, rounds: int = 6) -> PackResult:
        if self.n == 0:
            return PackResult([], 0, 0, True)
        one = self.rebuild([k.count for k in self.kinds])
        if one.cost < INF and one.cost <= 2 * min(self.alone_cost(i) for i in range(self.n)):
            return PackResult([one], one.cost, one.cost, True)
        parcels = self.best_fit()
        candidates = [self.first_fit(), self.worst_fit(), self.min_slack()]
        if one.cost < INF:
            candidates.append([one])
        for other in candidates:
            if other and sum(p.cost for p in other) < sum(p.cost for p in parcels):
                parcels = other
        total = sum(p.cost for p in parcels)
        lower = self.lower_bound([k.count for k in self.kinds])
        if total > lower:
            big = self.total_count > 200
            parcels = self.improve(parcels, lower, 2 if big else rounds)
            total = sum(p.cost for p in parcels)
        if total > lower and self.total_count <= exact_units:
            parcels, proven = self.exact(parcels, work_limit)
            total = sum(p.cost for p in parcels)
            if proven:
                lower = total
        parcels.sort(key=lambda p: (-p.weight, p.counts))
        return PackResult(parcels, total, min(lower, total), total <= lower)
