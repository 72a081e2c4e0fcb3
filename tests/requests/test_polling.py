"""The poll front: progress polls answered before Flask, only when the answer is certain."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, request, request_started

from cancelsvc.auth.keys import hash_key
from cancelsvc.requests.versions import Head, VersionBook
from cancelsvc.services import services
from models import ApiKey, StaffUser, db
from models.base import utcnow
from tests.conftest import TEST_DATABASE_URL, bearer
from tests.requests.conftest import Api, Clock, customer_headers, make_line, statements

# These tests are about the front: on even when the suite runs with CANCELSVC_POLL_FRONT=off.
pytestmark = pytest.mark.app_config(CANCELSVC_POLL_FRONT="on")


@contextmanager
def flask_requests(app: Flask) -> Iterator[list[str]]:
    """The paths Flask itself handled inside the block (the front's answers are not among them)."""
    seen: list[str] = []

    def note(sender: Any, **extra: Any) -> None:
        seen.append(request.path)

    request_started.connect(note, app)
    try:
        yield seen
    finally:
        request_started.disconnect(note, app)


def book(app: Flask) -> VersionBook:
    return services(app).versions


def listening(app: Flask) -> None:
    """On PostgreSQL, wait until the book listens for changes (it starts on the first read)."""
    if not TEST_DATABASE_URL.startswith("postgresql"):
        return
    deadline = time.monotonic() + 10
    while not book(app)._listening:
        assert time.monotonic() < deadline, "the version book never started listening"
        time.sleep(0.02)


@pytest.fixture
def rid(app: Flask, api: Api) -> str:
    request_id = api.open_request(make_line(device=True))["id"]
    assert api.progress(request_id).status_code == 200  # the first poll: built by Flask, kept
    listening(app)
    return request_id


def test_a_current_copy_gets_304_from_the_front_exactly_as_from_flask(app: Flask, api: Api, rid: str) -> None:
    with flask_requests(app) as handled:
        front = api.progress(rid, **{"If-None-Match": '"v1.zh-CN"', "X-Request-ID": "poll-1"})
    assert handled == [], "Flask was not needed"
    assert front.status_code == 304 and front.get_data() == b""
    # The same answer Flask gives on the full request document (which the front leaves alone).
    with flask_requests(app) as handled:
        flask = api.get(rid, **{"If-None-Match": '"v1.zh-CN"', "X-Request-ID": "poll-1"})
    assert handled == [f"/api/v1/cancellations/{rid}"]
    assert flask.status_code == 304
    assert dict(front.headers) == dict(flask.headers)
    assert front.headers["X-Request-ID"] == "poll-1"
    assert front.headers["Cache-Control"] == "private, max-age=300"


def test_the_kept_document_is_served_for_the_same_version_and_language(app: Flask, api: Api, rid: str) -> None:
    built = api.progress(rid)
    with flask_requests(app) as handled:
        kept = api.progress(rid)
        english = api.progress(rid, lang="en")
    assert handled == [f"/api/v1/cancellations/{rid}/progress"], "only the English document was built"
    assert kept.get_data() == built.get_data() and kept.headers["ETag"] == '"v1.zh-CN"'
    assert english.headers["ETag"] == '"v1.en"' and english.get_json()["version"] == 1
    api.applied(rid, "identity.verified", {"method": "video"})
    with flask_requests(app) as handled:
        changed = api.progress(rid, **{"If-None-Match": '"v1.zh-CN"'})
    assert handled, "a new version is built again"
    assert changed.status_code == 200 and changed.headers["ETag"] == '"v2.zh-CN"'
    assert changed.get_json()["version"] == 2


def test_the_kept_document_follows_the_clock(app: Flask, api: Api, rid: str, clock: Clock) -> None:
    now = clock.at(utcnow())
    api.progress(rid)
    with flask_requests(app) as handled:
        api.progress(rid)
    assert handled == []
    clock.at(now + timedelta(seconds=16))  # node statuses and SLA flags are derived from the clock
    with flask_requests(app) as handled:
        api.progress(rid)
    assert handled == [f"/api/v1/cancellations/{rid}/progress"]


def test_customers_poll_their_own_requests_through_the_front(app: Flask, api: Api) -> None:
    line = make_line()
    owner = customer_headers(line)
    rid = api.open_request(line)["id"]
    assert api.progress(rid, headers=owner).status_code == 200
    listening(app)
    with flask_requests(app) as handled:
        response = api.progress(rid, headers=owner, **{"If-None-Match": '"v1.zh-CN"'})
    assert response.status_code == 304 and handled == []
    stranger = customer_headers(make_line())
    with flask_requests(app) as handled:
        refused = api.progress(rid, headers=stranger, **{"If-None-Match": '"v1.zh-CN"'})
    assert refused.status_code == 404 and handled, "Flask gives the 404, as for a missing request"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer csk_unknown"}, 401),
        ({"Authorization": "Bearer not-a-token"}, 401),
        ({"Authorization": "Basic abc"}, 401),
    ],
    ids=["none", "unknown-key", "bad-token", "other-scheme"],
)
def test_callers_the_front_cannot_vouch_for_go_to_flask(
    app: Flask, api: Api, rid: str, headers: dict[str, str], status: int
) -> None:
    with flask_requests(app) as handled:
        response = api.progress(rid, headers=headers, **{"If-None-Match": '"v1.zh-CN"'})
    assert response.status_code == status and handled
    assert response.headers["Content-Type"] == "application/problem+json"


