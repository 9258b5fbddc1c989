"""The outbox dispatcher against a real HTTP receiver and a real SMTP server (aiosmtpd).

Signatures are verified with the reference ``standardwebhooks`` library, which checks the
timestamp against the real clock: tests that verify signatures keep the dispatcher's clock near the
real one, tests of the retry schedule move a fake clock forward instead of sleeping.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from notify_helpers import (
    Mailbox,
    Reply,
    WebhookReceiver,
    shipped_order,
    shipping_shop,
    smtp_server,
    webhook_receiver,
)
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from splitship.adapters.db import tables as t
from splitship.adapters.db import tables_notify as tn
from splitship.adapters.db.engine import make_engine, upgrade_database
from splitship.adapters.db.notify_repository import SqlNotifyUnitOfWork
from splitship.adapters.notify.webhooks import retry_delay_ceiling
from splitship.bootstrap import App, bootstrap
from splitship.config import Settings
from splitship.domain.errors import ConflictError, InvalidInput, NotFound
from splitship.domain.events import DomainEvent
from splitship.domain.order import TrackingEvent
from splitship.domain.status import PackageStatus
from splitship.entrypoints.worker import (
    Dispatcher,
    DispatchPolicy,
    DispatchStats,
    start_in_process,
)
from splitship.services import notifications, shops
from splitship.services.notification_repository import Delivery, DeliveryFilter

PUBLIC_URL = "https://shop.example"
SENDER = "orders@acme.example"
SHIPPING = ["package.shipped", "order.partially_shipped", "order.shipped"]
# Behaviour that does not depend on the database runs on SQLite only; the rest runs on both.
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
POLICY = DispatchPolicy(timeout_s=2, lease=timedelta(seconds=30), backoff_base_s=5)


@dataclass
class Clock:
    """Starts at the real time, so signatures made with it verify; moves only when told."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance_to(self, when: datetime) -> None:
        self.now = max(self.now, when)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as rec:
        yield rec


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.now(UTC))


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file to copy: migrating afresh for every test costs a second each."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()
    return path


@pytest.fixture
def app(db_url: str, mailbox: Mailbox, clock: Clock, migrated_sqlite: Path) -> Iterator[App]:
    sqlite_file = make_url(db_url).database if db_url.startswith("sqlite") else None
    if sqlite_file:
        shutil.copyfile(migrated_sqlite, sqlite_file)
    settings = Settings(
        env="test",
        database_url=db_url,
        public_url=PUBLIC_URL,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        smtp_sender=SENDER,
    )
    wired = bootstrap(settings, upgrade=sqlite_file is None, clock=clock)
    yield wired
    wired.dispose()


@pytest.fixture
def shop_id(app: App) -> str:
    return shipping_shop(app)


def nuow(app: App) -> SqlNotifyUnitOfWork:
    return SqlNotifyUnitOfWork(app.engine, app.clock, app.ids, "test")


Dispatch = Callable[..., DispatchStats]


@pytest.fixture
def dispatch(app: App) -> Iterator[Dispatch]:
    """``run_once`` of one dispatcher per policy, kept for the test (an HTTP client is slow to
    make)."""
    made: dict[DispatchPolicy, Dispatcher] = {}

    def run(policy: DispatchPolicy = POLICY) -> DispatchStats:
        if policy not in made:
            made[policy] = Dispatcher(app, policy, rng=random.Random(5))
        return made[policy].run_once()

    yield run
    for dispatcher in made.values():
        dispatcher.close()


def endpoint(app: App, shop_id: str, url: str, events: list[str] = SHIPPING) -> tuple[str, str]:
    created = notifications.create_endpoint(nuow(app), shop_id, url, events)
    return created.endpoint.id, created.secret


def messages(app: App, shop_id: str, **filters: object) -> list[Delivery]:
    flt = DeliveryFilter(with_attempts=True, limit=200, **filters)  # type: ignore[arg-type]
    return notifications.list_deliveries(nuow(app), shop_id, flt).items


def one_message(app: App, shop_id: str, **filters: object) -> Delivery:
    [found] = messages(app, shop_id, **filters)
    return found


