"""The dispatcher loop: fan out new outbox events, then claim due deliveries, attempt them in
parallel, and record each outcome with its retry, give-up or endpoint disabling.

Guarantees (docs/notifications.md): at-least-once, since an event leaves the outbox only together
with its deliveries and a delivery is finished only after its attempt; never two attempts of one
message at the same time, since a claim's lease is renewed for as long as its attempt runs.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import TracebackType
from typing import Literal, Self

import httpx
from sqlalchemy import Connection

from splitship.adapters.db import outbox
from splitship.adapters.db.outbox import AttemptLog, Claim
from splitship.adapters.notify.webhooks import (
    GIVE_UP_AFTER,
    DeliveryAttempt,
    check_endpoint_url,
    next_retry_delay,
    should_disable,
)
from splitship.bootstrap import App
from splitship.entrypoints.worker.attempts import attempt_email, attempt_webhook, smtp_settings
from splitship.entrypoints.worker.fanout import fan_out

log = logging.getLogger("splitship.worker")


@dataclass(frozen=True)
class DispatchPolicy:
    batch_size: int = 100  # outbox events fanned out per transaction
    concurrency: int = 4  # attempts in flight at once
    timeout_s: float = 10  # per HTTP request or SMTP conversation
    # How long a claim outlives a dispatcher that died; a live one renews it every third of it.
    lease: timedelta = timedelta(seconds=60)
    backoff_base_s: float = 5
    backoff_cap_s: float = 3600
    max_rounds: int = 25  # claim rounds per run_once, so new events are not starved
    poll_interval_s: float = 1.0  # idle wait of run_forever
    # Dispatched events and finished deliveries (with their attempts) older than this are
    # deleted, at most ``prune_batch`` of each per round and a round at most every
    # ``prune_every``; None keeps everything.
    retention: timedelta | None = timedelta(days=30)
    prune_every: timedelta = timedelta(hours=1)
    prune_batch: int = 1000

    def __post_init__(self) -> None:
        if self.concurrency < 1 or self.batch_size < 1 or self.max_rounds < 1:
            raise ValueError("concurrency, batch_size and max_rounds must be at least 1")
        if self.lease <= timedelta(0):
            raise ValueError("the lease must be positive")
        if self.retention is not None and self.retention <= timedelta(0):
            raise ValueError("the retention must be positive (or None to keep everything)")
        if self.prune_batch < 1:
            raise ValueError("prune_batch must be at least 1")


@dataclass
class DispatchStats:
    events: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    endpoints_disabled: int = 0
    pruned_events: int = 0  # retention: not work done, so not part of ``idle``
    pruned_deliveries: int = 0

    @property
    def attempts(self) -> int:
        return self.delivered + self.retried + self.failed

    def add(self, other: DispatchStats) -> None:
        for name in (
            "events",
            "delivered",
            "retried",
            "failed",
            "endpoints_disabled",
            "pruned_events",
            "pruned_deliveries",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def idle(self) -> bool:
        return self.events == 0 and self.attempts == 0


class Dispatcher:
    """One dispatcher: an HTTP client and a thread pool, reused across ``run_once`` calls.

    ``rng`` (retry jitter), ``check_url`` (SSRF check at send time) and ``tls_context`` (for the
    SMTP relay) are there for tests; the defaults are what production uses.
    """

    def __init__(
        self,
        app: App,
        policy: DispatchPolicy | None = None,
        *,
        rng: random.Random | None = None,
        check_url: Callable[[str, bool], None] = check_endpoint_url,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.app = app
        self.policy = policy or DispatchPolicy()
        self.rng = rng or random.Random()
        self.check_url = check_url
        self.tls_context = tls_context
        # The lease owner: a dispatcher only finishes messages it still holds.
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.smtp = smtp_settings(app.settings, self.policy.timeout_s)
        # No proxy from the environment: it would reach hosts that the SSRF check never saw.
        self.client = httpx.Client(trust_env=False)
        self.pool = ThreadPoolExecutor(self.policy.concurrency, "splitship-dispatch")
        self._next_prune: datetime | None = None  # app clock; None: prune on the first round

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.client.close()

    def run_once(self) -> DispatchStats:
        with self.app.engine.begin() as conn:
            events = fan_out(
                conn, self.app.settings, self.app.clock(), self.app.ids, self.policy.batch_size
            )
        stats = DispatchStats(events=events)
        self._prune(stats)
        for _ in range(self.policy.max_rounds):
            with self.app.engine.begin() as conn:
                claims = outbox.claim_due(
                    conn, self.app.clock(), self.policy.concurrency, self.policy.lease, self.name
                )
            if not claims:
                break
            results = self._attempt_all(claims)
            # One transaction per round: if it fails, the leases run out and the round's messages
            # are sent again (at least once, never lost).
            with self.app.engine.begin() as conn:
                for claim, (attempt, entry) in zip(claims, results, strict=True):
                    self._finish(conn, claim, attempt, entry, stats)
        return stats

    def _prune(self, stats: DispatchStats) -> None:
        retention = self.policy.retention
        now = self.app.clock()
        if retention is None or (self._next_prune is not None and now < self._next_prune):
            return
        with self.app.engine.begin() as conn:
            pruned = outbox.prune(conn, now - retention, self.policy.prune_batch)
        stats.pruned_events, stats.pruned_deliveries = pruned.events, pruned.deliveries
        if pruned.events or pruned.deliveries:
            log.info(
                "retention: forgot %d dispatched event(s) and %d finished message(s) older than %s",
                pruned.events,
                pruned.deliveries,
                retention,
            )
        full = max(pruned.events, pruned.deliveries) >= self.policy.prune_batch
        # a full batch means more is waiting: go on next round instead of in an hour
        self._next_prune = now if full else now + self.policy.prune_every

    def _attempt_all(self, claims: list[Claim]) -> list[tuple[DeliveryAttempt, AttemptLog]]:
        """Attempt the claims in parallel, renewing their lease while any is still running: a
        slow endpoint must not let another dispatcher start the same message meanwhile."""
        futures = [self.pool.submit(self._attempt, claim) for claim in claims]
        renew_every = self.policy.lease.total_seconds() / 3
        while True:
            _, running = wait(futures, timeout=renew_every)
            if not running:
                return [f.result() for f in futures]
            held = [c.id for c, f in zip(claims, futures, strict=True) if f in running]
            with self.app.engine.begin() as conn:
                outbox.extend_lease(conn, held, self.name, self.app.clock() + self.policy.lease)

    def _attempt(self, claim: Claim) -> tuple[DeliveryAttempt, AttemptLog]:
        started_at = self.app.clock()
        began = time.monotonic()
        try:
            if claim.channel == "webhook":
                attempt = attempt_webhook(
                    self.client, claim, started_at, self.policy.timeout_s, self.check_url
                )
            else:
                attempt = attempt_email(self.smtp, claim, self.tls_context)
        except Exception as exc:  # a bug must not stop the loop; the message is retried
            log.exception("attempt of message %s failed unexpectedly", claim.id)
            error = f"internal error: {type(exc).__name__}"
            attempt = DeliveryAttempt("retry", None, error, None, "")
        entry = AttemptLog(
            started_at=started_at,
            duration_ms=round((time.monotonic() - began) * 1000),
            outcome=attempt.outcome,
            status_code=attempt.status_code,
            error=attempt.error,
            response_excerpt=attempt.response_excerpt,
        )
        return attempt, entry

    def _finish(
        self,
        conn: Connection,
        claim: Claim,
        attempt: DeliveryAttempt,
        entry: AttemptLog,
        stats: DispatchStats,
    ) -> None:
        now = self.app.clock()
        status, retry_at = self._decide(claim, attempt, now)
        if status == "failed" and attempt.outcome == "retry":
            entry = replace(entry, error=f"{entry.error}; gave up after a day of retries")
        outbox.record_attempt(conn, claim, entry, status, retry_at, now)
        if claim.endpoint_id is not None:
            stats.endpoints_disabled += self._endpoint_health(
                conn, claim.shop_id, claim.endpoint_id, attempt, entry.started_at, now
            )
        if status == "delivered":
            stats.delivered += 1
        elif status == "pending":
            stats.retried += 1
        else:
            stats.failed += 1
            log.warning("message %s (%s) failed: %s", claim.id, claim.event_name, entry.error)

    def _decide(
        self, claim: Claim, attempt: DeliveryAttempt, now: datetime
    ) -> tuple[Literal["pending", "delivered", "failed"], datetime | None]:
        if attempt.outcome == "delivered":
            return "delivered", None
        deadline = claim.created_at + GIVE_UP_AFTER
        if attempt.outcome != "retry" or now >= deadline:
            return "failed", None
        delay = next_retry_delay(
            claim.attempt,
            self.rng,
            attempt.retry_after_s,
            self.policy.backoff_base_s,
            self.policy.backoff_cap_s,
        )
        # A Retry-After beyond the deadline still gets one last attempt at the deadline.
        return "pending", min(now + timedelta(seconds=delay), deadline)

    def _endpoint_health(
        self,
        conn: Connection,
        shop_id: str,
        endpoint_id: str,
        attempt: DeliveryAttempt,
        started_at: datetime,
        now: datetime,
    ) -> int:
        """Track the endpoint's run of failures; returns 1 if this attempt disabled it."""
        if attempt.outcome == "delivered":
            outbox.endpoint_succeeded(conn, endpoint_id)
            return 0
        if attempt.outcome == "gone":
            reason = "the endpoint answered 410 Gone"
        else:
            since = outbox.endpoint_failed(conn, endpoint_id, started_at)
            if since is None or not should_disable(since, now):
                return 0
            reason = f"every attempt failed since {since:%Y-%m-%d %H:%M} UTC"
        if not outbox.disable_endpoint(conn, shop_id, endpoint_id, reason, now):
            return 0
        log.warning("webhook endpoint %s disabled: %s", endpoint_id, reason)
        return 1