def test_a_key_without_the_reading_scope_is_refused_by_flask(app: Flask, api: Api, rid: str,
                                                             api_key: Any) -> None:
    headers = bearer(api_key("precheck"))
    with flask_requests(app) as handled:
        response = api.progress(rid, headers=headers, **{"If-None-Match": '"v1.zh-CN"'})
    assert response.status_code == 403 and handled


def test_a_revoked_key_is_refused_at_once(app: Flask, api: Api, rid: str) -> None:
    assert api.progress(rid, **{"If-None-Match": '"v1.zh-CN"'}).status_code == 304  # the key is known now
    key = api.headers["Authorization"].removeprefix("Bearer ")
    db.session.execute(sa.update(ApiKey).where(ApiKey.key_hash == hash_key(key)).values(revoked_at=utcnow()))
    db.session.commit()
    response = api.progress(rid, **{"If-None-Match": '"v1.zh-CN"'})
    assert response.status_code == 401


def test_a_failing_read_leaves_the_answer_to_flask(app: Flask, api: Api, rid: str, api_key: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(book(app)._sql, "key", ("SELECT no_such_column FROM no_such_table", None))
    headers = bearer(api_key("cancellations:read"))  # a key the book has not seen
    with flask_requests(app) as handled:
        response = api.progress(rid, headers=headers, **{"If-None-Match": '"v1.zh-CN"'})
    assert response.status_code == 304 and handled


def test_a_change_announced_during_a_read_is_not_overwritten() -> None:
    shelf = VersionBook(sa.make_url("sqlite:///unused.db"))
    shelf._listening = True
    generation = shelf.reading()
    shelf.forget("r:abc")  # the row changed while it was being read
    shelf._keep(generation, (shelf._requests, "abc", Head(1, "in_progress", 7, None)))
    assert shelf._kept(shelf._requests, "abc") is None
    shelf._keep(shelf.reading(), (shelf._requests, "abc", Head(2, "in_progress", 7, None)))
    assert shelf._kept(shelf._requests, "abc") == Head(2, "in_progress", 7, None)
    shelf._listening = False  # not listening: nothing kept is trusted
    assert shelf._kept(shelf._requests, "abc") is None


def test_an_in_memory_database_turns_the_front_off(make_app: Any) -> None:
    assert make_app(DATABASE_URL="sqlite://", CANCELSVC_POLL_FRONT="on").extensions["cancelsvc.poll_front"].enabled is False


# --- PostgreSQL: answers from memory, kept current by notifications -----------------------

def _change_elsewhere(request_id: str) -> None:
    """Bump the version from another connection, as another process (or an operator) would."""
    engine = sa.create_engine(TEST_DATABASE_URL)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE cancellation_requests SET version = version + 1 WHERE id = :id"),
                         {"id": request_id})
    finally:
        engine.dispose()
    # The tests' requests share one app context and so one session; a served request starts
    # with an empty one, so nothing this test's session loaded earlier may stand in for the row.
    db.session.expire_all()