def publish(app: App, shop_id: str, order_id: str, name: str = "package.exception") -> None:
    with app.uow() as uow:
        uow.publish(shop_id, DomainEvent(name, order_id, None, {"reason": "test"}))
        uow.commit()


def order_token(app: App, shop_id: str, order_id: str) -> str:
    with app.uow() as uow:
        return uow.orders.get(shop_id, order_id).tracking_token


# --- the whole path ---------------------------------------------------------------------------


def test_shipping_tells_the_sellers_system_and_the_buyer_once(
    app: App, dispatch: Dispatch, shop_id: str, receiver: WebhookReceiver, mailbox: Mailbox
) -> None:
    _, secret = endpoint(app, shop_id, receiver.url)
    english = shipped_order(app, shop_id, "T-EN", 1, email="ada@buyer.example", locale="en")
    chinese = shipped_order(app, shop_id, "T-ZH", 2, email="li@buyer.example", locale="zh-CN")

    stats = dispatch()

    # 5 events per order (imported, 2 × package shipped, partially shipped, shipped); the endpoint
    # takes 4 of them, the buyer gets 3 mails (package 1 of 2, package 2 of 2, order complete).
    assert (stats.events, stats.delivered, stats.failed) == (10, 14, 0)
    hooks = [Webhook(secret).verify(h.body, h.headers) for h in receiver.requests]
    assert sorted(h["type"] for h in hooks) == sorted(
        ["package.shipped"] * 4 + ["order.partially_shipped"] * 2 + ["order.shipped"] * 2
    )
    first = next(h["data"] for h in hooks if h["type"] == "package.shipped")
    assert first["order_id"] in (english, chinese)
    assert {"event_id", "occurred_at", "external_id", "package_id", "number", "count"} <= set(first)
    stored = {m.id for m in messages(app, shop_id, channel="webhook")}
    assert set(receiver.ids()) == stored and len(receiver.ids()) == 8

    by_subject = {str(m["Subject"]): m for m in mailbox.received}
    assert len(by_subject) == 6
    mail = by_subject["Package 1 of 2 shipped: order T-EN from Acme Outdoor"]
    assert mail["To"] == "ada@buyer.example"
    assert "Acme Outdoor" in mail["From"] and SENDER in mail["From"]
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    page = f"{PUBLIC_URL}/t/{order_token(app, shop_id, english)}"
    for body in (text, html):
        assert page in body
        assert "UPS" in body and "1Z999AA1" in body
        assert "https://www.ups.com/track?tracknum=1Z999AA1" in body  # the carrier's link
    assert "Estimated delivery" in text
    assert "All packages of your order T-EN from Acme Outdoor have shipped" in by_subject
    assert any("第 2 个包裹（共 2 个）已发货" in s for s in by_subject)
    assert any("T-ZH" in s and "已全部发货" in s for s in by_subject)
    event_ids = {m.event_id for m in messages(app, shop_id, channel="email")}
    assert {str(m["Message-ID"]).split("@")[0][1:] for m in mailbox.received} == event_ids

    again = dispatch()

    assert again.idle
    assert len(receiver.requests) == 8 and len(mailbox.received) == 6


def test_rolled_back_change_produces_nothing(
    app: App, dispatch: Dispatch, shop_id: str, receiver: WebhookReceiver, mailbox: Mailbox
) -> None:
    endpoint(
        app, shop_id, receiver.url, ["package.delivered", "order.delivered", "order.cancelled"]
    )
    order_id = shipped_order(app, shop_id, "T-1", 1)
    dispatch()
    with app.engine.connect() as conn:
        outbox_before = conn.execute(select(func.count()).select_from(t.outbox)).scalar()
    mails_before = len(mailbox.received)

    with pytest.raises(RuntimeError), app.uow() as uow:
        order = uow.orders.get(shop_id, order_id)
        delivered = TrackingEvent("ev-1", PackageStatus.DELIVERED, "delivered", app.clock())
        order.record_tracking_event(order.packages[0].id, delivered)
        uow.publish(shop_id, DomainEvent("order.cancelled", order_id))
        assert order.events  # the change did emit; only the commit is missing
        raise RuntimeError("the change fails before commit")

    stats = dispatch()

    assert stats.idle
    with app.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.outbox)).scalar() == outbox_before
    assert receiver.requests == [] and len(mailbox.received) == mails_before


