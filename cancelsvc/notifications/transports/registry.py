"""The transports of one application, built from its settings and opened when first used."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from cancelsvc.config import Settings
from cancelsvc.notifications.transports.base import Transport
from cancelsvc.notifications.transports.sink import SinkTransport


class MessageTransports:
    """One transport per channel: SMPP or the sink for text, SMTP or the sink for e-mail.

    The SMPP bind is opened by the first text message a process sends and kept (one
    persistent transceiver bind per sender process).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._sms: Transport | None = None
        self._email: Transport | None = None
        self.sink = SinkTransport(settings.CANCELSVC_MESSAGES_SINK)
        #: Called with the ``deliver_sm`` read together (receipts, replies): ``notifications.inbound.record_inbound``.
        self.on_inbound: Callable[[Any], None] | None = None

    def for_channel(self, channel: str) -> Transport:
        return self.sms() if channel == "sms" else self.email()

    def sms(self) -> Transport:
        with self._lock:
            if self._sms is None:
                if self.settings.CANCELSVC_SMS_URL:
                    from cancelsvc.notifications.transports.smpp import SmppTransport

                    self._sms = SmppTransport.from_url(self.settings.CANCELSVC_SMS_URL, on_inbound=self.on_inbound)
                else:
                    self._sms = self.sink
            return self._sms

    def email(self) -> Transport:
        with self._lock:
            if self._email is None:
                if self.settings.CANCELSVC_SMTP_URL:
                    from cancelsvc.notifications.transports.smtp import SmtpTransport

                    self._email = SmtpTransport.from_settings(self.settings)
                else:
                    self._email = self.sink
            return self._email

    def readiness(self) -> dict[str, str]:
        """What ``/readyz`` says about the message channels (never fails the probe)."""
        from cancelsvc.notifications.transports.probe import reachable

        sms = "embedded" if not self.settings.CANCELSVC_SMS_URL else reachable(self.settings.CANCELSVC_SMS_URL)
        mail = "embedded" if not self.settings.CANCELSVC_SMTP_URL else reachable(self.settings.CANCELSVC_SMTP_URL)
        return {"smsc": sms, "smtp": mail}

    def close(self) -> None:
        with self._lock:
            for transport in (self._sms, self._email):
                if transport is not None:
                    transport.close()
            self._sms = self._email = None
