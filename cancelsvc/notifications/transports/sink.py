"""The embedded sink: every message appended to a file, as the customer would read it.

Used when no SMSC or mail server is configured (``make run``), so a newcomer sees what a
demo customer would have received: ``instance/messages.txt`` by default
(``CANCELSVC_MESSAGES_SINK``). The file is the customer's phone and inbox, so it shows the
link; the log only says that a message went out.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path

from cancelsvc.notifications.transports.base import Outcome, Outgoing

_LOCK = threading.Lock()


class SinkTransport:
    name = "sink"

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def send_many(self, outgoing: Sequence[Outgoing]) -> list[Outcome]:
        blocks, outcomes = [], []
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        for out in outgoing:
            parts = out.composed.parts if out.channel == "sms" else 1
            head = f"=== {now} · {out.channel} to {out.masked} · {out.moment} ({out.kind})"
            if out.channel == "sms":
                blocks.append(f"{head} · {parts} part{'s' if parts > 1 else ''}\n{out.composed.text}\n")
            else:
                blocks.append(f"{head}\nSubject: {out.composed.subject}\n\n{out.composed.body}\n")
            outcomes.append(Outcome(True, (f"sink-{uuid.uuid4().hex[:12]}",), parts=parts))
        with _LOCK:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write("\n".join(blocks) + "\n")
        return outcomes

    def status(self) -> str:
        return "embedded"

    def close(self) -> None:
        return None
