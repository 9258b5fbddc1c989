"""Webhook signing and delivery against a real HTTP receiver on 127.0.0.1.

Signatures are checked with the reference ``standardwebhooks`` library, which verifies the
timestamp against the real clock: the deliveries it verifies therefore use the current time.
"""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from splitship.adapters.notify.webhooks import (
    GIVE_UP_AFTER,
    DeliveryAttempt,
    UnsafeEndpoint,
    check_endpoint_url,
    deliver_webhook,
    generate_secret,
    next_retry_delay,
    retry_delay_ceiling,
    should_disable,
    sign_payload,
    signature_header,
)

SECRET = generate_secret(bytes(range(32)))
NEW_SECRET = generate_secret(bytes(range(100, 132)))
PAYLOAD = {"order_id": "o_1", "package_number": 1, "package_count": 3, "note": "测试"}


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    stall_s: float = 0.0


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Set at teardown so a stalled reply ends at once instead of holding the server open.
    release: threading.Event = field(default_factory=threading.Event)

    def answer(self, *replies: Reply) -> None:
        with self.lock:
            self.replies.extend(replies)

    def take(self, request: Recorded) -> Reply:
        with self.lock:
            self.requests.append(request)
            return self.replies.pop(0) if self.replies else Reply()


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            reply = receiver.take(Recorded(self.path, headers, body))
            if reply.stall_s:
                receiver.release.wait(reply.stall_s)
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # The client gave up waiting (the timeout test).

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    # Join handler threads on close, so no thread outlives its test.
    daemon_threads = False
    block_on_close = True


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    server = _Server(("127.0.0.1", 0), _handler_for(rec))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/splitship"
    try:
        yield rec
    finally:
        rec.release.set()
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    # trust_env=False: a proxy from the environment must not intercept loopback test traffic.
    with httpx.Client(trust_env=False) as c:
        yield c


def _deliver(
    client: httpx.Client, url: str, secrets: list[str], timeout_s: float = 10
) -> DeliveryAttempt:
    return deliver_webhook(
        client, url, secrets, "msg_1", "package.shipped", PAYLOAD, datetime.now(UTC), timeout_s
    )


# --- signing ----------------------------------------------------------------------------------


def test_signature_matches_the_specification_example() -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    signature = sign_payload(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signature_matches_the_reference_library() -> None:
    when = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
    body = '{"a":"ü"}'
    expected = Webhook(SECRET).sign("msg_x", when, body)
    assert sign_payload(SECRET, "msg_x", int(when.timestamp()), body.encode()) == expected


def test_generated_secret_is_accepted_by_the_reference_library() -> None:
    secret = generate_secret(bytes(24))
    assert secret.startswith("whsec_")
    Webhook(secret)  # raises on a malformed secret


@pytest.mark.parametrize("size", [0, 16, 23, 65])
def test_generate_secret_refuses_weak_or_oversized_keys(size: int) -> None:
    with pytest.raises(ValueError, match="random bytes"):
        generate_secret(bytes(size))


def test_signature_header_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="at least one active secret"):
        signature_header([], "msg_1", 1, b"{}")


def test_malformed_secret_error_does_not_echo_the_secret() -> None:
    with pytest.raises(ValueError) as raised:
        sign_payload("whsec_not*base64!", "msg_1", 1, b"{}")
    assert "not*base64" not in str(raised.value)


# --- delivery ---------------------------------------------------------------------------------


def test_delivered_webhook_verifies_with_the_reference_library(
    receiver: Receiver, client: httpx.Client
) -> None:
    attempt = _deliver(client, receiver.url, [SECRET])

    assert attempt == DeliveryAttempt("delivered", 200, None, None, "ok")
    [request] = receiver.requests
    assert request.path == "/hooks/splitship"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == "splitship-webhooks/1"
    assert request.headers["webhook-id"] == "msg_1"
    envelope = Webhook(SECRET).verify(request.body, request.headers)
    assert envelope["type"] == "package.shipped"
    assert envelope["data"] == PAYLOAD
    assert envelope["timestamp"].endswith("Z")