# --- buyer e-mails ----------------------------------------------------------------------------


@SQLITE_ONLY
def test_a_kind_switched_off_sends_no_email_but_webhooks_still_go(
    app: App, dispatch: Dispatch, shop_id: str, receiver: WebhookReceiver, mailbox: Mailbox
) -> None:
    endpoint(app, shop_id, receiver.url, ["package.shipped"])
    kinds = notifications.set_notification_kinds(nuow(app), shop_id, {"package_shipped": False})
    assert kinds == {
        "package_shipped": False,
        "order_shipped": True,
        "package_delivered": True,
        "inquiry_answered": True,
    }

    shipped_order(app, shop_id, "T-1", 1)
    dispatch()

    assert [str(m["Subject"]).split(" of your order")[0] for m in mailbox.received] == [
        "All packages"
    ]
    assert len(receiver.requests) == 2
    with pytest.raises(InvalidInput, match="unknown notification kind"):
        notifications.set_notification_kinds(nuow(app), shop_id, {"package_lost": True})


@SQLITE_ONLY
def test_order_without_email_address_sends_webhooks_only(
    app: App, dispatch: Dispatch, shop_id: str, receiver: WebhookReceiver, mailbox: Mailbox
) -> None:
    endpoint(app, shop_id, receiver.url)
    shipped_order(app, shop_id, "T-1", 1, email=None)

    dispatch()

    assert mailbox.received == [] and len(receiver.requests) == 4
    assert messages(app, shop_id, channel="email") == []


@SQLITE_ONLY
def test_transient_smtp_error_is_retried_and_the_buyer_gets_one_email(
    app: App, dispatch: Dispatch, shop_id: str, mailbox: Mailbox, clock: Clock
) -> None:
    notifications.set_notification_kinds(
        nuow(app), shop_id, {"package_shipped": False, "order_shipped": True}
    )
    mailbox.replies.append("451 4.3.0 Mailbox busy, try again later")
    shipped_order(app, shop_id, "T-1", 1)

    first = dispatch()
    pending = one_message(app, shop_id, channel="email")
    clock.advance_to(pending.next_attempt_at)
    second = dispatch()
    third = dispatch()

    assert (first.retried, second.delivered, third.idle) == (1, 1, True)
    assert pending.status == "pending" and pending.last_status_code == 451
    assert len(mailbox.received) == 1
    sent = one_message(app, shop_id, channel="email")
    assert sent.status == "delivered" and [a.outcome for a in sent.attempt_log] == [
        "retry",
        "delivered",
    ]


@SQLITE_ONLY
def test_rejected_email_fails_without_retry_and_cannot_be_replayed_once_delivered(
    app: App, dispatch: Dispatch, shop_id: str, mailbox: Mailbox
) -> None:
    notifications.set_notification_kinds(nuow(app), shop_id, {"package_shipped": False})
    mailbox.replies.append("550 5.1.1 No such mailbox")
    shipped_order(app, shop_id, "T-1", 1)

    stats = dispatch()

    failed = one_message(app, shop_id, channel="email")
    assert (stats.failed, failed.status, failed.last_status_code) == (1, "failed", 550)
    notifications.replay_delivery(nuow(app), shop_id, failed.id)  # allowed: it never arrived
    dispatch()
    assert one_message(app, shop_id, channel="email").status == "delivered"
    with pytest.raises(ConflictError, match="one e-mail per event"):
        notifications.replay_delivery(nuow(app), shop_id, failed.id)
    assert len(mailbox.received) == 1


# --- webhook retries and disabling ------------------------------------------------------------


