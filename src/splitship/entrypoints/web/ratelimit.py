"""An in-memory token bucket per client, for the public pages (the buyer tracking page).

Each client may burst up to ``per_minute`` requests and then gets ``per_minute`` a minute. It is
per process: with N API processes a client gets at most N times the rate, which still stops
token guessing and floods; a shared limiter (in the database or a proxy) can replace it later.
Memory is bounded: past ``max_clients`` the least recently seen clients are forgotten.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 50_000,
    ) -> None:
        if per_minute < 1:
            raise ValueError(
                f"a rate limit must allow at least 1 request a minute, not {per_minute}"
            )
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, at
        self._lock = threading.Lock()

    def hit(self, client: str) -> int | None:
        """Take one token; None when allowed, else the whole seconds to wait (for Retry-After)."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - at) * self.refill_per_second)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        if allowed:
            return None
        return max(1, math.ceil((1.0 - tokens) / self.refill_per_second))
