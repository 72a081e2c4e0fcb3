"""Text messages over SMPP 3.4 with ``smpplib``: one persistent transceiver bind per process.

``CANCELSVC_SMS_URL=smpp://SYSTEM_ID:PASSWORD@HOST:PORT?source_addr=10086`` (optional
``window``, the number of ``submit_sm`` outstanding at once, default 10). The bind is opened
by the first message and kept: a reader thread answers ``enquire_link``, sends one after
``ENQUIRE_SECONDS`` of silence, matches ``submit_sm_resp`` to what was submitted, and hands
every ``deliver_sm`` (delivery receipts and the customer's texts) to ``on_inbound``, which
records it before the SMSC gets its ``deliver_sm_resp``: the ``deliver_sm`` already read
(up to ``INBOUND_BATCH``) go to ``on_inbound`` together, to be recorded in one transaction,
and are answered together. A lost connection is reopened with
backoff (1 s doubling to 60 s); meanwhile messages fail as temporary and wait for the jobs.
The reader owns the socket: it closes it when the bind ends (after the ``unbind_resp`` of
``close``, an ``unbind`` from the SMSC, or a lost connection), and whoever lets go of a bind
wakes it with an end of stream and waits for it.

A batch is submitted as a pipeline: every part is sent while the window has room (those
sent together go in one write, on a ``TCP_NODELAY`` socket), and the answers are collected
after; incoming PDUs are read in large chunks.

Chinese (anything outside GSM-7) goes as UCS-2 (``data_coding=8``); long texts as
concatenated parts (UDH); ``registered_delivery=1`` asks for receipts. ``ESME_RTHROTTLED``
and ``ESME_RMSGQFUL`` back off and resubmit the part; other errors are final for the
message (``ESME_RINVDSTADR``: a bad number).
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

from smpplib import consts, exceptions, gsm, smpp
from smpplib.client import Client

from cancelsvc.notifications.transports.base import Outcome, Outgoing

log = logging.getLogger(__name__)

ENQUIRE_SECONDS = 30.0
READ_TIMEOUT = 1.0
RESPONSE_TIMEOUT = 10.0
READ_CHUNK = 65536
#: At most this many ``deliver_sm`` are recorded and answered together.
INBOUND_BATCH = 200
MAX_BACKOFF = 60.0
THROTTLE_PAUSE = 0.5
THROTTLE_RETRIES = 6
#: Statuses after which the same part may be submitted again later.
RETRYABLE = frozenset({consts.SMPP_ESME_RTHROTTLED, consts.SMPP_ESME_RMSGQFUL, consts.SMPP_ESME_RSYSERR})
_RECEIPT = re.compile(r"id:(?P<id>\S+).*?stat:(?P<stat>[A-Z]+)", re.S)


@dataclass(frozen=True)
class Inbound:
    """A ``deliver_sm``: a receipt (``smsc_id`` and ``state``) or a customer's text."""

    receipt: bool
    sender: str
    text: str
    smsc_id: str | None = None
    state: str | None = None


#: Records ``deliver_sm`` received together (all or none: a failure answers them all ``ESME_RX_T_APPN``).
InboundHandler = Callable[[Sequence[Inbound]], None]