@SQLITE_ONLY
def test_retries_back_off_with_jitter_and_honour_retry_after(
    app: App, dispatch: Dispatch, shop_id: str, receiver: WebhookReceiver, clock: Clock
) -> None:
    endpoint_id, _ = endpoint(app, shop_id, receiver.url, ["order.cancelled"])
    receiver.answer(Reply(500), Reply(503, {"Retry-After": "120"}), Reply(429), Reply(200))
    publish(app, shop_id, "o-1", "order.cancelled")

    waits = []
    for _ in range(4):
        started = clock.now
        dispatch()
        message = one_message(app, shop_id)
        if message.status == "pending":
            waits.append((message.next_attempt_at - started).total_seconds())
            clock.advance_to(message.next_attempt_at)

    assert message.status == "delivered"
    assert [(a.outcome, a.status_code) for a in message.attempt_log] == [
        ("retry", 500),
        ("retry", 503),
        ("retry", 429),
        ("delivered", 200),
    ]
    assert 0 <= waits[0] <= retry_delay_ceiling(1, base_s=5)
    assert waits[1] >= 120  # Retry-After beats the 10 s ceiling of the second retry
    assert 0 <= waits[2] <= retry_delay_ceiling(3, base_s=5)
    assert len(set(receiver.ids())) == 1  # one webhook-id across all four attempts
    endpoint_now = notifications.get_endpoint(nuow(app), shop_id, endpoint_id)
    assert endpoint_now.active and endpoint_now.failing_since is None


@SQLITE_ONLY
def test_a_day_of_failures_disables_the_endpoint_and_gives_up_its_messages(
    app: App, dispatch: Dispatch, shop_id: str, receiver: WebhookReceiver, clock: Clock
) -> None:
    endpoint_id, _ = endpoint(app, shop_id, receiver.url, ["package.exception"])
    receiver.default = Reply(503)
    order_id = "o-1"  # webhooks only: the order need not exist
    publish(app, shop_id, order_id)
    dispatch()
    clock.advance(60)
    publish(app, shop_id, order_id)  # a second message, younger than a day when the first fails

    deadline = clock.now + timedelta(days=1, hours=1)
    while (
        clock.now < deadline and notifications.get_endpoint(nuow(app), shop_id, endpoint_id).active
    ):
        dispatch()
        clock.advance(3600)  # the backoff cap: every pending message is due again

    disabled = notifications.get_endpoint(nuow(app), shop_id, endpoint_id)
    assert not disabled.active and "every attempt failed since" in (disabled.disabled_reason or "")
    found = {m.status for m in messages(app, shop_id)}
    assert found == {"failed"}
    errors = [m.last_error or "" for m in messages(app, shop_id)]
    assert any("endpoint disabled" in e for e in errors)
    sent = len(receiver.requests)
    publish(app, shop_id, order_id)
    dispatch()
    assert len(receiver.requests) == sent  # nothing goes to a disabled endpoint


@SQLITE_ONLY
def test_410_disables_the_endpoint_until_enabled_and_replayed(
    app: App, dispatch: Dispatch, shop_id: str, receiver: WebhookReceiver
) -> None:
    endpoint_id, _ = endpoint(app, shop_id, receiver.url, ["package.exception"])
    order_id = "o-1"  # webhooks only: the order need not exist
    receiver.answer(Reply(410))
    publish(app, shop_id, order_id)
    publish(app, shop_id, order_id)

    stats = dispatch(replace(POLICY, concurrency=1))

    assert stats.endpoints_disabled == 1 and len(receiver.requests) == 1
    disabled = notifications.get_endpoint(nuow(app), shop_id, endpoint_id)
    assert not disabled.active and "410" in (disabled.disabled_reason or "")
    failed = messages(app, shop_id)
    assert [m.status for m in failed] == ["failed", "failed"]
    with pytest.raises(ConflictError, match="disabled"):
        notifications.replay_delivery(nuow(app), shop_id, failed[0].id)

    notifications.enable_endpoint(nuow(app), shop_id, endpoint_id)
    for message in failed:
        notifications.replay_delivery(nuow(app), shop_id, message.id)
    dispatch()

    assert {m.status for m in messages(app, shop_id)} == {"delivered"}
    assert sorted(receiver.applied) == sorted(m.id for m in failed)


