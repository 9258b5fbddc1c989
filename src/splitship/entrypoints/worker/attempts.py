"""One attempt at one delivery: a signed webhook POST or an SMTP send, outside any transaction.

Both answer with the webhook module's ``DeliveryAttempt`` so the dispatcher treats them alike:
delivered, retry (transient), gone (410: disable the endpoint) or failed (permanent).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from datetime import datetime

import httpx

from splitship.adapters.db.outbox import Claim
from splitship.adapters.notify.smtp import EmailDeliveryError, SmtpSettings, build_email, send_email
from splitship.adapters.notify.webhooks import DeliveryAttempt, UnsafeEndpoint, deliver_webhook
from splitship.config import Settings

SMTP_PORT_IMPLICIT_TLS = 465


def smtp_settings(settings: Settings, timeout_s: float) -> SmtpSettings | None:
    """The relay from the environment, or None when no SMTP host is configured."""
    if not settings.smtp_host:
        return None
    return SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        # Port 465 speaks TLS from the first byte (RFC 8314); every other port may offer STARTTLS.
        use_ssl=settings.smtp_port == SMTP_PORT_IMPLICIT_TLS,
        starttls=settings.smtp_starttls,
        timeout_s=timeout_s,
        sender=settings.smtp_sender,
    )


def attempt_webhook(
    client: httpx.Client,
    claim: Claim,
    now: datetime,
    timeout_s: float,
    check_url: Callable[[str, bool], None],
) -> DeliveryAttempt:
    if claim.url is None or not claim.secrets:
        return DeliveryAttempt("failed", None, "the endpoint was deleted", None, "")
    if not claim.allow_private:
        # Checked again at every attempt: the host may resolve elsewhere than when it was saved.
        try:
            check_url(claim.url, False)
        except UnsafeEndpoint as exc:
            return DeliveryAttempt("failed", None, f"not sent: {exc}", None, "")
    return deliver_webhook(
        client,
        claim.url,
        claim.secrets,
        claim.id,
        str(claim.message["type"]),
        claim.message["data"],
        now,
        timeout_s,
    )


def attempt_email(
    smtp: SmtpSettings | None, claim: Claim, tls_context: ssl.SSLContext | None = None
) -> DeliveryAttempt:
    if smtp is None:
        # Transient: configuring the relay within the retry window still sends the mail.
        error = "SMTP is not configured: set SPLITSHIP_SMTP_HOST (and port, sender)"
        return DeliveryAttempt("retry", None, error, None, "")
    m = claim.message
    message = build_email(
        m["from"],
        m["to"],
        m["subject"],
        m["text"],
        m["html"],
        # The Message-ID derives from the event: a resend is recognisably the same message.
        claim.event_id,
        headers={"X-Splitship-Event": claim.event_name, "Auto-Submitted": "auto-generated"},
        sent_at=claim.created_at,
    )
    try:
        send_email(smtp, message, tls_context)
    except EmailDeliveryError as exc:
        if exc.transient:
            return DeliveryAttempt("retry", exc.smtp_code, str(exc), None, "")
        return DeliveryAttempt("failed", exc.smtp_code, str(exc), None, "")
    return DeliveryAttempt("delivered", None, None, None, "")
