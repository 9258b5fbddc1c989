"""Real receivers for the notification tests: an HTTP webhook receiver and an SMTP server, both on
127.0.0.1, plus the shop and orders that produce events.

The webhook receiver behaves like a careful seller's system: it applies each message's side effect
once per ``webhook-id`` (later copies are acknowledged and ignored) and records, per id, whether two
requests were ever in flight at the same time.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from factories import make_shop
from splitship.bootstrap import App
from splitship.domain.order import Address
from splitship.domain.tracking_checks import ups_check_digit
from splitship.services import orders, shipping, shops, splitting
from splitship.services.orders import LineDraft, OrderDraft
from splitship.services.shipping import LogisticsInput
from splitship.services.splitting import PackageSpec


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Hook:
    webhook_id: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    url: str = ""
    requests: list[Hook] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)  # webhook-ids whose side effect ran
    overlaps: list[str] = field(default_factory=list)  # ids with two requests in flight at once
    replies: list[Reply] = field(default_factory=list)
    default: Reply = field(default_factory=Reply)
    # Called with each request before it is answered (the crash test holds requests there).
    gate: Callable[[Hook], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: Counter[str] = field(default_factory=Counter)

    def answer(self, *replies: Reply) -> None:
        with self.lock:
            self.replies.extend(replies)

    def handle(self, hook: Hook) -> Reply:
        with self.lock:
            self.requests.append(hook)
            self.in_flight[hook.webhook_id] += 1
            if self.in_flight[hook.webhook_id] > 1:
                self.overlaps.append(hook.webhook_id)
            reply = self.replies.pop(0) if self.replies else self.default
        try:
            if self.gate is not None:
                self.gate(hook)
            if reply.delay_s:
                time.sleep(reply.delay_s)
            if 200 <= reply.status < 300:
                with self.lock:
                    if hook.webhook_id not in self.applied:
                        self.applied.append(hook.webhook_id)
            return reply
        finally:
            with self.lock:
                self.in_flight[hook.webhook_id] -= 1

    def ids(self) -> list[str]:
        with self.lock:
            return [h.webhook_id for h in self.requests]


def _handler(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = receiver.handle(Hook(headers.get("webhook-id", ""), headers, body))
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the dispatcher was killed or gave up waiting

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@contextmanager
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    server = _Server(("127.0.0.1", 0), _handler(receiver))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    try:
        yield receiver
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@dataclass
class Mailbox:
    """An SMTP server's handler: answers from ``replies`` first, then accepts everything."""

    replies: list[str] = field(default_factory=list)
    received: list[EmailMessage] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.replies:
            return self.replies.pop(0)
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.received]


def free_port() -> int:
    # aiosmtpd's Controller cannot listen on port 0.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    mailbox = Mailbox(port=free_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


# --- events from real use cases ---------------------------------------------------------------


def ups_number(serial: int) -> str:
    """A UPS tracking number with a valid check digit."""
    body = f"999AA1{serial:09d}"
    return f"1Z{body}{ups_check_digit(body)}"


def shipping_shop(app: App, name: str = "Acme Outdoor") -> str:
    """A populated shop (tests/factories.py) that may send webhooks to 127.0.0.1."""
    shop_id = make_shop(app, name).shop_id
    shops.update_settings(app.uow(), shop_id, {"allow_private_webhooks": True})
    return shop_id


def shipped_order(
    app: App,
    shop_id: str,
    external_id: str,
    serial: int,
    email: str | None = "ada@buyer.example",
    locale: str = "en",
) -> str:
    """Import an order of two packages and ship both by UPS: order.imported, package.shipped ×2,
    order.partially_shipped, order.shipped. Returns the order id."""
    draft = OrderDraft(
        source="tiktok",
        external_id=external_id,
        address=Address("Ada Buyer", "1 Main St", "Austin", "US", "TX", "78701"),
        lines=[LineDraft("TEE", 1, 1500), LineDraft("MUG", 1, 1200)],
        buyer_name="Ada Buyer",
        buyer_email=email,
        buyer_locale=locale,
    )
    report = orders.import_orders(app.uow(), shop_id, [draft])
    assert report.ok, report.errors
    order_id = report.order_ids[0]
    split = splitting.split_order(
        app.uow(),
        shop_id,
        order_id,
        [
            PackageSpec({"L1": 1}, warehouse_id="LA", channel_id="ups-ground"),
            PackageSpec({"L2": 1}, warehouse_id="LA", channel_id="ups-ground"),
        ],
    )
    for number, package in enumerate(split.packages):
        shipping.confirm_package(app.uow(), shop_id, order_id, package.id)
        tracking = LogisticsInput(ups_number(serial * 10 + number), carrier_code="ups")
        shipping.ship_package(app.uow(), shop_id, order_id, package.id, tracking)
    return order_id
