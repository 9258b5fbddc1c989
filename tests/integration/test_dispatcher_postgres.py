"""Two dispatcher processes on one PostgreSQL outbox share the work: every message is delivered,
and no message is ever attempted by both at the same time (nor, without a crash, twice at all).

The receiver answers slowly and records, per ``webhook-id``, any moment with two requests in
flight; the events are committed only once both dispatchers are polling, so both compete for them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from notify_helpers import Reply, shipped_order, shipping_shop, smtp_server, webhook_receiver
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from pg import pg_database
from splitship.adapters.db import tables_notify as tn
from splitship.adapters.db.notify_repository import SqlNotifyUnitOfWork
from splitship.bootstrap import App, bootstrap
from splitship.config import Settings
from splitship.domain.events import DomainEvent
from splitship.services import notifications

pytestmark = pytest.mark.postgres
PROCESS = Path(__file__).with_name("dispatcher_proc.py")
EXCEPTIONS = 80


@pytest.fixture
def pg_app() -> Iterator[App]:
    with pg_database("splitship_notify") as url:
        app = bootstrap(Settings(env="test", database_url=url))
        yield app
        app.dispose()


def test_two_dispatchers_share_the_outbox_without_sending_a_message_twice(pg_app: App) -> None:
    app = pg_app
    url = app.engine.url.render_as_string(hide_password=False)
    with webhook_receiver() as receiver, smtp_server() as mailbox:
        receiver.default = Reply(200, delay_s=0.02)
        shop_id = shipping_shop(app)
        uow = SqlNotifyUnitOfWork(app.engine, app.clock, app.ids)
        events = ["package.exception", "order.shipped"]
        secret = notifications.create_endpoint(uow, shop_id, receiver.url, events).secret
        env = {
            **os.environ,
            "SPLITSHIP_ENV": "test",
            "SPLITSHIP_DATABASE_URL": url,
            "SPLITSHIP_SMTP_HOST": "127.0.0.1",
            "SPLITSHIP_SMTP_PORT": str(mailbox.port),
        }
        command = [sys.executable, str(PROCESS), "--batch-size", "20", "--lease-s", "5"]
        procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)]
        procs.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True))
        try:
            for proc in procs:
                assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
            order_ids = [shipped_order(app, shop_id, f"T-{n}", n) for n in range(2)]
            with app.uow() as tx:
                for n in range(EXCEPTIONS):
                    tx.publish(shop_id, DomainEvent("package.exception", order_ids[n % 2]))
                tx.commit()
            # 80 exceptions + 2 × order.shipped to the endpoint; 3 e-mails per order.
            expected = EXCEPTIONS + 2 + 2 * 3
            wait_until_delivered(app, expected)
            totals = []
            for proc in procs:
                proc.terminate()
                assert proc.stdout is not None
                totals.append(json.loads(proc.stdout.readline()))
                assert proc.wait(10) == 0
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                proc.wait(10)
                if proc.stdout is not None:
                    proc.stdout.close()

    ids = receiver.ids()
    assert len(ids) == len(set(ids)) == EXCEPTIONS + 2
    assert receiver.overlaps == []
    assert all(t["delivered"] > 0 for t in totals), totals  # both did part of the work
    assert sum(t["delivered"] for t in totals) == expected
    assert sum(t["events"] for t in totals) == EXCEPTIONS + 2 * 5
    for hook in receiver.requests:
        Webhook(secret).verify(hook.body, hook.headers)
    message_ids = mailbox.message_ids()
    assert len(message_ids) == len(set(message_ids)) == 2 * 3


def wait_until_delivered(app: App, expected: int, timeout_s: float = 60) -> None:
    d = tn.deliveries
    query = select(func.count()).select_from(d).where(d.c.status == "delivered")
    deadline = time.monotonic() + timeout_s
    while True:
        with app.engine.connect() as conn:
            if conn.execute(query).scalar() == expected:
                return
        if time.monotonic() > deadline:
            raise AssertionError(f"not every one of {expected} messages was delivered in time")
        time.sleep(0.05)