def run_once(app: App, policy: DispatchPolicy | None = None) -> DispatchStats:
    """Fan out and attempt what is due now, once (``splitship worker --once``)."""
    with Dispatcher(app, policy) as dispatcher:
        return dispatcher.run_once()


def run_forever(
    app: App,
    stop: threading.Event,
    policy: DispatchPolicy | None = None,
    *,
    dispatcher: Dispatcher | None = None,
    on_round: Callable[[DispatchStats], None] | None = None,
) -> None:
    """Dispatch until ``stop`` is set. A failing round (database away) is logged and retried;
    ``on_round`` sees the figures of every round (progress output, tests)."""
    with dispatcher or Dispatcher(app, policy) as running:
        while not stop.is_set():
            try:
                stats = running.run_once()
            except Exception:
                log.exception("dispatch round failed; retrying")
                stop.wait(running.policy.poll_interval_s)
                continue
            if on_round is not None:
                on_round(stats)
            if stats.idle:
                stop.wait(running.policy.poll_interval_s)


@dataclass
class InProcessDispatcher:
    """A dispatcher thread inside the server process (embedded mode)."""

    thread: threading.Thread
    stop_event: threading.Event

    def stop(self, timeout_s: float = 30) -> None:
        self.stop_event.set()
        self.thread.join(timeout_s)


def start_in_process(app: App, policy: DispatchPolicy | None = None) -> InProcessDispatcher:
    stop = threading.Event()
    # A daemon thread: a server that exits mid-attempt loses nothing, the lease expires and the
    # next start sends the message again.
    thread = threading.Thread(
        target=run_forever, args=(app, stop, policy), name="splitship-dispatcher", daemon=True
    )
    thread.start()
    return InProcessDispatcher(thread, stop)