class _Client(Client):
    """smpplib's client, safe to send from two threads (the sender and the reader).

    The socket has ``TCP_NODELAY``: with several ``submit_sm`` outstanding, Nagle's algorithm
    would hold each small PDU back until the SMSC acknowledged the previous segment, which a
    delayed ACK puts off by up to 40 ms. Incoming bytes are read in large chunks and cut into
    PDUs here (two ``recv`` per PDU otherwise). Only the reader thread closes the socket
    (``close``), once it stopped reading, so no read ever meets a closed descriptor.
    """

    _socket: socket.socket | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.send_lock = threading.Lock()
        self._inbox = bytearray()

    def _open_socket(self) -> socket.socket:
        if self._socket is None:
            raise exceptions.ConnectionError("not connected")
        return self._socket

    def _create_socket(self) -> socket.socket:
        raw = super()._create_socket()
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cast(socket.socket, raw)

    def send_pdu(self, p: Any) -> bool:
        with self.send_lock:
            return bool(super().send_pdu(p))

    def send_pdus(self, pdus: Sequence[Any]) -> None:
        """Several PDUs in one write (submits coalesced while the window has room)."""
        with self.send_lock:
            for p in pdus:
                if self.state not in consts.COMMAND_STATES[p.command]:
                    raise exceptions.PDUError(f"Command {p.command} failed: not bound")
            try:
                self._open_socket().sendall(b"".join(p.generate() for p in pdus))
            except OSError as error:
                raise exceptions.ConnectionError(str(error)) from error

    def read_pdu(self) -> Any:
        """The next PDU from the buffer, reading more first when it holds less than one."""
        while len(self._inbox) < 4 or len(self._inbox) < int.from_bytes(self._inbox[:4], "big"):
            try:
                chunk = self._open_socket().recv(READ_CHUNK)
            except TimeoutError:
                raise
            except OSError as error:
                raise exceptions.ConnectionError(str(error)) from error
            if not chunk:
                raise exceptions.ConnectionError("end of stream")
            self._inbox += chunk
        length = int.from_bytes(self._inbox[:4], "big")
        if length < 16:
            raise exceptions.PDUError("Broken PDU")
        raw = bytes(self._inbox[:length])
        del self._inbox[:length]
        pdu = smpp.parse_pdu(raw, client=self, allow_unknown_opt_params=self.allow_unknown_opt_params)
        if not pdu.is_error() and pdu.command in consts.STATE_SETTERS:
            self.state = consts.STATE_SETTERS[pdu.command]
        return pdu

    def has_pdu(self) -> bool:
        """Whether a whole PDU is already read (the next ``read_pdu`` does not wait)."""
        return len(self._inbox) >= 4 and len(self._inbox) >= int.from_bytes(self._inbox[:4], "big")

    def wake(self) -> None:
        """End the stream both ways: a reader blocked in ``recv`` returns at once."""
        sock = self._socket
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # not connected any more: the reader is woken already

    def close(self) -> None:
        """Close the socket once; later sends fail as not bound."""
        with self.send_lock:
            sock, self._socket = self._socket, None
            self.state = consts.SMPP_CLIENT_STATE_CLOSED
            if sock is not None:
                sock.close()