def _eventually(poll: Any, status: int) -> Any:
    deadline = time.monotonic() + 5
    while (response := poll()).status_code != status:
        assert time.monotonic() < deadline, f"still {response.status_code}"
        time.sleep(0.01)
    return response


@pytest.mark.postgres_only
def test_repeated_polls_need_no_database_round_trip(app: Flask, api: Api, rid: str) -> None:
    api.progress(rid, **{"If-None-Match": '"v1.zh-CN"'})
    with statements() as seen:
        assert api.progress(rid, **{"If-None-Match": '"v1.zh-CN"'}).status_code == 304
        assert api.progress(rid).status_code == 200
    assert seen == []


@pytest.mark.postgres_only
def test_a_change_made_elsewhere_is_seen(app: Flask, api: Api, rid: str) -> None:
    api.progress(rid, **{"If-None-Match": '"v1.zh-CN"'})
    _change_elsewhere(rid)
    response = _eventually(lambda: api.progress(rid, **{"If-None-Match": '"v1.zh-CN"'}), 200)
    assert response.headers["ETag"] == '"v2.zh-CN"'


@pytest.mark.postgres_only
def test_losing_the_channel_forgets_everything_and_recovers(app: Flask, api: Api, rid: str) -> None:
    api.progress(rid, **{"If-None-Match": '"v1.zh-CN"'})
    engine = sa.create_engine(TEST_DATABASE_URL)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE query = 'LISTEN cancelsvc_changes' AND pid <> pg_backend_pid()"))
    finally:
        engine.dispose()
    _change_elsewhere(rid)  # possibly while nobody listens
    response = _eventually(lambda: api.progress(rid, **{"If-None-Match": '"v1.zh-CN"'}), 200)
    assert response.headers["ETag"] == '"v2.zh-CN"'
    listening(app)  # the book listens again
    assert api.progress(rid, **{"If-None-Match": '"v2.zh-CN"'}).status_code == 304


def test_rows_this_process_commits_are_forgotten_at_once(app: Flask, api: Api, rid: str) -> None:
    shelf = book(app)
    shelf._listening = True  # as on PostgreSQL, with the channel up
    shelf._keep(shelf.reading(), (shelf._requests, rid, Head(1, "in_progress", 1, None)),
                (shelf._keys, "some-hash", ["cancellations:read"]))
    db.session.execute(sa.update(ApiKey).values(name="renamed"))  # a statement, not an object
    db.session.commit()
    assert shelf._kept(shelf._keys, "some-hash") is None
    assert shelf._kept(shelf._requests, rid) == Head(1, "in_progress", 1, None)
    api.applied(rid, "identity.verified", {"method": "video"})  # an ORM change of the request
    assert shelf._kept(shelf._requests, rid) is None


@pytest.mark.parametrize("front", ["on", "off"])
def test_the_front_answers_every_caller_as_flask_does(make_app: Any, api: Api, rid: str, api_key: Any,
                                                      front: str) -> None:
    """One credential reading and one visibility rule: the front (when it answers) and Flask agree."""
    owner_line = make_line()
    owned = api.open_request(owner_line)["id"]
    callers = {
        "reader key": api.headers, "admin key": bearer(api_key("admin")), "precheck key": bearer(api_key("precheck")),
        "events key": bearer(api_key("events:write")), "owner": customer_headers(owner_line),
        "other customer": customer_headers(make_line()), "unknown key": bearer("csk_unknown"),
    }
    flask_only = make_app(CANCELSVC_POLL_FRONT="off").test_client()
    for request_id in (rid, owned):
        for name, headers in callers.items():
            for conditional in ({"X-Request-ID": "same"}, {"X-Request-ID": "same", "If-None-Match": '"v1.zh-CN"'}):
                answered = [api.progress(request_id, headers=headers, **conditional) for _ in range(2)][-1]
                expected = flask_only.get(f"/api/v1/cancellations/{request_id}/progress",
                                          headers={**headers, **conditional})
                assert (answered.status_code, answered.get_data()) == (expected.status_code, expected.get_data()), (
                    name, conditional)


