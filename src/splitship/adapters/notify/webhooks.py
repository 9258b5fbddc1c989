"""Webhook delivery to seller endpoints, signed per the Standard Webhooks specification.

The outbox dispatcher calls ``deliver_webhook`` once per attempt and decides from the returned
``DeliveryAttempt`` whether to retry (``next_retry_delay``), disable the endpoint (``gone``, or
``should_disable`` after ``GIVE_UP_AFTER`` of failures) or give up on the message (``failed``).
Nothing here logs, and no secret ever appears in a result or an error message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import json
import random
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urlsplit

import httpx

__all__ = [
    "GIVE_UP_AFTER",
    "DeliveryAttempt",
    "UnsafeEndpoint",
    "check_endpoint_url",
    "deliver_webhook",
    "generate_secret",
    "next_retry_delay",
    "parse_retry_after",
    "resolve_host",
    "retry_delay_ceiling",
    "should_disable",
    "sign_payload",
    "signature_header",
]

SECRET_PREFIX = "whsec_"
# The spec asks for keys of 24 to 64 bytes: shorter is guessable, longer buys nothing.
MIN_SECRET_BYTES = 24
MAX_SECRET_BYTES = 64
USER_AGENT = "splitship-webhooks/1"
EXCERPT_CHARS = 500
# Read a little more than the excerpt needs (multi-byte UTF-8) and never the whole body: a hostile
# endpoint could answer with gigabytes.
_EXCERPT_READ_BYTES = EXCERPT_CHARS * 4
GIVE_UP_AFTER = timedelta(days=1)

Outcome = Literal["delivered", "retry", "gone", "failed"]


class UnsafeEndpoint(ValueError):
    """A webhook URL that must not be called: wrong scheme, credentials, or a non-public address."""


@dataclass(frozen=True)
class DeliveryAttempt:
    outcome: Outcome
    status_code: int | None
    error: str | None
    retry_after_s: float | None
    response_excerpt: str


# --- signing ----------------------------------------------------------------------------------


def _secret_key(secret: str) -> bytes:
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        # The message names the format only: the value itself is a secret.
        raise ValueError("webhook secret is not 'whsec_' followed by base64") from None
    if not key:
        raise ValueError("webhook secret is empty")
    return key


def sign_payload(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Return ``v1,<base64 HMAC-SHA256>`` of ``{msg_id}.{timestamp}.{body}``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_header(secrets: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """One signature per active secret, so receivers on either side of a rotation verify."""
    if not secrets:
        # An unsigned webhook would be indistinguishable from a forged one.
        raise ValueError("a webhook endpoint needs at least one active secret")
    return " ".join(sign_payload(s, msg_id, timestamp, body) for s in secrets)


def generate_secret(token_bytes: bytes) -> str:
    """Wrap caller-supplied random bytes (``secrets.token_bytes(32)``) as ``whsec_<base64>``."""
    if not MIN_SECRET_BYTES <= len(token_bytes) <= MAX_SECRET_BYTES:
        raise ValueError(
            f"a webhook secret needs {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} random bytes, "
            f"got {len(token_bytes)}"
        )
    return SECRET_PREFIX + base64.b64encode(token_bytes).decode("ascii")


# --- endpoint safety (SSRF) -------------------------------------------------------------------


def resolve_host(host: str) -> list[str]:
    """Every address ``host`` resolves to, via the system resolver."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def _non_public_reason(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1 (mapped) and 2002:7f00:1:: (6to4) carry an IPv4 address that they
        # may reach; judge that one.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return _non_public_reason(embedded)
    checks = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        # Catches what the flags above miss, e.g. carrier-grade NAT (100.64.0.0/10).
        ("non-public", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


def check_endpoint_url(
    url: str, allow_private: bool, resolve: Callable[[str], list[str]] = resolve_host
) -> None:
    """Raise ``UnsafeEndpoint`` unless ``url`` is http(s), has no credentials, and every address
    its host resolves to is public (any address may be allowed with ``allow_private``, for dev).
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise UnsafeEndpoint(
            f"webhook URL must start with https:// or http://, not {parts.scheme or 'nothing'!r}"
        )
    if parts.username is not None or parts.password is not None:
        raise UnsafeEndpoint(
            "webhook URL must not contain a user name or password; "
            "the signature authenticates the request"
        )
    host = parts.hostname
    if not host:
        raise UnsafeEndpoint("webhook URL has no host name")
    try:
        _ = parts.port
    except ValueError:
        raise UnsafeEndpoint("webhook URL has an invalid port") from None
    try:
        # A literal address needs no lookup, and a resolver must not be trusted to echo it.
        addresses = [ipaddress.ip_address(host)]
        where = "webhook URL points to"
    except ValueError:
        addresses = _resolved_addresses(host, resolve)
        where = f"webhook host {host!r} resolves to"
    if allow_private:
        return
    for address in addresses:
        reason = _non_public_reason(address)
        if reason is not None:
            raise UnsafeEndpoint(
                f"{where} {address}, a {reason} address; "
                "webhooks are only sent to public internet addresses"
            )


def _resolved_addresses(
    host: str, resolve: Callable[[str], list[str]]
) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        found = resolve(host)
    except (OSError, UnicodeError):
        found = []
    if not found:
        raise UnsafeEndpoint(f"webhook host {host!r} does not resolve; check the URL's spelling")
    # getaddrinfo writes IPv6 link-local addresses with a zone ("fe80::1%eth0").
    return [ipaddress.ip_address(a.split("%", 1)[0]) for a in found]


# --- delivery ---------------------------------------------------------------------------------


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or HTTP-date), if valid."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _read_excerpt(response: httpx.Response) -> str:
    collected = bytearray()
    try:
        for chunk in response.iter_bytes():
            collected += chunk
            if len(collected) >= _EXCERPT_READ_BYTES:
                break
    except httpx.HTTPError:
        pass  # The status is what counts; a body cut short still makes a useful excerpt.
    return collected.decode("utf-8", errors="replace")[:EXCERPT_CHARS]


def _classify(status: int, retry_after_s: float | None, excerpt: str) -> DeliveryAttempt:
    if 200 <= status < 300:
        return DeliveryAttempt("delivered", status, None, None, excerpt)
    if status == 410:
        error = "endpoint answered 410 Gone; it must be disabled"
        return DeliveryAttempt("gone", status, error, None, excerpt)
    if status == 429 or status >= 500:
        return DeliveryAttempt(
            "retry", status, f"endpoint answered {status}", retry_after_s, excerpt
        )
    if 300 <= status < 400:
        # Redirects are not followed: the target was never checked by check_endpoint_url.
        error = f"endpoint answered a redirect ({status}); configure the final URL instead"
        return DeliveryAttempt("failed", status, error, None, excerpt)
    return DeliveryAttempt("failed", status, f"endpoint answered {status}", None, excerpt)


def deliver_webhook(
    client: httpx.Client,
    url: str,
    secrets: Sequence[str],
    msg_id: str,
    event_type: str,
    payload: Mapping[str, object],
    now: datetime,
    timeout_s: float = 10,
) -> DeliveryAttempt:
    """POST one signed event to ``url`` and classify the answer.

    The body is the Standard Webhooks envelope ``{"type", "timestamp", "data"}``; the bytes sent
    are exactly the bytes signed. ``msg_id`` stays the same across retries of one event, so
    receivers can de-duplicate.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    envelope = {
        "type": event_type,
        "timestamp": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "data": payload,
    }
    body = json.dumps(envelope, separators=(",", ":")).encode("utf-8")
    timestamp = int(now.timestamp())
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets, msg_id, timestamp, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }
    try:
        with client.stream(
            "POST", url, content=body, headers=headers, timeout=timeout_s, follow_redirects=False
        ) as response:
            excerpt = _read_excerpt(response)
            retry_after = parse_retry_after(response.headers.get("retry-after"), now)
            return _classify(response.status_code, retry_after, excerpt)
    except httpx.TimeoutException:
        return DeliveryAttempt("retry", None, f"timed out after {timeout_s:g} s", None, "")
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        return DeliveryAttempt("failed", None, f"invalid webhook URL: {exc}", None, "")
    except httpx.TransportError as exc:
        return DeliveryAttempt("retry", None, f"{type(exc).__name__}: {exc}", None, "")


