"""SQL implementation of the notification repository, and the unit of work that carries it."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Self

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from splitship.adapters.db import tables_notify as tn
from splitship.adapters.db.unit_of_work import SqlUnitOfWork
from splitship.adapters.notify.webhooks import check_endpoint_url, generate_secret
from splitship.domain.errors import NotFound
from splitship.services.notification_repository import (
    AttemptRecord,
    Delivery,
    DeliveryFilter,
    DeliveryPage,
    NotificationRepository,
    NotifyUnitOfWork,
    WebhookEndpoint,
)

_E = tn.webhook_endpoints
_D = tn.deliveries
_A = tn.delivery_attempts


def endpoint_from(row: Any) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=row.id,
        shop_id=row.shop_id,
        url=row.url,
        description=row.description,
        events=tuple(row.events),
        active=row.active,
        created_at=row.created_at,
        updated_at=row.updated_at,
        disabled_at=row.disabled_at,
        disabled_reason=row.disabled_reason,
        failing_since=row.failing_since,
        previous_secret_until=row.previous_secret_until,
    )


def _attempt_from(row: Any) -> AttemptRecord:
    return AttemptRecord(
        number=row.number,
        started_at=row.started_at,
        duration_ms=row.duration_ms,
        outcome=row.outcome,
        status_code=row.status_code,
        error=row.error,
        response_excerpt=row.response_excerpt,
        retry_at=row.retry_at,
    )


def _delivery_from(row: Any, attempts: Sequence[AttemptRecord] = ()) -> Delivery:
    return Delivery(
        id=row.id,
        shop_id=row.shop_id,
        event_id=row.event_id,
        event_name=row.event_name,
        order_id=row.order_id,
        channel=row.channel,
        endpoint_id=row.endpoint_id,
        recipient=row.recipient,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        last_status_code=row.last_status_code,
        created_at=row.created_at,
        updated_at=row.updated_at,
        finished_at=row.finished_at,
        attempt_log=tuple(attempts),
    )


# Every column but the message body: lists stay small, and the e-mail text is the buyer's mail.
_DELIVERY_COLUMNS = [c for c in _D.c if c.name != "message"]


class SqlNotificationRepository(NotificationRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add_endpoint(self, endpoint: WebhookEndpoint, secret: str) -> None:
        self.conn.execute(insert(_E).values(**_endpoint_values(endpoint), secret=secret))

    def get_endpoint(self, shop_id: str, endpoint_id: str) -> WebhookEndpoint:
        row = self.conn.execute(
            select(_E).where(_E.c.shop_id == shop_id, _E.c.id == endpoint_id)
        ).first()
        if row is None:
            raise NotFound(f"webhook endpoint {endpoint_id} not found", field="endpoint_id")
        return endpoint_from(row)

    def endpoints(self, shop_id: str) -> list[WebhookEndpoint]:
        query = select(_E).where(_E.c.shop_id == shop_id).order_by(_E.c.created_at, _E.c.id)
        return [endpoint_from(r) for r in self.conn.execute(query)]

    def save_endpoint(self, endpoint: WebhookEndpoint) -> None:
        self.conn.execute(
            update(_E)
            .where(_E.c.shop_id == endpoint.shop_id, _E.c.id == endpoint.id)
            .values(**_endpoint_values(endpoint))
        )

    def rotate_secret(self, endpoint: WebhookEndpoint, secret: str) -> None:
        self.conn.execute(
            update(_E)
            .where(_E.c.shop_id == endpoint.shop_id, _E.c.id == endpoint.id)
            # The right-hand side is the row's value before the update: the old secret.
            .values(**_endpoint_values(endpoint), previous_secret=_E.c.secret, secret=secret)
        )

    def delete_endpoint(self, shop_id: str, endpoint_id: str) -> None:
        # Its deliveries and their attempts go with it (ON DELETE CASCADE).
        self.conn.execute(delete(_E).where(_E.c.shop_id == shop_id, _E.c.id == endpoint_id))

    def fail_pending(self, shop_id: str, endpoint_id: str, reason: str, now: datetime) -> int:
        return fail_pending(self.conn, shop_id, endpoint_id, reason, now)

    def deliveries(self, shop_id: str, flt: DeliveryFilter) -> DeliveryPage:
        conditions = [_D.c.shop_id == shop_id]
        wanted = {
            _D.c.status: flt.status,
            _D.c.channel: flt.channel,
            _D.c.endpoint_id: flt.endpoint_id,
            _D.c.event_name: flt.event_name,
            _D.c.order_id: flt.order_id,
        }
        conditions += [column == value for column, value in wanted.items() if value is not None]
        total = self.conn.execute(select(func.count()).select_from(_D).where(*conditions)).scalar()
        rows = list(
            self.conn.execute(
                select(*_DELIVERY_COLUMNS)
                .where(*conditions)
                .order_by(_D.c.created_at.desc(), _D.c.id.desc())
                .limit(flt.limit)
                .offset(flt.offset)
            )
        )
        logs = self._attempts([r.id for r in rows]) if flt.with_attempts else {}
        return DeliveryPage([_delivery_from(r, logs.get(r.id, ())) for r in rows], total or 0)

    def get_delivery(self, shop_id: str, delivery_id: str) -> Delivery:
        row = self.conn.execute(
            select(*_DELIVERY_COLUMNS).where(_D.c.shop_id == shop_id, _D.c.id == delivery_id)
        ).first()
        if row is None:
            raise NotFound(f"message {delivery_id} not found", field="delivery_id")
        return _delivery_from(row, self._attempts([delivery_id]).get(delivery_id, ()))

    def requeue(self, shop_id: str, delivery_id: str, now: datetime) -> None:
        self.conn.execute(
            update(_D)
            .where(_D.c.shop_id == shop_id, _D.c.id == delivery_id)
            .values(status="pending", next_attempt_at=now, finished_at=None, updated_at=now)
        )

    def _attempts(self, delivery_ids: list[str]) -> dict[str, list[AttemptRecord]]:
        found: dict[str, list[AttemptRecord]] = {}
        if not delivery_ids:
            return found
        query = select(_A).where(_A.c.delivery_id.in_(delivery_ids)).order_by(_A.c.id)
        for row in self.conn.execute(query):
            found.setdefault(row.delivery_id, []).append(_attempt_from(row))
        return found


def fail_pending(
    conn: Connection, shop_id: str, endpoint_id: str, reason: str, now: datetime
) -> int:
    result = conn.execute(
        update(_D)
        .where(_D.c.shop_id == shop_id, _D.c.endpoint_id == endpoint_id, _D.c.status == "pending")
        .values(
            status="failed",
            last_error=reason[:1000],
            finished_at=now,
            updated_at=now,
            locked_until=None,
            locked_by=None,
        )
    )
    return result.rowcount


def _endpoint_values(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "shop_id": endpoint.shop_id,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": list(endpoint.events),
        "active": endpoint.active,
        "created_at": endpoint.created_at,
        "updated_at": endpoint.updated_at,
        "disabled_at": endpoint.disabled_at,
        "disabled_reason": endpoint.disabled_reason,
        "failing_since": endpoint.failing_since,
        "previous_secret_until": endpoint.previous_secret_until,
    }


def new_webhook_secret() -> str:
    return generate_secret(secrets.token_bytes(32))


class SqlNotifyUnitOfWork(SqlUnitOfWork, NotifyUnitOfWork):
    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime],
        new_id: Callable[[], str],
        actor: str = "system",
        *,
        check_url: Callable[[str, bool], None] = check_endpoint_url,
        new_secret: Callable[[], str] = new_webhook_secret,
    ) -> None:
        super().__init__(engine, clock, new_id, actor)
        self.check_url = check_url
        self.new_secret = new_secret

    def __enter__(self) -> Self:
        super().__enter__()
        self.notifications = SqlNotificationRepository(self.conn)
        return self