@pytest.mark.app_config(CANCELSVC_POLL_FRONT="off")
def test_with_the_front_off_flask_answers_every_poll(app: Flask, api: Api) -> None:
    assert "cancelsvc.poll_front" not in app.extensions
    rid = api.open_request(make_line())["id"]
    assert api.progress(rid).status_code == 200
    with flask_requests(app) as handled:
        assert api.progress(rid, **{"If-None-Match": '"v1.zh-CN"'}).status_code == 304
    assert handled == [f"/api/v1/cancellations/{rid}/progress"]


@pytest.mark.postgres_only
@pytest.mark.parametrize("front", ["on", "off"])
def test_api_keys_are_remembered_until_their_row_changes(make_app: Any, front: str) -> None:
    app = make_app(CANCELSVC_POLL_FRONT=front)
    with app.app_context():
        from tests.factories import ApiKeyFactory
        from tests.requests.conftest import APP_SCOPES
        from tests.requests.conftest import Api as Calls

        api = Calls(app.test_client(), ApiKeyFactory(scopes=list(APP_SCOPES)).clear,
                    ApiKeyFactory(scopes=["events:write"]).clear)
        rid = api.open_request(make_line(device=True))["id"]
        _remembered_until_revoked(app, api, rid)


def _remembered_until_revoked(app: Flask, api: Api, rid: str) -> None:
    listening(app)
    assert api.get(rid).status_code == 200  # any API call: the key is read once, then remembered
    with statements() as seen:
        assert api.get(rid).status_code == 200
    assert not [s for s in seen if "api_keys" in s], seen
    key = api.headers["Authorization"].removeprefix("Bearer ")
    engine = sa.create_engine(TEST_DATABASE_URL)
    try:
        with engine.begin() as conn:  # revoked by another process (or by hand)
            conn.execute(sa.update(ApiKey).where(ApiKey.key_hash == hash_key(key)).values(revoked_at=utcnow()))
    finally:
        engine.dispose()
    assert _eventually(lambda: api.get(rid), 401).get_json()["code"] == "auth.invalid_key"


@pytest.mark.postgres_only
def test_the_signed_in_staff_user_is_remembered_until_their_row_changes(app: Flask, client: Any,
                                                                         clerk: dict[str, str]) -> None:
    listening(app)
    assert client.get("/console/").status_code == 200  # the user is read once, then remembered
    with statements() as seen:
        assert client.get("/console/calls").status_code == 200
    assert not [s for s in seen if "staff_users" in s], seen
    engine = sa.create_engine(TEST_DATABASE_URL)
    try:
        with engine.begin() as conn:  # disabled by another process (or by hand)
            conn.execute(sa.update(StaffUser).where(StaffUser.username == "hz").values(active=False))
    finally:
        engine.dispose()
    response = _eventually(lambda: client.get("/console/"), 302)
    assert "/console/login" in response.headers["Location"]


def test_without_a_change_channel_the_staff_user_is_read_on_every_page(app: Flask, client: Any,
                                                                        clerk: dict[str, str]) -> None:
    listening(app)
    book(app)._listening = False  # as on SQLite, or on PostgreSQL while the listener reconnects
    for _ in range(2):
        with statements() as seen:
            assert client.get("/console/calls").status_code == 200
        assert [s for s in seen if "staff_users" in s], seen


@pytest.mark.postgres_only
def test_without_the_change_triggers_nothing_is_kept(app: Flask) -> None:
    from models.notify import trigger_sql

    engine = sa.create_engine(TEST_DATABASE_URL)
    shelf = VersionBook(sa.make_url(TEST_DATABASE_URL))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TRIGGER customers_notify_change ON customers"))
        shelf.reading()  # starts the listener, which finds a trigger missing
        time.sleep(1.5)
        assert shelf._listening is False
        shelf._keep(shelf.reading(), (shelf._requests, "abc", Head(1, "in_progress", 7, None)))
        assert shelf._kept(shelf._requests, "abc") is None
    finally:
        shelf.dispose()
        with engine.begin() as conn:
            conn.execute(sa.text(trigger_sql("customers")))
        engine.dispose()
