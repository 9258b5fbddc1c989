"""Buyer e-mails sent through a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from splitship.adapters.notify.emails import BuyerEmailContext, render_buyer_email
from splitship.adapters.notify.smtp import (
    EmailDeliveryError,
    SmtpSettings,
    build_email,
    send_email,
)

CONTEXT = BuyerEmailContext(
    shop_name="Acme Outdoor",
    order_external_id="576461413038",
    tracking_page_url="https://track.acme.example/t/Zk3q9xYw",
    buyer_name="Li Wei",
    package_number=1,
    package_count=3,
    carrier_name="UPS",
    tracking_number="1Z999AA10123456784",
    tracking_url="https://www.ups.example/track?tracknum=1Z999AA10123456784",
    eta_earliest=date(2025, 3, 5),
    eta_latest=date(2025, 3, 8),
)
SENDER = "Acme Outdoor <orders@acme.example>"
BUYER = "Li Wei <li.wei@buyer.example>"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls: bool
    authenticated: bool


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it receives and answers DATA with ``reply``."""

    reply: str = "250 Message accepted for delivery"
    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                message,
                session.ssl is not None,
                bool(session.authenticated),
            )
        )
        return self.reply


def _free_port() -> int:
    # aiosmtpd's Controller cannot listen on port 0, so borrow a free port from the OS.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_server(mailbox: Mailbox, **options: Any) -> Iterator[int]:
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def _settings(port: int, **overrides: Any) -> SmtpSettings:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "sender": "bounces@acme.example",
        "timeout_s": 5,
        "local_hostname": "worker.test",
    }
    values.update(overrides)
    return SmtpSettings(**values)


def _email(locale: str, message_id: str = "evt_01HZX4S7") -> EmailMessage:
    rendered = render_buyer_email("package_shipped", locale, CONTEXT)
    return build_email(
        SENDER,
        BUYER,
        rendered.subject,
        rendered.text,
        rendered.html,
        message_id,
        headers={"X-Splitship-Event": "package_shipped"},
        sent_at=datetime(2025, 3, 3, 9, 30, tzinfo=UTC),
    )


@pytest.mark.parametrize(("locale", "subject_word"), [("en", "shipped"), ("zh_Hans", "已发货")])
def test_buyer_email_arrives_whole(locale: str, subject_word: str) -> None:
    mailbox = Mailbox()
    sent = _email(locale)

    with smtp_server(mailbox) as port:
        send_email(_settings(port), sent)

    [received] = mailbox.received
    assert received.mail_from == "bounces@acme.example"
    assert received.rcpt_tos == ["li.wei@buyer.example"]
    message = received.message
    assert message["Subject"] == sent["Subject"]
    assert subject_word in message["Subject"]
    assert message["To"] == BUYER
    assert message["Message-ID"] == "<evt_01HZX4S7@acme.example>"
    assert message["X-Splitship-Event"] == "package_shipped"
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert isinstance(plain, EmailMessage)
    assert isinstance(html, EmailMessage)
    for body in (plain.get_content(), html.get_content()):
        assert CONTEXT.tracking_page_url in body
        assert "1Z999AA10123456784" in body


def test_same_event_gives_same_message_id() -> None:
    assert _email("en")["Message-ID"] == _email("zh_Hans")["Message-ID"]
    assert _email("en", "evt_2")["Message-ID"] != _email("en", "evt_3")["Message-ID"]


def test_odd_event_ids_still_give_a_valid_deterministic_message_id() -> None:
    first = _email("en", "shop 7/evt <1>")["Message-ID"]
    assert first == _email("en", "shop 7/evt <1>")["Message-ID"]
    assert " " not in first and first.endswith("@acme.example>")


def test_rejected_message_is_a_permanent_error() -> None:
    with (
        smtp_server(Mailbox(reply="550 5.7.1 Message rejected as spam")) as port,
        pytest.raises(EmailDeliveryError) as raised,
    ):
        send_email(_settings(port), _email("en"))

    assert raised.value.transient is False
    assert raised.value.smtp_code == 550
    assert "rejected as spam" in str(raised.value)


def test_deferred_message_is_a_transient_error() -> None:
    with (
        smtp_server(Mailbox(reply="451 4.3.0 Try again later")) as port,
        pytest.raises(EmailDeliveryError) as raised,
    ):
        send_email(_settings(port), _email("en"))

    assert raised.value.transient is True
    assert raised.value.smtp_code == 451


def test_unreachable_server_is_a_transient_error() -> None:
    port = _free_port()  # closed again: nothing listens there

    with pytest.raises(EmailDeliveryError) as raised:
        send_email(_settings(port), _email("en"))

    assert raised.value.transient is True
    assert raised.value.smtp_code is None


def test_required_starttls_that_is_not_offered_is_refused() -> None:
    mailbox = Mailbox()
    with (
        smtp_server(mailbox) as port,
        pytest.raises(EmailDeliveryError, match="does not offer STARTTLS") as raised,
    ):
        send_email(_settings(port, starttls="always"), _email("en"))

    assert raised.value.transient is False
    assert mailbox.received == []


def test_credentials_are_never_sent_in_clear() -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        settings = _settings(port, username="relay-user", password="s3cret-pw")
        with pytest.raises(EmailDeliveryError, match="unencrypted") as raised:
            send_email(settings, _email("en"))

    assert raised.value.transient is False
    assert "s3cret-pw" not in str(raised.value)
    assert "s3cret-pw" not in repr(settings)
    assert mailbox.received == []


def test_username_without_password_is_refused() -> None:
    with pytest.raises(ValueError, match="together"):
        _settings(25, username="relay-user")


# --- STARTTLS with a self-signed certificate (needs the openssl command) -----------------------


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _accept_relay_user(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (b"relay-user", b"s3cret-pw")
    return AuthResult(success=ok)


def test_starttls_then_login_then_send(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    client_tls = ssl.create_default_context(cafile=str(cert))
    mailbox = Mailbox()

    with smtp_server(
        mailbox,
        tls_context=server_tls,
        require_starttls=True,
        authenticator=_accept_relay_user,
        auth_required=True,
    ) as port:
        settings = _settings(port, starttls="always", username="relay-user", password="s3cret-pw")
        send_email(settings, _email("zh_Hans"), tls_context=client_tls)

    [received] = mailbox.received
    assert received.tls and received.authenticated
    assert "已发货" in received.message["Subject"]


def test_untrusted_certificate_is_not_accepted(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    mailbox = Mailbox()

    with (
        smtp_server(mailbox, tls_context=server_tls) as port,
        pytest.raises(EmailDeliveryError, match="TLS with SMTP server") as raised,
    ):
        # The default context trusts the system's CAs only, not this self-signed cert.
        send_email(_settings(port), _email("en"))

    assert raised.value.transient is True
    assert mailbox.received == []
