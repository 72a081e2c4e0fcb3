"""How messages leave: the embedded sink (default), SMTP for e-mail, SMPP 3.4 for text messages.

``transports_for(settings)`` builds the pair used by the sender: one for text messages,
one for e-mail. Neither URL set (as under ``make run``) means both go to the sink, a file
under ``instance/`` showing each message as the customer would read it.
"""

from __future__ import annotations

from cancelsvc.notifications.transports.base import Outcome, Outgoing, Transport

__all__ = ["Outcome", "Outgoing", "Transport"]
