"""A small SMPP 3.4 SMSC for the tests, on 127.0.0.1: the real protocol, over real sockets.

It binds transceivers (checking system_id and password), answers ``submit_sm`` with message
ids, sends a delivery receipt for each part that asked for one (``DELIVRD`` unless the test
scripted another state for the number), refuses numbers listed as bad
(``ESME_RINVDSTADR``), throttles the next N submissions (``ESME_RTHROTTLED``), answers
``enquire_link`` and ``unbind``, and delivers mobile-originated texts (``mo``). PDUs are
parsed and built with smpplib's PDU classes (the server side of the same library).
"""

from __future__ import annotations

import itertools
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from smpplib import consts, smpp
from smpplib.client import SimpleSequenceGenerator


@dataclass
class Submitted:
    destination: str
    source: str
    text_bytes: bytes
    data_coding: int
    esm_class: int
    registered_delivery: int
    message_id: str


@dataclass
class SmscState:
    system_id: str = "cancelsvc"
    password: str = "secret"
    submitted: list[Submitted] = field(default_factory=list)
    binds: int = 0
    enquire_links: int = 0
    unbinds: int = 0
    deliver_resps: list[int] = field(default_factory=list)
    bad_numbers: set[str] = field(default_factory=set)
    receipt_states: dict[str, str] = field(default_factory=dict)  # destination → stat
    throttle_next: int = 0
    receipts: bool = True


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def setup(self) -> None:
        self.sequence = SimpleSequenceGenerator()
        self.lock = threading.Lock()
        self.bound = False
        self.server.sessions.append(self)

    def finish(self) -> None:
        if self in self.server.sessions:
            self.server.sessions.remove(self)

    def send(self, *pdus: Any) -> None:
        data = b"".join(pdu.generate() for pdu in pdus)
        with self.lock:
            self.request.sendall(data)

    def make(self, command: str, **kwargs: Any) -> Any:
        return smpp.make_pdu(command, client=self.sequence, **kwargs)

    def handle(self) -> None:
        state = self.server.state
        for raw in _pdus(self.request):
            pdu = smpp.parse_pdu(raw, client=self.sequence, allow_unknown_opt_params=True)
            command = pdu.command
            if command == "bind_transceiver":
                ok = _text(pdu.system_id) == state.system_id and _text(pdu.password) == state.password
                resp = self.make("bind_transceiver_resp", system_id="testsmsc",
                                 status=consts.SMPP_ESME_ROK if ok else consts.SMPP_ESME_RBINDFAIL)
                resp.sequence = pdu.sequence
                self.send(resp)
                if ok:
                    self.bound = True
                    state.binds += 1
            elif command == "submit_sm":
                self._submit(pdu)
            elif command == "enquire_link":
                state.enquire_links += 1
                resp = self.make("enquire_link_resp")
                resp.sequence = pdu.sequence
                self.send(resp)
            elif command == "unbind":
                state.unbinds += 1
                resp = self.make("unbind_resp")
                resp.sequence = pdu.sequence
                self.send(resp)
                return
            elif command == "deliver_sm_resp":
                state.deliver_resps.append(pdu.status)

    def _submit(self, pdu: Any) -> None:
        state = self.server.state
        destination = _text(pdu.destination_addr)
        status, message_id = consts.SMPP_ESME_ROK, ""
        with self.server.counter_lock:
            if state.throttle_next > 0:
                state.throttle_next -= 1
                status = consts.SMPP_ESME_RTHROTTLED
            elif destination in state.bad_numbers:
                status = consts.SMPP_ESME_RINVDSTADR
            else:
                message_id = f"M{next(self.server.ids):07d}"
                state.submitted.append(Submitted(destination, _text(pdu.source_addr), pdu.short_message,
                                                 pdu.data_coding, pdu.esm_class, pdu.registered_delivery,
                                                 message_id))
        resp = self.make("submit_sm_resp", message_id=message_id, status=status)
        resp.sequence = pdu.sequence
        if message_id and pdu.registered_delivery and state.receipts:
            stat = state.receipt_states.get(destination, "DELIVRD")
            receipt = self._deliver_sm(destination, f"id:{message_id} sub:001 dlvrd:001 submit date:2612022100 "
                                                    f"done date:2612022100 stat:{stat} err:000 text:", receipt=True)
            self.send(resp, receipt)  # the receipt right behind the answer, in one write
        else:
            self.send(resp)

    def deliver(self, sender: str, text: str, *, receipt: bool = False) -> None:
        self.send(self._deliver_sm(sender, text, receipt=receipt))

    def _deliver_sm(self, sender: str, text: str, *, receipt: bool = False) -> Any:
        ucs2 = not text.isascii()
        body = text.encode("utf-16-be") if ucs2 else text.encode("ascii")
        return self.make("deliver_sm", source_addr_ton=1, source_addr=sender, dest_addr_ton=5,
                         destination_addr="10086", esm_class=0x04 if receipt else 0,
                         data_coding=consts.SMPP_ENCODING_ISO10646 if ucs2 else 0, short_message=body)


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, state: SmscState) -> None:
        self.state = state
        self.sessions: list[_Handler] = []
        self.ids = itertools.count(1)
        self.counter_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)


class LocalSmsc:
    """Start with ``LocalSmsc()``; ``url`` is what ``CANCELSVC_SMS_URL`` takes; ``stop()`` at the end."""

    def __init__(self, state: SmscState | None = None) -> None:
        self.state = state or SmscState()
        self.server = _Server(self.state)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"smpp://{self.state.system_id}:{self.state.password}@127.0.0.1:{self.port}?source_addr=10086"

    def mo(self, sender: str, text: str) -> None:
        """A customer's text, delivered to the first bound session."""
        self.wait_bound()
        self.server.sessions[0].deliver(sender.lstrip("+"), text)

    def wait_bound(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(s.bound for s in self.server.sessions):
            if time.monotonic() > deadline:
                raise TimeoutError("nobody bound to the test SMSC")
            time.sleep(0.01)

    def drop_connections(self) -> None:
        """The SMSC goes away for its clients (connections closed)."""
        for session in list(self.server.sessions):
            try:
                session.request.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self) -> None:
        self.drop_connections()
        self.server.shutdown()
        self.server.server_close()

    def texts(self) -> list[str]:
        """The submitted parts as text (UDH removed), in order."""
        out = []
        for sub in self.state.submitted:
            body = sub.text_bytes
            if sub.esm_class & 0x40:
                body = body[body[0] + 1:]
            out.append(body.decode("utf-16-be") if sub.data_coding == 8 else body.decode("latin-1"))
        return out


def _pdus(sock: socket.socket) -> Iterator[bytes]:
    """The PDUs the client sends, read in large chunks, until it closes the connection."""
    buffer = bytearray()
    while True:
        while len(buffer) < 4 or len(buffer) < int.from_bytes(buffer[:4], "big"):
            try:
                chunk = sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return  # closed (mid-PDU or not): the session ends
            buffer += chunk
        length = int.from_bytes(buffer[:4], "big")
        if length < 16:
            return  # not SMPP: drop the connection
        yield bytes(buffer[:length])
        del buffer[:length]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")
