"""``keys list|revoke`` and ``users list|disable|reset-password``."""

from __future__ import annotations

import re
from typing import Any

from cancelsvc.auth.passwords import verify_password
from models import ApiKey, AuditRecord, StaffUser
from tests.conftest import bearer
from tests.factories import ApiKeyFactory, StaffUserFactory


def _new_key(runner: Any, name: str = "store app") -> str:
    result = runner.invoke(args=["keys", "create", "--name", name, "--scopes", "precheck"])
    return re.search(r"^(csk_[A-Za-z0-9_-]{40})$", result.output, re.M).group(1)


def test_keys_list_shows_prefixes_never_the_keys(runner: Any, db: Any) -> None:
    clear = _new_key(runner)
    result = runner.invoke(args=["keys", "list"])
    assert result.exit_code == 0
    assert clear[:12] in result.output and clear not in result.output
    assert "store app" in result.output and "precheck" in result.output and "active" in result.output
    assert result.output.splitlines()[0].split("\t") == ["id", "prefix", "name", "scopes", "created", "state"]


def test_keys_list_without_keys_says_so(runner: Any, db: Any) -> None:
    assert runner.invoke(args=["keys", "list"]).output == "no API keys\n"


def test_revoked_key_is_refused_from_its_next_use_and_the_revocation_is_audited(
        runner: Any, client: Any, db: Any) -> None:
    clear = _new_key(runner)
    assert client.get("/api/v1/prechecks/none", headers=bearer(clear)).status_code == 404
    result = runner.invoke(args=["keys", "revoke", clear[:12]])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/prechecks/none", headers=bearer(clear)).status_code == 401
    row = db.session.query(ApiKey).one()
    assert row.revoked_at is not None and "revoked" in runner.invoke(args=["keys", "list"]).output
    record = db.session.query(AuditRecord).filter_by(action="api_key.revoked").one()
    assert record.actor == "cli" and record.subject_id == str(row.id)
    assert runner.invoke(args=["keys", "revoke", str(row.id)]).exit_code == 0  # again: no change
    assert db.session.query(AuditRecord).filter_by(action="api_key.revoked").count() == 1


def test_revoking_an_unknown_or_ambiguous_key_says_so(runner: Any, db: Any) -> None:
    ApiKeyFactory(clear="csk_SAMEPREFIX" + "a" * 28)
    ApiKeyFactory(clear="csk_SAMEPREFIX" + "b" * 28)
    unknown = runner.invoke(args=["keys", "revoke", "csk_nope"])
    assert unknown.exit_code != 0 and "no key" in unknown.output
    ambiguous = runner.invoke(args=["keys", "revoke", "csk_SAMEPREF"])
    assert ambiguous.exit_code != 0 and "several keys" in ambiguous.output
    assert db.session.query(ApiKey).filter(ApiKey.revoked_at.isnot(None)).count() == 0


def test_users_list_disable_and_reset_password(runner: Any, db: Any) -> None:
    StaffUserFactory(username="wang", role="clerk", store_code="HZ-001", password="correct horse battery")
    assert "wang\tclerk\tHZ-001\tactive" in runner.invoke(args=["users", "list"]).output
    short = runner.invoke(args=["users", "reset-password", "wang", "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "password" in short.output
    reset = runner.invoke(args=["users", "reset-password", "wang", "--password-stdin"], input="a brand new secret\n")
    assert reset.exit_code == 0, reset.output
    db.session.expire_all()
    user = db.session.query(StaffUser).one()
    assert verify_password(user.password_hash, "a brand new secret")
    assert not verify_password(user.password_hash, "correct horse battery")
    assert runner.invoke(args=["users", "disable", "wang"]).exit_code == 0
    assert "wang\tclerk\tHZ-001\tdisabled" in runner.invoke(args=["users", "list"]).output
    actions = {r.action for r in db.session.query(AuditRecord)}
    assert {"staff_user.password_reset", "staff_user.disabled"} <= actions
    assert all("brand new" not in str(r.data) for r in db.session.query(AuditRecord))
    missing = runner.invoke(args=["users", "disable", "nobody"])
    assert missing.exit_code != 0 and "nobody" in missing.output


def test_a_disabled_user_is_signed_out_on_the_next_request(runner: Any, client: Any, db: Any) -> None:
    from tests.test_auth import _login

    StaffUserFactory(username="wang", password="correct horse battery")
    _login(client, "wang", "correct horse battery")
    assert client.get("/console/").status_code == 200
    runner.invoke(args=["users", "disable", "wang"])
    response = client.get("/console/")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]