def test_during_rotation_either_secret_verifies(receiver: Receiver, client: httpx.Client) -> None:
    _deliver(client, receiver.url, [SECRET, NEW_SECRET])

    [request] = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    for secret in (SECRET, NEW_SECRET):
        assert Webhook(secret).verify(request.body, request.headers)["data"] == PAYLOAD
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret(bytes(range(50, 82)))).verify(request.body, request.headers)


def test_secrets_are_never_sent_nor_returned(receiver: Receiver, client: httpx.Client) -> None:
    attempt = _deliver(client, receiver.url, [SECRET, NEW_SECRET])

    [request] = receiver.requests
    sent = repr(request.headers) + request.body.decode()
    for secret in (SECRET, NEW_SECRET):
        key = secret.removeprefix("whsec_")
        assert key not in sent
        assert key not in repr(attempt)


@pytest.mark.parametrize(
    ("reply", "outcome", "retry_after_s"),
    [
        (Reply(204, body=b""), "delivered", None),
        (Reply(500, body=b"boom"), "retry", None),
        (Reply(503, headers={"Retry-After": "30"}), "retry", 30.0),
        (Reply(429, headers={"Retry-After": "120"}), "retry", 120.0),
        (Reply(410), "gone", None),
        (Reply(400), "failed", None),
        (Reply(404), "failed", None),
        (Reply(302, headers={"Location": "http://169.254.169.254/"}), "failed", None),
    ],
)
def test_answers_are_classified(
    receiver: Receiver,
    client: httpx.Client,
    reply: Reply,
    outcome: str,
    retry_after_s: float | None,
) -> None:
    receiver.answer(reply)

    attempt = _deliver(client, receiver.url, [SECRET])

    assert attempt.outcome == outcome
    assert attempt.status_code == reply.status
    assert attempt.retry_after_s == retry_after_s
    assert (attempt.error is None) == (outcome == "delivered")
    assert len(receiver.requests) == 1  # a redirect is not followed


def test_retry_after_as_http_date_is_relative_to_now(
    receiver: Receiver, client: httpx.Client
) -> None:
    now = datetime(2025, 3, 5, 12, 0, 0, tzinfo=UTC)
    retry_at = format_datetime(now + timedelta(seconds=90), usegmt=True)
    receiver.answer(Reply(503, headers={"Retry-After": retry_at}))

    attempt = deliver_webhook(client, receiver.url, [SECRET], "msg_2", "x", {}, now)

    assert (attempt.outcome, attempt.retry_after_s) == ("retry", 90.0)


def test_response_excerpt_is_capped(receiver: Receiver, client: httpx.Client) -> None:
    receiver.answer(Reply(500, body=("é" * 3000).encode()))

    attempt = _deliver(client, receiver.url, [SECRET])

    assert attempt.response_excerpt == "é" * 500


def test_timeout_is_retried(receiver: Receiver, client: httpx.Client) -> None:
    receiver.answer(Reply(200, stall_s=10))

    attempt = _deliver(client, receiver.url, [SECRET], timeout_s=0.3)

    assert attempt.outcome == "retry"
    assert attempt.status_code is None
    assert attempt.error is not None
    assert "timed out" in attempt.error


def test_refused_connection_is_retried(client: httpx.Client) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port once the probe socket is closed.

    attempt = _deliver(client, f"http://127.0.0.1:{port}/", [SECRET])

    assert attempt.outcome == "retry"
    assert attempt.status_code is None


def test_naive_now_is_refused(client: httpx.Client) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deliver_webhook(client, "http://x.invalid/", [SECRET], "m", "t", {}, datetime(2025, 1, 1))


# --- endpoint safety --------------------------------------------------------------------------


def _resolver(table: dict[str, list[str]]) -> Callable[[str], list[str]]:
    def resolve(host: str) -> list[str]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    return resolve