@SQLITE_ONLY
def test_replay_resends_with_the_same_webhook_id(
    app: App, dispatch: Dispatch, shop_id: str, receiver: WebhookReceiver
) -> None:
    _, secret = endpoint(app, shop_id, receiver.url, ["order.shipped"])
    shipped_order(app, shop_id, "T-1", 1, email=None)
    dispatch()
    message = one_message(app, shop_id, channel="webhook")

    replayed = notifications.replay_delivery(nuow(app), shop_id, message.id)
    dispatch()

    assert replayed.status == "pending"
    assert receiver.ids() == [message.id, message.id]
    assert receiver.applied == [message.id]  # the receiver's de-duplication absorbs the replay
    for hook in receiver.requests:
        Webhook(secret).verify(hook.body, hook.headers)
    log = one_message(app, shop_id, channel="webhook").attempt_log
    assert [a.number for a in log] == [1, 2]


# --- endpoints --------------------------------------------------------------------------------


@SQLITE_ONLY
def test_private_endpoints_are_refused_unless_the_shop_allows_them(
    app: App, dispatch: Dispatch, shop_id: str, receiver: WebhookReceiver
) -> None:
    shops.update_settings(app.uow(), shop_id, {"allow_private_webhooks": False})
    with pytest.raises(InvalidInput, match="a loopback address") as refused:
        endpoint(app, shop_id, receiver.url)
    assert refused.value.field == "url"
    for url in ("http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/hook"):
        with pytest.raises(InvalidInput, match="address"):
            endpoint(app, shop_id, url)

    shops.update_settings(app.uow(), shop_id, {"allow_private_webhooks": True})
    endpoint(app, shop_id, receiver.url, ["package.exception"])
    shops.update_settings(app.uow(), shop_id, {"allow_private_webhooks": False})
    publish(app, shop_id, "o-1")

    stats = dispatch()

    # Checked again when sending: the setting was withdrawn, so nothing reaches the address.
    assert stats.failed == 1 and receiver.requests == []
    assert "loopback" in (one_message(app, shop_id).last_error or "")


