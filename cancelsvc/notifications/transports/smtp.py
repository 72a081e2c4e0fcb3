"""E-mail over SMTP: ``CANCELSVC_SMTP_URL=smtp://USER:PASSWORD@HOST:PORT`` (``smtps://`` for TLS
from the start), ``CANCELSVC_SMTP_STARTTLS=on`` to upgrade a plain connection, from
``CANCELSVC_MAIL_FROM``; each message has a plain-text and an HTML part."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from cancelsvc.config import Settings
from cancelsvc.notifications.transports.base import Outcome, Outgoing

TIMEOUT_SECONDS = 10


class SmtpTransport:
    name = "smtp"

    def __init__(self, host: str, port: int, *, user: str | None, password: str | None, tls: bool,
                 starttls: bool, sender: str) -> None:
        self.host, self.port, self.user, self.password = host, port, user, password
        self.tls, self.starttls, self.sender = tls, starttls, sender

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpTransport:
        url = urlsplit(settings.CANCELSVC_SMTP_URL or "")
        tls = url.scheme == "smtps"
        return cls(url.hostname or "localhost", url.port or (465 if tls else 25),
                   user=unquote(url.username) if url.username else None,
                   password=unquote(url.password) if url.password else None,
                   tls=tls, starttls=settings.CANCELSVC_SMTP_STARTTLS, sender=settings.CANCELSVC_MAIL_FROM)

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        server: smtplib.SMTP
        if self.tls:
            server = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_SECONDS, context=context)
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
            if self.starttls:
                server.starttls(context=context)
        if self.user:
            server.login(self.user, self.password or "")
        return server

    def send_many(self, outgoing: Sequence[Outgoing]) -> list[Outcome]:
        """One connection for the batch; a connection failure is temporary for every message."""
        try:
            server = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            reason = f"mail server unavailable: {type(error).__name__}"
            return [Outcome(False, temporary=True, reason=reason) for _ in outgoing]
        outcomes = []
        try:
            for out in outgoing:
                outcomes.append(self._send(server, out))
        finally:
            try:
                server.quit()
            except (OSError, smtplib.SMTPException):
                pass
        return outcomes

    def _send(self, server: smtplib.SMTP, out: Outgoing) -> Outcome:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, out.address, out.composed.subject
        message_id = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        mail["Message-ID"] = message_id
        mail.set_content(out.composed.body)
        mail.add_alternative(out.composed.html, subtype="html")
        try:
            server.send_message(mail)
        except smtplib.SMTPRecipientsRefused:
            return Outcome(False, reason="the mail server refused the address")
        except smtplib.SMTPResponseException as error:
            return Outcome(False, temporary=400 <= error.smtp_code < 500, reason=f"SMTP {error.smtp_code}")
        except (OSError, smtplib.SMTPException) as error:
            return Outcome(False, temporary=True, reason=f"mail server unavailable: {type(error).__name__}")
        return Outcome(True, (message_id.strip("<>")[:64],))

    def status(self) -> str:
        return "ok"

    def close(self) -> None:
        return None
