"""SMPP 3.4 against the test SMSC on localhost: bind, submit, UCS-2, concatenation, receipts,
throttling, a bad number, reconnecting, enquire_link and the customer's texts."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import pytest
from smpplib import consts

from cancelsvc.notifications.compose import Composed
from cancelsvc.notifications.transports import smpp as smpp_transport
from cancelsvc.notifications.transports.base import Outgoing
from cancelsvc.notifications.transports.smpp import Inbound, SmppTransport
from tests.notifications.smsc import LocalSmsc


@pytest.fixture
def inbound() -> list[Inbound]:
    return []


@pytest.fixture
def transport(smsc: LocalSmsc, inbound: list[Inbound]) -> Iterator[SmppTransport]:
    t = SmppTransport.from_url(smsc.url, on_inbound=inbound.extend)
    yield t
    t.close()


def out(text: str, to: str = "+8613800138000", mid: str = "m1") -> Outgoing:
    return Outgoing(mid, "sms", to, "+86 138****8000", "test", "essential", Composed(text, "", "", ""))


def wait_for(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_chinese_goes_as_ucs2_in_concatenated_parts_with_receipts(
        smsc: LocalSmsc, transport: SmppTransport, inbound: list[Inbound]) -> None:
    text = "【移动】" + "您的销户申请已受理" * 10  # 94 characters: two UCS-2 parts
    [outcome] = transport.send_many([out(text)])
    assert outcome.accepted and outcome.parts == 2 and len(outcome.smsc_ids) == 2
    subs = smsc.state.submitted
    assert [s.data_coding for s in subs] == [8, 8] and all(s.esm_class & 0x40 for s in subs)
    assert all(s.registered_delivery == 1 and s.destination == "8613800138000" and s.source == "10086" for s in subs)
    assert "".join(smsc.texts()) == text
    wait_for(lambda: len(inbound) == 2)
    assert {(i.receipt, i.smsc_id, i.state) for i in inbound} == {(True, sid, "DELIVRD") for sid in outcome.smsc_ids}
    # Each deliver_sm is answered once recorded (the answer follows the handler).
    wait_for(lambda: len(smsc.state.deliver_resps) == 2)
    assert smsc.state.deliver_resps == [0, 0] and smsc.state.binds == 1


def test_gsm7_text_fits_one_part_and_the_bind_is_kept(smsc: LocalSmsc, transport: SmppTransport) -> None:
    outcomes = transport.send_many([out("[Mobile] Your request is received.", mid=str(i)) for i in range(20)])
    assert all(o.accepted and o.parts == 1 for o in outcomes)
    assert len({o.smsc_ids[0] for o in outcomes}) == 20
    assert {s.data_coding for s in smsc.state.submitted} == {0}
    transport.send_many([out("again")])
    assert smsc.state.binds == 1 and transport.binds == 1


def test_throttling_backs_off_and_resubmits(smsc: LocalSmsc, transport: SmppTransport,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(smpp_transport, "THROTTLE_PAUSE", 0.01)
    smsc.state.throttle_next = 3
    [outcome] = transport.send_many([out("hello")])
    assert outcome.accepted and len(smsc.state.submitted) == 1


def test_a_bad_number_fails_for_good_with_a_reason(smsc: LocalSmsc, transport: SmppTransport) -> None:
    smsc.state.bad_numbers.add("8613800000000")
    good, bad = transport.send_many([out("hello"), out("hello", to="+8613800000000")])
    assert good.accepted
    assert not bad.accepted and not bad.temporary and bad.reason == "SMSC 0x0B: Invalid Destination Address"


def test_smsc_down_is_temporary_then_the_bind_is_reopened(monkeypatch: pytest.MonkeyPatch) -> None:
    smsc = LocalSmsc()
    url = smsc.url
    smsc.stop()
    transport = SmppTransport.from_url(url)
    [outcome] = transport.send_many([out("hello")])
    assert not outcome.accepted and outcome.temporary and outcome.reason == "SMSC unavailable"
    assert transport.status() == "down"
    # Within the backoff, no new connection is tried.
    [again] = transport.send_many([out("hello")])
    assert again.reason == "SMSC unavailable" and transport.binds == 0
    transport.close()


def test_a_dropped_connection_is_reopened(smsc: LocalSmsc, transport: SmppTransport) -> None:
    assert transport.send_many([out("one")])[0].accepted
    smsc.drop_connections()
    wait_for(lambda: transport.status() == "down")
    assert transport.send_many([out("two")])[0].accepted
    assert transport.binds == 2 and smsc.state.binds == 2


def test_a_wrong_password_is_refused(smsc: LocalSmsc) -> None:
    transport = SmppTransport.from_url(smsc.url.replace(":secret@", ":wrong@"))
    [outcome] = transport.send_many([out("hello")])
    assert not outcome.accepted and outcome.temporary and smsc.state.binds == 0
    transport.close()


def test_customers_texts_arrive_and_enquire_link_keeps_the_bind(
        smsc: LocalSmsc, transport: SmppTransport, inbound: list[Inbound], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(smpp_transport, "ENQUIRE_SECONDS", 0.2)
    transport.send_many([out("hello")])
    wait_for(lambda: len(inbound) == 1)
    smsc.mo("+8613800138000", "退订")
    smsc.mo("+8613800138000", "CX")
    wait_for(lambda: len(inbound) == 3)
    assert [(i.receipt, i.sender, i.text) for i in inbound[1:]] == [(False, "8613800138000", "退订"),
                                                                     (False, "8613800138000", "CX")]
    wait_for(lambda: smsc.state.enquire_links >= 1, timeout=5)
    transport.close()
    assert smsc.state.unbinds == 1


def test_closing_unbinds_cleanly_with_receipts_still_arriving(
        smsc: LocalSmsc, inbound: list[Inbound], caplog: pytest.LogCaptureFixture) -> None:
    # The reader stops on the SMSC's unbind_resp and closes the socket itself: nothing reads a
    # closed descriptor ("Bad file descriptor") and no socket is left open ("was not closed").
    for round_ in range(5):
        transport = SmppTransport.from_url(smsc.url, on_inbound=inbound.extend)
        assert all(o.accepted for o in transport.send_many([out("hello", mid=str(i)) for i in range(30)]))
        client, reader = transport._client, transport._reader
        assert client is not None and reader is not None
        transport.close()
        assert not reader.is_alive() and client._socket is None and transport.status() == "down"
        assert smsc.state.unbinds == round_ + 1
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_submits_are_not_held_back_by_nagle(smsc: LocalSmsc, transport: SmppTransport) -> None:
    assert transport.send_many([out("hello")])[0].accepted
    assert transport._client is not None
    assert transport._client._socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_receipts_read_together_are_recorded_together_then_answered(smsc: LocalSmsc) -> None:
    calls: list[int] = []
    transport = SmppTransport.from_url(smsc.url, on_inbound=lambda batch: calls.append(len(batch)))
    assert all(o.accepted for o in transport.send_many([out("hello", mid=str(i)) for i in range(40)]))
    wait_for(lambda: len(smsc.state.deliver_resps) == 40)
    assert sum(calls) == 40 and smsc.state.deliver_resps == [0] * 40
    transport.close()


def test_receipts_that_could_not_be_recorded_are_refused_for_redelivery(smsc: LocalSmsc) -> None:
    def fails(batch: object) -> None:
        raise RuntimeError("database down")

    transport = SmppTransport.from_url(smsc.url, on_inbound=fails)
    assert all(o.accepted for o in transport.send_many([out("hello", mid=str(i)) for i in range(5)]))
    wait_for(lambda: len(smsc.state.deliver_resps) == 5)
    assert smsc.state.deliver_resps == [consts.SMPP_ESME_RX_T_APPN] * 5
    transport.close()