@SQLITE_ONLY
def test_rotated_secret_signs_beside_the_old_one_for_the_overlap(
    app: App, dispatch: Dispatch, shop_id: str, receiver: WebhookReceiver
) -> None:
    endpoint_id, old = endpoint(app, shop_id, receiver.url, ["package.exception"])
    order_id = "o-1"  # webhooks only: the order need not exist
    new = notifications.rotate_secret(nuow(app), shop_id, endpoint_id).secret
    publish(app, shop_id, order_id)
    dispatch()
    newest = notifications.rotate_secret(nuow(app), shop_id, endpoint_id, timedelta(0)).secret
    publish(app, shop_id, order_id)
    dispatch()

    during, after = receiver.requests
    assert len(during.headers["webhook-signature"].split()) == 2
    for secret in (old, new):
        Webhook(secret).verify(during.body, during.headers)
    assert len(after.headers["webhook-signature"].split()) == 1
    Webhook(newest).verify(after.body, after.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(after.body, after.headers)
    assert len({old, new, newest}) == 3


@SQLITE_ONLY
def test_endpoint_secret_is_shown_once_and_never_stored_in_the_audit(
    app: App, shop_id: str, receiver: WebhookReceiver
) -> None:
    endpoint_id, secret = endpoint(app, shop_id, receiver.url)
    notifications.update_endpoint(nuow(app), shop_id, endpoint_id, description="ERP")
    listed = notifications.list_endpoints(nuow(app), shop_id)

    assert secret.startswith("whsec_") and secret not in repr(listed)
    with app.engine.connect() as conn:
        audit = json.dumps([list(r) for r in conn.execute(select(t.audit_trail))], default=str)
    assert secret.removeprefix("whsec_") not in audit
    assert "webhook_endpoint.created" in audit and "webhook_endpoint.changed" in audit
    with pytest.raises(InvalidInput, match="unknown event"):
        endpoint(app, shop_id, receiver.url, ["package.teleported"])


@SQLITE_ONLY
def test_messages_are_listed_by_status_and_hidden_from_other_shops(
    app: App, dispatch: Dispatch, shop_id: str, receiver: WebhookReceiver
) -> None:
    endpoint_id, _ = endpoint(app, shop_id, receiver.url, ["package.exception"])
    order_id = "o-1"  # webhooks only: the order need not exist
    receiver.answer(Reply(200), Reply(404), Reply(503))
    for _ in range(3):
        publish(app, shop_id, order_id)
    dispatch()
    other = shipping_shop(app, "Other Shop")

    statuses = {
        s: len(messages(app, shop_id, status=s)) for s in ("pending", "delivered", "failed")
    }
    per_endpoint = messages(app, shop_id, endpoint_id=endpoint_id)

    assert statuses == {"pending": 1, "delivered": 1, "failed": 1}
    assert len(per_endpoint) == 3 and all(len(m.attempt_log) == 1 for m in per_endpoint)
    assert messages(app, other) == []
    with pytest.raises(NotFound):
        notifications.get_delivery(nuow(app), other, per_endpoint[0].id)
    with pytest.raises(NotFound):
        notifications.get_endpoint(nuow(app), other, endpoint_id)
    with pytest.raises(NotFound):
        notifications.replay_delivery(nuow(app), other, per_endpoint[0].id)


@SQLITE_ONLY
def test_deleting_an_endpoint_removes_its_log(
    app: App, dispatch: Dispatch, shop_id: str, receiver: WebhookReceiver
) -> None:
    endpoint_id, _ = endpoint(app, shop_id, receiver.url, ["order.shipped"])
    shipped_order(app, shop_id, "T-1", 1, email=None)
    dispatch()

    notifications.delete_endpoint(nuow(app), shop_id, endpoint_id)

    with app.engine.connect() as conn:
        for table in (tn.webhook_endpoints, tn.deliveries, tn.delivery_attempts):
            assert conn.execute(select(func.count()).select_from(table)).scalar() == 0


@SQLITE_ONLY
def test_in_process_dispatcher_delivers_in_the_background_and_stops(
    app: App, shop_id: str, receiver: WebhookReceiver
) -> None:
    endpoint(app, shop_id, receiver.url, ["package.exception"])
    handle = start_in_process(app, replace(POLICY, poll_interval_s=0.02))
    try:
        publish(app, shop_id, "o-1")
        deadline = time.monotonic() + 10
        while not receiver.applied and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        handle.stop()

    assert len(receiver.applied) == 1
    assert not handle.thread.is_alive()


# --- retention --------------------------------------------------------------------------------


def test_retention_forgets_only_what_is_done_and_old(
    app: App, dispatch: Dispatch, shop_id: str, receiver: WebhookReceiver, clock: Clock
) -> None:
    endpoint(app, shop_id, receiver.url)
    old = shipped_order(app, shop_id, "T-OLD", 1, email="ada@buyer.example", locale="en")
    receiver.replies = [Reply(503)] * 1000  # the endpoint is down: its messages stay pending
    first = dispatch()
    assert first.events == 5 and first.delivered > 0 and first.retried > 0
    delivered_before = {m.id for m in messages(app, shop_id, status="delivered")}
    pending_before = {m.id for m in messages(app, shop_id, status="pending")}
    assert delivered_before and pending_before

    clock.advance(31 * 24 * 3600)  # a month later: one new order, then a pruning round
    receiver.replies = []
    recent = shipped_order(app, shop_id, "T-NEW", 2, email="li@buyer.example", locale="en")
    keep_all = replace(POLICY, retention=None)
    assert dispatch(keep_all).pruned_deliveries == 0
    assert delivered_before <= {m.id for m in messages(app, shop_id)}

    stats = dispatch(replace(POLICY, retention=timedelta(days=30)))

    assert (stats.pruned_events, stats.pruned_deliveries) == (5, len(delivered_before))
    left = messages(app, shop_id)
    ids = {m.id for m in left}
    assert not delivered_before & ids  # the old delivered e-mails are forgotten
    assert pending_before <= ids  # the old messages still owed are kept, and now delivered
    assert {m.order_id for m in left} == {old, recent}
    with app.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.outbox)) == 5  # the new order's
        orphans = (
            select(func.count())
            .select_from(tn.delivery_attempts)
            .where(tn.delivery_attempts.c.delivery_id.not_in(select(tn.deliveries.c.id)))
        )
        assert conn.scalar(orphans) == 0


def test_retention_must_be_positive() -> None:
    with pytest.raises(ValueError, match="retention"):
        DispatchPolicy(retention=timedelta(0))
