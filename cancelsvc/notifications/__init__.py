"""Telling the customer: text messages and e-mail at the right moments (issue 13).

- ``moments``: outbox subscribers that queue a ``Message`` in the transaction of the change
  that causes it (``queue``), with quiet hours, merging and reminders (``policy``);
- ``sender``: the ``messages.send`` sweeper; the address is found when a message is sent
  (``routing``), the text composed in its language (``compose``) and handed to a transport
  (``transports``: the embedded sink, SMTP, SMPP);
- ``inbound``: delivery receipts and the customer's texts (``replies``);
- ``history``, ``routes``, ``cli``: what was sent, through the API and ``flask messages``.
"""
