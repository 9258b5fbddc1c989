"""Crash safety: a dispatcher process killed with SIGKILL in the middle of a batch loses nothing.

The receiver holds requests from the twelfth on, so the kill lands while attempts are in flight
(claimed, sent, never recorded). A second dispatcher takes those messages over once their lease
runs out. Every message arrives at least once; the receiver, which de-duplicates by ``webhook-id``,
applies each side effect exactly once; and a change that was rolled back sends nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from notify_helpers import (
    Hook,
    Mailbox,
    WebhookReceiver,
    shipped_order,
    shipping_shop,
    smtp_server,
    webhook_receiver,
)
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from splitship.adapters.db import tables as t
from splitship.adapters.db import tables_notify as tn
from splitship.adapters.db.notify_repository import SqlNotifyUnitOfWork
from splitship.bootstrap import App, bootstrap
from splitship.config import Settings
from splitship.domain.events import EVENT_NAMES, DomainEvent
from splitship.services import notifications

PROCESS = Path(__file__).with_name("dispatcher_proc.py")
HOLD_FROM = 12  # requests after this many are held until the first dispatcher is dead


class Gate:
    """Holds webhook requests after the first ``after`` until released."""

    def __init__(self, after: int) -> None:
        self.after = after
        self.seen = 0
        self.held = 0
        self.released = threading.Event()
        self.lock = threading.Lock()

    def __call__(self, hook: Hook) -> None:
        with self.lock:
            self.seen += 1
            hold = self.seen > self.after and not self.released.is_set()
            self.held += hold
        if hold:
            self.released.wait(30)


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@contextmanager
def dispatcher_process(env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, str(PROCESS), "--lease-s", "1"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def count(app: App, table: object, *where: object) -> int:
    with app.engine.connect() as conn:
        found = conn.execute(select(func.count()).select_from(table).where(*where)).scalar()  # type: ignore[arg-type]
    return int(found or 0)


def all_finished(app: App, expected: int) -> bool:
    d = tn.deliveries
    return (
        count(app, t.outbox, t.outbox.c.dispatched_at.is_(None)) == 0
        and count(app, d) == expected
        and count(app, d, d.c.status == "pending") == 0
    )


# SQLite, the embedded default; PostgreSQL's claiming is proven by test_dispatcher_postgres.py.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_killed_dispatcher_loses_no_message_and_duplicates_no_side_effect(db_url: str) -> None:
    with webhook_receiver() as receiver, smtp_server() as mailbox:
        env = {
            "SPLITSHIP_ENV": "test",
            "SPLITSHIP_DATABASE_URL": db_url,
            "SPLITSHIP_SMTP_HOST": "127.0.0.1",
            "SPLITSHIP_SMTP_PORT": str(mailbox.port),
            "SPLITSHIP_PUBLIC_URL": "https://shop.example",
        }
        app = bootstrap(Settings(env="test", database_url=db_url))
        try:
            run_crash_scenario(app, env, receiver, mailbox)
        finally:
            app.dispose()


def run_crash_scenario(
    app: App, env: dict[str, str], receiver: WebhookReceiver, mailbox: Mailbox
) -> None:
    shop_id = shipping_shop(app)
    uow = SqlNotifyUnitOfWork(app.engine, app.clock, app.ids)
    secret = notifications.create_endpoint(uow, shop_id, receiver.url, EVENT_NAMES).secret
    order_ids = [shipped_order(app, shop_id, f"T-{n}", n) for n in range(4)]
    with app.uow() as tx:
        for n in range(20):
            tx.publish(shop_id, DomainEvent("package.exception", order_ids[n % 4], None, {"n": n}))
        tx.commit()
    with app.uow() as tx:  # rolled back: never committed
        tx.publish(shop_id, DomainEvent("order.cancelled", order_ids[0], None, {"ghost": True}))
    # 4 orders × 5 events + 20 exceptions, each to the endpoint; 3 e-mails per order.
    webhooks, emails = 4 * 5 + 20, 4 * 3
    gate = Gate(HOLD_FROM)
    receiver.gate = gate

    with dispatcher_process(env) as first:
        wait_for(lambda: gate.held >= 1, "the first dispatcher to be mid-batch")
        time.sleep(0.2)  # let the rest of its round reach the receiver too
        first.kill()
        first.wait(10)
    d = tn.deliveries
    in_flight = count(app, d, d.c.status == "pending", d.c.locked_by.is_not(None))
    assert in_flight >= 1  # claimed by the dead process, sent, never recorded
    gate.released.set()
    wait_for(lambda: sum(receiver.in_flight.values()) == 0, "held requests to end")

    with dispatcher_process(env) as second:
        wait_for(lambda: all_finished(app, webhooks + emails), "every message to be delivered")
        second.terminate()
        assert second.stdout is not None
        totals = json.loads(second.stdout.readline())
        assert second.wait(10) == 0

    assert count(app, d, d.c.status == "delivered") == webhooks + emails
    assert totals["delivered"] >= in_flight
    ids = receiver.ids()
    with app.engine.connect() as conn:
        stored = set(conn.execute(select(d.c.id).where(d.c.channel == "webhook")).scalars())
        expected_mail = set(
            conn.execute(select(d.c.event_id).where(d.c.channel == "email")).scalars()
        )
    assert set(ids) == stored and len(stored) == webhooks
    assert len(ids) > len(stored)  # some messages did arrive twice ...
    assert sorted(receiver.applied) == sorted(stored)  # ... yet every side effect ran once
    assert receiver.overlaps == []
    types = [Webhook(secret).verify(h.body, h.headers)["type"] for h in receiver.requests]
    assert "order.cancelled" not in types
    assert {m.split("@")[0][1:] for m in mailbox.message_ids()} == expected_mail
