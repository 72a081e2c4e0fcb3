"""E-mail over SMTP against aiosmtpd on localhost: text and HTML parts, login, STARTTLS refused
by a server without it, a refused address, and a server that is down."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

from cancelsvc.config import Settings
from cancelsvc.notifications.compose import compose
from cancelsvc.notifications.transports.base import Outgoing
from cancelsvc.notifications.transports.smtp import SmtpTransport


class Inbox:
    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []
        self.envelopes: list[Envelope] = []

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        if address.startswith("nobody@"):
            return "550 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        self.mails.append(email.message_from_bytes(envelope.content, _class=EmailMessage, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = auth_data.login == b"mailer" and auth_data.password == b"s3cret"
    return AuthResult(success=ok)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd connects to its port to check it started)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port, authenticator=_authenticator,
                            auth_require_tls=False)
    controller.start()
    yield handler, port
    controller.stop()


def transport(port: int, **extra: str) -> SmtpTransport:
    return SmtpTransport.from_settings(Settings.load({}, {
        "CANCELSVC_SMTP_URL": f"smtp://mailer:s3cret@127.0.0.1:{port}", "CANCELSVC_MAIL_FROM": "care@example.cn",
        **extra}))


def mail(to: str = "wei@example.com") -> Outgoing:
    composed = compose("withdrawn", "zh-CN", {"code": "ABCDEFGHJKMN"}, operator="移动", hotline="10086",
                       link="https://example.cn/t/ABCDEFGHJKMN?k=7KQ3M9X2PR")
    return Outgoing("m1", "email", to, "w***@example.com", "withdrawn", "essential", composed)


def test_a_message_goes_with_a_text_and_an_html_part(inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    [outcome] = transport(port).send_many([mail()])
    assert outcome.accepted and outcome.smsc_ids[0].endswith("@example.cn")
    [received] = handler.mails
    assert received["From"] == "care@example.cn" and received["To"] == "wei@example.com"
    assert received["Subject"] == "关于您的销户申请ABCDEFGHJKMN"
    plain = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert "您的销户申请ABCDEFGHJKMN已撤回" in plain and plain.startswith("您好：")
    assert '<html lang="zh-CN">' in html and "已撤回" in html


def test_a_refused_address_fails_for_good_and_a_wrong_login_or_a_dead_server_waits(inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    good, refused = transport(port).send_many([mail(), mail("nobody@example.com")])
    assert good.accepted and not refused.accepted and not refused.temporary
    assert refused.reason == "the mail server refused the address"
    bad_login = SmtpTransport.from_settings(Settings.load({}, {
        "CANCELSVC_SMTP_URL": f"smtp://mailer:wrong@127.0.0.1:{port}"}))
    [outcome] = bad_login.send_many([mail()])
    assert not outcome.accepted and outcome.temporary
    [down] = transport(1).send_many([mail()])
    assert not down.accepted and down.temporary and down.reason == "mail server unavailable: ConnectionRefusedError"


def test_starttls_is_asked_for_when_configured(inbox: tuple[Inbox, int]) -> None:
    _, port = inbox
    [outcome] = transport(port, CANCELSVC_SMTP_STARTTLS="on").send_many([mail()])
    # This local server offers no STARTTLS: the transport refuses to send in clear instead.
    assert not outcome.accepted and outcome.temporary and "SMTPNotSupportedError" in (outcome.reason or "")
