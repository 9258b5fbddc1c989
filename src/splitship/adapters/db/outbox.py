"""The dispatcher's queries: take outbox events for fan-out, claim due deliveries, record attempts.

Several dispatchers may run against one database. On PostgreSQL, ``FOR UPDATE SKIP LOCKED`` lets
each take rows the others are not holding; on SQLite every transaction starts with
``BEGIN IMMEDIATE`` (see engine.py), which serialises them. A claimed delivery carries a lease
(``locked_until``): while it runs, nobody else attempts the message; when its dispatcher dies, the
lease runs out and another takes the message over. No network I/O happens inside these
transactions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, delete, func, insert, literal, or_, select, update

from splitship.adapters.db import tables as t
from splitship.adapters.db import tables_notify as tn
from splitship.adapters.db.notify_repository import endpoint_from, fail_pending
from splitship.adapters.db.types import UtcDateTime
from splitship.services.notification_repository import DeliveryChannel, WebhookEndpoint

_D = tn.deliveries
_E = tn.webhook_endpoints


@dataclass(frozen=True)
class OutboxEvent:
    seq: int
    event_id: str
    shop_id: str
    order_id: str | None
    package_id: str | None
    name: str
    payload: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class NewDelivery:
    id: str
    channel: DeliveryChannel
    target: str  # endpoint id, or "buyer"
    recipient: str
    message: dict[str, Any]
    endpoint_id: str | None = None
    # A delivery that cannot be attempted at all (an e-mail that did not render) is written as
    # failed at once, so the seller sees it instead of it vanishing.
    error: str | None = None


@dataclass(frozen=True)
class Claim:
    """A delivery leased to one dispatcher for one attempt."""

    id: str
    shop_id: str
    event_id: str
    event_name: str
    channel: DeliveryChannel
    message: dict[str, Any]
    attempt: int  # the number of this attempt, from 1
    created_at: datetime
    lock: str
    endpoint_id: str | None
    url: str | None
    secrets: tuple[str, ...]  # current first; the previous one while a rotation overlaps
    allow_private: bool


@dataclass(frozen=True)
class AttemptLog:
    started_at: datetime
    duration_ms: int
    outcome: Literal["delivered", "retry", "gone", "failed"]
    status_code: int | None
    error: str | None
    response_excerpt: str


# --- fan-out --------------------------------------------------------------------------------


def take_events(conn: Connection, limit: int) -> list[OutboxEvent]:
    """Undispatched events, oldest first, locked against other dispatchers until commit."""
    o = t.outbox
    rows = conn.execute(
        select(o)
        .where(o.c.dispatched_at.is_(None))
        .order_by(o.c.seq)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [
        OutboxEvent(
            r.seq, r.event_id, r.shop_id, r.order_id, r.package_id, r.name, r.payload, r.created_at
        )
        for r in rows
    ]


def active_endpoints(conn: Connection, shop_id: str) -> list[WebhookEndpoint]:
    query = select(_E).where(_E.c.shop_id == shop_id, _E.c.active.is_(True)).order_by(_E.c.id)
    return [endpoint_from(r) for r in conn.execute(query)]


def add_deliveries(
    conn: Connection, event: OutboxEvent, deliveries: Sequence[NewDelivery], now: datetime
) -> None:
    if not deliveries:
        return
    conn.execute(
        insert(_D),
        [
            {
                "id": d.id,
                "shop_id": event.shop_id,
                "event_id": event.event_id,
                "event_name": event.name,
                "order_id": event.order_id,
                "channel": d.channel,
                "endpoint_id": d.endpoint_id,
                "target": d.target,
                "recipient": d.recipient,
                "message": d.message,
                "status": "failed" if d.error else "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "last_error": d.error,
                "created_at": now,
                "updated_at": now,
                "finished_at": now if d.error else None,
            }
            for d in deliveries
        ],
    )


def mark_dispatched(conn: Connection, seqs: Sequence[int], now: datetime) -> None:
    if seqs:
        conn.execute(update(t.outbox).where(t.outbox.c.seq.in_(seqs)).values(dispatched_at=now))


# --- retention ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pruned:
    events: int
    deliveries: int


def prune(conn: Connection, before: datetime, limit: int) -> Pruned:
    """Delete at most ``limit`` outbox events dispatched before ``before`` and at most ``limit``
    finished deliveries (delivered or failed) finished before it, with their attempts.

    Pending deliveries and undispatched events are never touched, whatever their age: retention
    only forgets what is done. Fan-out reads undispatched events only, so a pruned event is never
    fanned out again. Batches are bounded so that a long backlog does not hold one long lock.
    """
    o = t.outbox
    seqs = [
        r.seq
        for r in conn.execute(
            select(o.c.seq)
            .where(o.c.dispatched_at.is_not(None), o.c.dispatched_at < before)
            .order_by(o.c.seq)
            .limit(limit)
        )
    ]
    if seqs:
        conn.execute(delete(o).where(o.c.seq.in_(seqs)))
    ids = [
        r.id
        for r in conn.execute(
            select(_D.c.id)
            .where(
                _D.c.status.in_(("delivered", "failed")),
                _D.c.finished_at.is_not(None),
                _D.c.finished_at < before,
            )
            .order_by(_D.c.finished_at, _D.c.id)
            .limit(limit)
        )
    ]
    if ids:
        # explicit: SQLite enforces ON DELETE CASCADE only with its foreign_keys pragma on
        conn.execute(
            delete(tn.delivery_attempts).where(tn.delivery_attempts.c.delivery_id.in_(ids))
        )
        conn.execute(delete(_D).where(_D.c.id.in_(ids)))
    return Pruned(len(seqs), len(ids))


# --- claiming -------------------------------------------------------------------------------


def claim_due(
    conn: Connection, now: datetime, limit: int, lease: timedelta, lock: str
) -> list[Claim]:
    """Lease up to ``limit`` due deliveries to ``lock`` and count the attempt about to start."""
    due = conn.execute(
        select(_D.c.id)
        .where(
            _D.c.status == "pending",
            _D.c.next_attempt_at <= now,
            or_(_D.c.locked_until.is_(None), _D.c.locked_until <= now),
        )
        .order_by(_D.c.next_attempt_at, _D.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).scalars()
    ids = list(due)
    if not ids:
        return []
    conn.execute(
        update(_D)
        .where(_D.c.id.in_(ids))
        .values(locked_until=now + lease, locked_by=lock, attempts=_D.c.attempts + 1)
    )
    rows = conn.execute(
        select(
            _D,
            _E.c.url,
            _E.c.secret,
            _E.c.previous_secret,
            _E.c.previous_secret_until,
            t.shops.c.settings.label("shop_settings"),
        )
        .select_from(
            _D.outerjoin(_E, _E.c.id == _D.c.endpoint_id).join(
                t.shops, t.shops.c.id == _D.c.shop_id
            )
        )
        .where(_D.c.id.in_(ids))
        .order_by(_D.c.next_attempt_at, _D.c.id)
    )
    return [_claim_from(r, lock, now) for r in rows]


def extend_lease(conn: Connection, ids: Sequence[str], lock: str, until: datetime) -> None:
    conn.execute(
        update(_D).where(_D.c.id.in_(ids), _D.c.locked_by == lock).values(locked_until=until)
    )


def _claim_from(row: Any, lock: str, now: datetime) -> Claim:
    secrets: tuple[str, ...] = ()
    if row.secret is not None:
        secrets = (row.secret,)
        until = row.previous_secret_until
        if row.previous_secret and until is not None and until > now:
            secrets += (row.previous_secret,)
    return Claim(
        id=row.id,
        shop_id=row.shop_id,
        event_id=row.event_id,
        event_name=row.event_name,
        channel=row.channel,
        message=row.message,
        attempt=row.attempts,
        created_at=row.created_at,
        lock=lock,
        endpoint_id=row.endpoint_id,
        url=row.url,
        secrets=secrets,
        allow_private=bool((row.shop_settings or {}).get("allow_private_webhooks", False)),
    )


# --- finishing ------------------------------------------------------------------------------


def record_attempt(
    conn: Connection,
    claim: Claim,
    log: AttemptLog,
    status: Literal["pending", "delivered", "failed"],
    retry_at: datetime | None,
    now: datetime,
) -> bool:
    """Log the attempt and move the delivery on. False if the lease was lost meanwhile (another
    dispatcher took the message over and its own attempt decides) or the delivery was deleted
    with its endpoint."""
    error = log.error[:1000] if log.error else None
    moved = conn.execute(
        update(_D)
        .where(_D.c.id == claim.id, _D.c.locked_by == claim.lock)
        .values(
            status=status,
            next_attempt_at=retry_at or now,
            locked_until=None,
            locked_by=None,
            last_error=error,
            last_status_code=log.status_code,
            updated_at=now,
            finished_at=None if status == "pending" else now,
        )
    ).rowcount
    if not moved and conn.execute(select(_D.c.id).where(_D.c.id == claim.id)).first() is None:
        return False
    conn.execute(
        insert(tn.delivery_attempts).values(
            delivery_id=claim.id,
            number=claim.attempt,
            started_at=log.started_at,
            duration_ms=log.duration_ms,
            outcome=log.outcome,
            status_code=log.status_code,
            error=error,
            response_excerpt=log.response_excerpt,
            retry_at=retry_at,
        )
    )
    return moved == 1


def endpoint_succeeded(conn: Connection, endpoint_id: str) -> None:
    conn.execute(
        update(_E)
        .where(_E.c.id == endpoint_id, _E.c.failing_since.is_not(None))
        .values(failing_since=None)
    )


def endpoint_failed(conn: Connection, endpoint_id: str, at: datetime) -> datetime | None:
    """Start the endpoint's run of failures at ``at`` unless one is running; returns its start
    (None when the endpoint is gone or already disabled)."""
    conn.execute(
        update(_E)
        .where(_E.c.id == endpoint_id, _E.c.active.is_(True))
        .values(failing_since=func.coalesce(_E.c.failing_since, literal(at, UtcDateTime())))
    )
    since: datetime | None = conn.execute(
        select(_E.c.failing_since).where(_E.c.id == endpoint_id, _E.c.active.is_(True))
    ).scalar()
    return since


def disable_endpoint(
    conn: Connection, shop_id: str, endpoint_id: str, reason: str, now: datetime
) -> bool:
    """Disable an active endpoint and give up its pending deliveries; False if it was not
    active (another dispatcher got there first)."""
    changed = conn.execute(
        update(_E)
        .where(_E.c.shop_id == shop_id, _E.c.id == endpoint_id, _E.c.active.is_(True))
        .values(active=False, disabled_at=now, disabled_reason=reason[:500], updated_at=now)
    )
    if changed.rowcount != 1:
        return False
    fail_pending(conn, shop_id, endpoint_id, f"endpoint disabled: {reason}", now)
    return True
