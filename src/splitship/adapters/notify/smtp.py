"""E-mail through an SMTP relay: build a multipart message, send it, classify failures.

``EmailDeliveryError.transient`` tells the outbox dispatcher whether to retry later (4xx replies,
connection problems) or to give up (5xx replies, a relay that cannot do what the settings ask).
"""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from types import MappingProxyType
from typing import Literal

__all__ = ["EmailDeliveryError", "SmtpSettings", "build_email", "send_email"]

StartTls = Literal["auto", "always", "never"]


@dataclass(frozen=True, kw_only=True)
class SmtpSettings:
    """How to reach the relay. ``sender`` is the envelope sender, where bounces go.

    ``local_hostname`` is the EHLO name; ``None`` lets smtplib ask the system for its FQDN.
    """

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    use_ssl: bool = False
    starttls: StartTls = "auto"
    timeout_s: float = 10
    sender: str
    local_hostname: str | None = None

    def __post_init__(self) -> None:
        if (self.username is None) != (self.password is None):
            raise ValueError("SMTP username and password must be given together")
        if self.starttls not in ("auto", "always", "never"):
            raise ValueError(f"starttls must be auto, always or never, not {self.starttls!r}")


class EmailDeliveryError(Exception):
    """Sending failed. ``transient``: the same message may succeed later, so retry it."""

    def __init__(self, message: str, *, transient: bool, smtp_code: int | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.smtp_code = smtp_code


def _connect(settings: SmtpSettings, context: ssl.SSLContext) -> smtplib.SMTP:
    if settings.use_ssl:
        return smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            local_hostname=settings.local_hostname,
            timeout=settings.timeout_s,
            context=context,
        )
    return smtplib.SMTP(
        settings.host,
        settings.port,
        local_hostname=settings.local_hostname,
        timeout=settings.timeout_s,
    )


def _secure(smtp: smtplib.SMTP, settings: SmtpSettings, context: ssl.SSLContext) -> bool:
    """Upgrade to TLS when the settings ask for it; return whether the session is encrypted."""
    if settings.use_ssl:
        return True
    if settings.starttls == "never":
        return False
    if not smtp.has_extn("starttls"):
        if settings.starttls == "always":
            raise EmailDeliveryError(
                f"SMTP server {settings.host}:{settings.port} does not offer STARTTLS, which the "
                "settings require; fix the relay or set starttls to 'auto'",
                transient=False,
            )
        return False
    smtp.starttls(context=context)
    smtp.ehlo()  # The pre-TLS EHLO answer must be discarded (RFC 3207).
    return True


def _deliver(
    settings: SmtpSettings, message: EmailMessage, context: ssl.SSLContext
) -> dict[str, tuple[int, bytes]]:
    smtp = _connect(settings, context)
    try:
        smtp.ehlo()
        encrypted = _secure(smtp, settings, context)
        if settings.username is not None and settings.password is not None:
            if not encrypted:
                raise EmailDeliveryError(
                    "refusing to send SMTP credentials over an unencrypted connection; "
                    "use STARTTLS or use_ssl",
                    transient=False,
                )
            smtp.login(settings.username, settings.password)
        return smtp.send_message(message, from_addr=settings.sender)
    finally:
        _close(smtp)


def _close(smtp: smtplib.SMTP) -> None:
    # Once DATA was accepted the message is the relay's: a failed QUIT must not turn a delivered
    # message into an error, or the retry would send it twice.
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def send_email(
    settings: SmtpSettings, message: EmailMessage, tls_context: ssl.SSLContext | None = None
) -> None:
    """Send ``message`` through the relay, or raise ``EmailDeliveryError``.

    ``tls_context`` defaults to the system's verifying context; tests pass one trusting their own
    certificate.
    """
    context = tls_context if tls_context is not None else ssl.create_default_context()
    where = f"{settings.host}:{settings.port}"
    try:
        refused = _deliver(settings, message, context)
    except EmailDeliveryError:
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        codes = sorted({code for code, _ in exc.recipients.values()})
        raise EmailDeliveryError(
            f"SMTP server {where} refused every recipient (codes {codes})",
            transient=all(400 <= code < 500 for code in codes),
            smtp_code=codes[-1] if codes else None,
        ) from None
    except smtplib.SMTPResponseException as exc:
        reply = exc.smtp_error
        if isinstance(reply, bytes):
            reply = reply.decode("utf-8", "replace")
        raise EmailDeliveryError(
            f"SMTP server {where} answered {exc.smtp_code} {reply}",
            transient=400 <= exc.smtp_code < 500,
            smtp_code=exc.smtp_code,
        ) from None
    except smtplib.SMTPServerDisconnected as exc:
        raise EmailDeliveryError(
            f"SMTP server {where} closed the connection: {exc}", transient=True
        ) from None
    except smtplib.SMTPException as exc:
        # What is left (no AUTH offered, no common AUTH mechanism, SMTPUTF8 not supported) is a
        # mismatch between relay and settings; retrying the same message changes nothing.
        raise EmailDeliveryError(f"SMTP server {where}: {exc}", transient=False) from None
    except ssl.SSLError as exc:
        # Transient like any connection failure: a relay's certificate problem hits every message,
        # and dropping them all would be worse than retrying until someone fixes it.
        raise EmailDeliveryError(
            f"TLS with SMTP server {where} failed: {exc}", transient=True
        ) from None
    except OSError as exc:
        raise EmailDeliveryError(
            f"cannot reach SMTP server {where}: {exc}", transient=True
        ) from None
    if refused:
        # Some recipients have the message already; resending would duplicate it for them.
        codes = sorted({code for code, _ in refused.values()})
        raise EmailDeliveryError(
            f"SMTP server {where} accepted the message but refused {len(refused)} recipient(s) "
            f"(codes {codes})",
            transient=False,
            smtp_code=codes[-1],
        )


# --- building ---------------------------------------------------------------------------------

_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
# Set by build_email itself; letting callers pass them would make two messages out of one event.
_RESERVED_HEADERS = frozenset(
    {
        "from",
        "to",
        "subject",
        "message-id",
        "date",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
    }
)
_NO_HEADERS: Mapping[str, str] = MappingProxyType({})


def _message_id(message_id: str, sender: str) -> str:
    local = message_id if _DOT_ATOM.fullmatch(message_id) else None
    if local is None:
        # Still deterministic: the same id always hashes to the same Message-ID.
        local = hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:32]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "splitship.invalid"
    return f"<{local}@{domain}>"


def build_email(
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    headers: Mapping[str, str] = _NO_HEADERS,
    sent_at: datetime | None = None,
) -> EmailMessage:
    """A multipart/alternative message (plain text first, HTML preferred by capable readers).

    The ``Message-ID`` derives from ``message_id`` only, so a retried event sends the same
    message id and receivers can recognise the duplicate. Pass ``sent_at`` to set ``Date``.
    """
    reserved = sorted(name for name in headers if name.lower() in _RESERVED_HEADERS)
    if reserved:
        raise ValueError(f"headers {reserved} are set by build_email itself")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = _message_id(message_id, sender)
    if sent_at is not None:
        message["Date"] = format_datetime(sent_at)
    for name, value in headers.items():
        message[name] = value
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