class SmppTransport:
    name = "smpp"

    def __init__(self, host: str, port: int, system_id: str, password: str, source_addr: str,
                 window: int = 10, on_inbound: InboundHandler | None = None) -> None:
        self.host, self.port = host, port
        self.system_id, self.password, self.source_addr = system_id, password, source_addr
        self.window = threading.BoundedSemaphore(window)
        self.on_inbound = on_inbound
        self._client: _Client | None = None
        self._reader: threading.Thread | None = None
        self._pending: dict[int, Future[Any]] = {}
        self._pending_lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._backoff = 0.0
        self._down_until = 0.0
        self._last_seen = 0.0
        self.binds = 0  # how many times a bind was opened (tests, metrics)

    @classmethod
    def from_url(cls, url: str, on_inbound: InboundHandler | None = None) -> SmppTransport:
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return cls(parts.hostname or "localhost", parts.port or 2775, unquote(parts.username or ""),
                   unquote(parts.password or ""), query.get("source_addr", ""),
                   window=int(query.get("window", "10")), on_inbound=on_inbound)

    # --- the bind ------------------------------------------------------------------------

    def _bound(self) -> _Client | None:
        """The bound client, opening the bind if needed; None while the SMSC is down (backoff)."""
        client = self._client
        if client is not None and client.state == consts.SMPP_CLIENT_STATE_BOUND_TRX:
            return client
        if time.monotonic() < self._down_until:
            return None
        self._drop("connection to the SMSC lost")
        client = _Client(self.host, self.port, timeout=RESPONSE_TIMEOUT, allow_unknown_opt_params=True,
                         logger_name="cancelsvc.smpp.client")
        try:
            client.connect()
            client.bind_transceiver(system_id=self.system_id, password=self.password)
        except (exceptions.ConnectionError, exceptions.PDUError, OSError) as error:
            self._backoff = min(max(self._backoff * 2, 1.0), MAX_BACKOFF)
            self._down_until = time.monotonic() + self._backoff
            log.warning("SMSC %s:%s unavailable (%s); next try in %.0f s", self.host, self.port,
                        type(error).__name__, self._backoff)
            client.close()  # no reader was started: the socket is closed here
            return None
        self._backoff, self._down_until = 0.0, 0.0
        self._last_seen = time.monotonic()
        client._open_socket().settimeout(READ_TIMEOUT)
        self._client = client
        self.binds += 1
        self._reader = threading.Thread(target=self._read_loop, args=(client,), name="smpp-reader", daemon=True)
        self._reader.start()
        log.info("bound to SMSC %s:%s as transceiver", self.host, self.port)
        return client

    def _drop(self, reason: str) -> None:
        """Let go of the bind: wake the reader with an end of stream and wait until it has
        stopped (it closes the socket); whatever was still outstanding fails."""
        client, reader = self._client, self._reader
        self._client = self._reader = None
        if client is not None:
            client.wake()
        if reader is not None and reader is not threading.current_thread():
            reader.join(RESPONSE_TIMEOUT)
        self._fail_pending(reason)

    def _fail_pending(self, reason: str) -> None:
        with self._pending_lock:
            pending, self._pending = self._pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(ConnectionError(reason))

    def _read_loop(self, client: _Client) -> None:
        """Read until the bind ends (unbound, dropped or lost); then close the socket."""
        delivered: list[Any] = []
        try:
            while self._client is client and client.state == consts.SMPP_CLIENT_STATE_BOUND_TRX:
                try:
                    pdu = client.read_pdu()
                except TimeoutError:
                    if time.monotonic() - self._last_seen > ENQUIRE_SECONDS:
                        self._safe_send(client, smpp.make_pdu("enquire_link", client=client))
                        self._last_seen = time.monotonic()
                    continue
                except (exceptions.ConnectionError, exceptions.PDUError, OSError, ValueError):
                    if self._client is client:
                        log.warning("connection to SMSC %s:%s lost", self.host, self.port)
                        self._client = None
                        self._fail_pending("connection to the SMSC lost")
                    return
                self._last_seen = time.monotonic()
                if pdu.command == "deliver_sm":
                    delivered.append(pdu)
                else:
                    if delivered and pdu.command in ("unbind", "unbind_resp"):
                        self._deliver(client, delivered)  # answered before the bind ends
                        delivered = []
                    self._dispatch(client, pdu)
                if delivered and (len(delivered) >= INBOUND_BATCH or not client.has_pdu()):
                    # Nothing more already read: record what arrived, then answer it.
                    self._deliver(client, delivered)
                    delivered = []
        finally:
            client.close()

    def _dispatch(self, client: _Client, pdu: Any) -> None:
        command = pdu.command
        if command in ("submit_sm_resp", "generic_nack", "enquire_link_resp", "unbind_resp"):
            with self._pending_lock:
                future = self._pending.pop(pdu.sequence, None)
            if future is not None and not future.done():
                future.set_result(pdu)
        elif command == "deliver_sm":
            self._deliver(client, [pdu])
        elif command == "enquire_link":
            resp = smpp.make_pdu("enquire_link_resp", client=client)
            resp.sequence = pdu.sequence
            self._safe_send(client, resp)
        elif command == "unbind":
            resp = smpp.make_pdu("unbind_resp", client=client)
            resp.sequence = pdu.sequence
            self._safe_send(client, resp)
            self._client = None
            self._fail_pending("the SMSC unbound")

    def _deliver(self, client: _Client, pdus: list[Any]) -> None:
        """Record ``deliver_sm`` (receipts, texts) with ``on_inbound``, then answer each of them."""
        status = consts.SMPP_ESME_ROK
        try:
            if self.on_inbound is not None:
                self.on_inbound([parse_deliver(pdu) for pdu in pdus])
        except Exception:
            log.exception("recording %d inbound messages failed; the SMSC will deliver them again", len(pdus))
            status = consts.SMPP_ESME_RX_T_APPN
        answers = []
        for pdu in pdus:
            resp = smpp.make_pdu("deliver_sm_resp", client=client, status=status)
            resp.sequence = pdu.sequence
            answers.append(resp)
        try:
            client.send_pdus(answers)
        except (exceptions.ConnectionError, exceptions.PDUError, OSError):
            log.warning("answering %d deliver_sm to the SMSC failed", len(answers))

    def _safe_send(self, client: _Client, pdu: Any) -> None:
        try:
            client.send_pdu(pdu)
        except (exceptions.ConnectionError, exceptions.PDUError, OSError):
            log.warning("sending %s to the SMSC failed", pdu.command)

    # --- submitting ----------------------------------------------------------------------

    def send_many(self, outgoing: Sequence[Outgoing]) -> list[Outcome]:
        """Submit every part of every message, up to ``window`` outstanding, then collect."""
        with self._send_lock:
            client = self._bound()
            if client is None:
                return [Outcome(False, temporary=True, reason="SMSC unavailable") for _ in outgoing]
            messages = [self._parts(client, out) for out in outgoing]
            futures = iter(self._submit_all(client, [pdu for pdus in messages for pdu in pdus]))
            submitted = [[(pdu, next(futures)) for pdu in pdus] for pdus in messages]
            return [self._collect(client, out, parts) for out, parts in zip(outgoing, submitted, strict=True)]

    def _parts(self, client: _Client, out: Outgoing) -> list[Any]:
        """One ``submit_sm`` per part (UCS-2 or GSM-7; a UDH when concatenated)."""
        parts, encoding, esm_class = gsm.make_parts(out.composed.text)
        return [smpp.make_pdu("submit_sm", client=client, source_addr_ton=consts.SMPP_TON_ALNUM,
                              source_addr_npi=consts.SMPP_NPI_UNK, source_addr=self.source_addr,
                              dest_addr_ton=consts.SMPP_TON_INTL, dest_addr_npi=consts.SMPP_NPI_ISDN,
                              destination_addr=out.address.lstrip("+"), short_message=part,
                              data_coding=encoding, esm_class=esm_class, registered_delivery=1)
                for part in parts]

    def _submit(self, client: _Client, pdu: Any) -> Future[Any] | None:
        """Send one PDU inside the window; its response arrives as the future's result."""
        return self._submit_all(client, [pdu])[0]

    def _submit_all(self, client: _Client, pdus: Sequence[Any]) -> list[Future[Any] | None]:
        """Send PDUs inside the window, each answered through its future (None: no room in
        the window within ``RESPONSE_TIMEOUT``). While the window has room, PDUs wait to be
        written together; when it is full, those waiting are written and the next waits
        for an answer to free a place."""
        futures: list[Future[Any] | None] = []
        waiting: list[tuple[Any, Future[Any]]] = []
        for pdu in pdus:
            if not self.window.acquire(blocking=False):
                self._write(client, waiting)
                waiting = []
                if not self.window.acquire(timeout=RESPONSE_TIMEOUT):
                    futures.append(None)
                    continue
            future: Future[Any] = Future()
            future.add_done_callback(lambda _: self.window.release())
            with self._pending_lock:
                self._pending[pdu.sequence] = future
            waiting.append((pdu, future))
            futures.append(future)
        self._write(client, waiting)
        return futures

    def _write(self, client: _Client, waiting: list[tuple[Any, Future[Any]]]) -> None:
        if not waiting:
            return
        try:
            client.send_pdus([pdu for pdu, _ in waiting])
        except (exceptions.ConnectionError, exceptions.PDUError, OSError) as error:
            with self._pending_lock:
                for pdu, _ in waiting:
                    self._pending.pop(pdu.sequence, None)
            for _, future in waiting:
                if not future.done():
                    future.set_exception(ConnectionError(str(error)))

    def _collect(self, client: _Client, out: Outgoing, parts: list[tuple[Any, Future[Any] | None]]) -> Outcome:
        ids: list[str] = []
        failure: Outcome | None = None
        for pdu, future in parts:
            resp, tries = self._wait(future), 0
            while resp is not None and resp.status in RETRYABLE and tries < THROTTLE_RETRIES:
                tries += 1
                time.sleep(THROTTLE_PAUSE * tries)  # throttled: back off, then the same part again
                pdu.sequence = client.next_sequence()
                resp = self._wait(self._submit(client, pdu))
            if resp is None:
                failure = failure or Outcome(False, temporary=True, reason="no answer from the SMSC")
            elif resp.status != consts.SMPP_ESME_ROK:
                text = consts.DESCRIPTIONS.get(resp.status, "error")
                failure = failure or Outcome(False, temporary=resp.status in RETRYABLE,
                                             reason=f"SMSC 0x{resp.status:02X}: {text}")
            else:
                message_id = resp.message_id
                ids.append(message_id.decode() if isinstance(message_id, bytes) else str(message_id))
        if ids:
            # Once the SMSC accepted a part, the message is never sent again (no duplicate parts).
            return Outcome(True, tuple(ids), parts=len(parts),
                           reason=failure.reason if failure else None)
        return failure or Outcome(False, temporary=True, reason="nothing submitted")

    def _wait(self, future: Future[Any] | None) -> Any:
        if future is None:
            return None
        try:
            return future.result(timeout=RESPONSE_TIMEOUT)
        except (FutureTimeout, ConnectionError):
            return None

    # --- status ---------------------------------------------------------------------------

    def status(self) -> str:
        client = self._client
        return "ok" if client is not None and client.state == consts.SMPP_CLIENT_STATE_BOUND_TRX else "down"

    def close(self) -> None:
        """A graceful stop: ``unbind`` and wait for the SMSC's ``unbind_resp`` (the reader then
        stops and closes the socket), or give up on it after ``RESPONSE_TIMEOUT``."""
        with self._send_lock:
            client = self._client
            if client is not None and client.state == consts.SMPP_CLIENT_STATE_BOUND_TRX:
                self._wait(self._submit(client, smpp.make_pdu("unbind", client=client)))
            self._drop("the bind was closed")


def parse_deliver(pdu: Any) -> Inbound:
    """A ``deliver_sm`` as a receipt (``esm_class`` bit 2, or a ``receipted_message_id``) or a text."""
    raw = pdu.short_message or b""
    coding = getattr(pdu, "data_coding", 0) or 0
    text = raw.decode("utf-16-be", "replace") if coding == consts.SMPP_ENCODING_ISO10646 else \
        raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)
    sender = pdu.source_addr.decode() if isinstance(pdu.source_addr, bytes) else str(pdu.source_addr or "")
    is_receipt = bool((getattr(pdu, "esm_class", 0) or 0) & 0x04) or getattr(pdu, "receipted_message_id", None)
    if not is_receipt:
        return Inbound(False, sender, text)
    found = _RECEIPT.search(text)
    smsc_id = found.group("id") if found else None
    tlv_id = getattr(pdu, "receipted_message_id", None)
    if tlv_id:
        smsc_id = tlv_id.decode() if isinstance(tlv_id, bytes) else str(tlv_id)
    return Inbound(True, sender, text, smsc_id, found.group("stat") if found else "UNKNOWN")