# --- retry policy -----------------------------------------------------------------------------


def retry_delay_ceiling(attempt: int, base_s: float = 5, cap_s: float = 3600) -> float:
    """The upper bound of the jittered delay after failed attempt number ``attempt`` (from 1)."""
    if attempt < 1:
        raise ValueError(f"attempt counts from 1, got {attempt}")
    if base_s <= 0 or cap_s < base_s:
        raise ValueError("need 0 < base_s <= cap_s")
    # Clamp the exponent: 2**n beyond this already exceeds any sensible cap and would overflow.
    return min(cap_s, base_s * (1 << min(attempt - 1, 60)))


def next_retry_delay(
    attempt: int,
    rng: random.Random,
    retry_after_s: float | None = None,
    base_s: float = 5,
    cap_s: float = 3600,
) -> float:
    """Seconds to wait before the next attempt: exponential backoff with full jitter.

    Full jitter (uniform between 0 and the ceiling) spreads retries of many failed messages so
    a recovering endpoint is not hit by all of them at once. An endpoint's ``Retry-After`` wins
    when it asks for longer, even beyond the cap.
    """
    delay = rng.uniform(0, retry_delay_ceiling(attempt, base_s, cap_s))
    if retry_after_s is not None:
        delay = max(delay, retry_after_s)
    return delay


def should_disable(first_failure_at: datetime, now: datetime) -> bool:
    """Whether an endpoint failing since ``first_failure_at`` has failed long enough to disable."""
    return now - first_failure_at >= GIVE_UP_AFTER