DNS = _resolver(
    {
        "localhost": ["127.0.0.1", "::1"],
        "hooks.example.com": ["93.184.216.34"],
        "v6.example.com": ["2606:2800:220:1:248:1893:25c8:1946"],
        "split.example.com": ["93.184.216.34", "10.0.0.7"],
        "intranet.example.com": ["fe80::1%eth0"],
        "cgnat.example.com": ["100.64.1.1"],
        "empty.example.com": [],
    }
)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/hook", "loopback"),
        ("http://127.8.9.10:8080/hook", "loopback"),
        ("https://10.1.2.3/hook", "private"),
        ("https://172.16.5.4/hook", "private"),
        ("http://192.168.1.20/hook", "private"),
        ("http://[::1]/hook", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[::ffff:10.0.0.1]/", "private"),
        ("http://[2002:7f00:1::]/", "loopback"),
        ("http://[fd12:3456::1]/", "private"),
        ("http://224.0.0.1/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://localhost:8000/hook", "loopback"),
        ("https://split.example.com/hook", "private"),
        ("https://intranet.example.com/hook", "link-local"),
        ("https://cgnat.example.com/hook", "non-public"),
    ],
)
def test_non_public_endpoints_are_refused(url: str, reason: str) -> None:
    with pytest.raises(UnsafeEndpoint, match=f"a {reason} address"):
        check_endpoint_url(url, allow_private=False, resolve=DNS)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://hooks.example.com/x", "https://"),
        ("file:///etc/passwd", "https://"),
        ("hooks.example.com/x", "https://"),
        ("https://user:pw@hooks.example.com/x", "user name or password"),
        ("https://token@hooks.example.com/x", "user name or password"),
        ("https:///x", "no host"),
        ("https://hooks.example.com:99999/x", "invalid port"),
        ("https://nowhere.example.com/x", "does not resolve"),
        ("https://empty.example.com/x", "does not resolve"),
    ],
)
def test_malformed_endpoints_are_refused(url: str, message: str) -> None:
    with pytest.raises(UnsafeEndpoint, match=message):
        check_endpoint_url(url, allow_private=True, resolve=DNS)


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example.com/x", "http://v6.example.com:8443/x?k=v", "https://93.184.216.34/"],
)
def test_public_endpoints_are_accepted(url: str) -> None:
    check_endpoint_url(url, allow_private=False, resolve=DNS)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/hook", "http://localhost/", "http://10.0.0.2/"]
)
def test_private_endpoints_are_accepted_when_allowed(url: str) -> None:
    check_endpoint_url(url, allow_private=True, resolve=DNS)


# --- retry policy -----------------------------------------------------------------------------


def test_delay_ceiling_doubles_up_to_the_cap() -> None:
    ceilings = [retry_delay_ceiling(n, base_s=5, cap_s=3600) for n in range(1, 200)]

    assert ceilings[:4] == [5, 10, 20, 40]
    assert ceilings == sorted(ceilings)
    assert max(ceilings) == 3600


def test_jittered_delays_stay_within_the_ceiling_and_spread() -> None:
    rng = random.Random(20250305)
    for attempt in (1, 3, 8, 30):
        ceiling = retry_delay_ceiling(attempt)
        delays = [next_retry_delay(attempt, rng) for _ in range(500)]
        assert all(0 <= d <= ceiling for d in delays)
        # Full jitter: draws cover the range rather than bunching at the ceiling.
        assert min(delays) < ceiling * 0.1
        assert max(delays) > ceiling * 0.9


def test_same_seed_gives_same_delays() -> None:
    first = [next_retry_delay(n, random.Random(7)) for n in range(1, 20)]
    again = [next_retry_delay(n, random.Random(7)) for n in range(1, 20)]
    assert first == again


@given(
    attempt=st.integers(min_value=1, max_value=10_000),
    seed=st.integers(min_value=0, max_value=2**32),
    retry_after=st.one_of(st.none(), st.floats(min_value=0, max_value=86_400)),
)
def test_retry_after_is_a_floor(attempt: int, seed: int, retry_after: float | None) -> None:
    delay = next_retry_delay(attempt, random.Random(seed), retry_after_s=retry_after)

    assert 0 <= delay <= max(3600, retry_after or 0)
    if retry_after is not None:
        assert delay >= retry_after


def test_attempts_count_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        next_retry_delay(0, random.Random(1))


def test_endpoint_is_disabled_after_a_day_of_failures() -> None:
    first = datetime(2025, 3, 5, 8, 0, tzinfo=UTC)

    assert not should_disable(first, first + GIVE_UP_AFTER - timedelta(seconds=1))
    assert should_disable(first, first + GIVE_UP_AFTER)
