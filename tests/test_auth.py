"""Every credential kind: API keys, customer JWTs (HS256 and RS256), staff sessions."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from cancelsvc.auth.keys import create_key, hash_key
from cancelsvc.auth.passwords import verify_password
from cancelsvc.auth.principal import Principal
from cancelsvc.customers.service import find_account
from cancelsvc.errors import NotFound
from models import ApiKey, StaffUser
from tests.conftest import JWT_SECRET, bearer
from tests.factories import AccountFactory, ApiKeyFactory, CustomerFactory, StaffUserFactory

ME = "/api/v1/customers/me/accounts"


def token(sub: str, *, secret: str = JWT_SECRET, aud: str = "cancelsvc", exp_in: int | None = 3600,
          alg: str = "HS256", key: Any = None) -> str:
    claims: dict[str, Any] = {"sub": sub, "aud": aud}
    if exp_in is not None:
        claims["exp"] = datetime.now(UTC) + timedelta(seconds=exp_in)
    return jwt.encode(claims, key or secret, algorithm=alg)


# --- API keys -------------------------------------------------------------------------

def test_keys_are_stored_only_as_hashes(app: Any, db: Any) -> None:
    row, clear = create_key("app backend", ["precheck"])
    db.session.commit()
    stored = db.session.get(ApiKey, row.id)
    assert clear.startswith("csk_") and len(clear) > 40
    assert stored.key_hash == hash_key(clear) and clear not in (stored.key_hash, stored.prefix)


def test_keys_create_cli_prints_the_key_once(runner: Any, db: Any) -> None:
    result = runner.invoke(args=["keys", "create", "--name", "store app", "--scopes", "precheck,cancellations:read"])
    assert result.exit_code == 0, result.output
    clear = re.search(r"^(csk_\S+)$", result.output, re.M).group(1)
    row = db.session.query(ApiKey).one()
    assert row.key_hash == hash_key(clear)
    assert row.scopes == ["cancellations:read", "precheck"]


def test_keys_create_rejects_unknown_scope(runner: Any, db: Any) -> None:
    result = runner.invoke(args=["keys", "create", "--name", "x", "--scopes", "precheck,superuser"])
    assert result.exit_code != 0 and "superuser" in result.output
    assert db.session.query(ApiKey).count() == 0


@pytest.mark.parametrize(
    ("credential", "status", "code"),
    [
        ("csk_unknown-key-000000000000000000000000", 401, "auth.invalid_key"),
        ("revoked", 401, "auth.invalid_key"),
        ("wrong-scope", 403, "auth.forbidden"),
    ],
)
def test_bad_api_keys(client: Any, app: Any, credential: str, status: int, code: str) -> None:
    if credential == "revoked":
        credential = ApiKeyFactory(revoked_at=datetime.now(UTC)).clear
    elif credential == "wrong-scope":
        credential = ApiKeyFactory(scopes=["events:write"]).clear
    response = client.get(ME, headers=bearer(credential))
    assert response.status_code == status
    assert response.get_json()["code"] == code


def test_non_bearer_scheme_is_401(client: Any) -> None:
    response = client.get(ME, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401


# --- customer tokens --------------------------------------------------------------------

def test_customer_sees_only_their_own_accounts(client: Any, app: Any) -> None:
    mine = AccountFactory(msisdn="+8613800138000")
    AccountFactory(customer=mine.customer, msisdn="+8613800138001")
    AccountFactory(msisdn="+8613900000000")  # someone else
    response = client.get(ME, headers=bearer(token(mine.customer.external_id)))
    assert response.status_code == 200
    numbers = [a["msisdn"] for a in response.get_json()["items"]]
    assert numbers == ["+8613800138000", "+8613800138001"]  # the customer sees their number in full
    first = response.get_json()["items"][0]
    assert first["plan"] == {"code": "5G-128", "monthly_fee": {"amount": "128.00", "currency": "CNY"}}


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda sub: token(sub, exp_in=-120), "auth.token_expired"),
        (lambda sub: token(sub, aud="someone-else"), "auth.invalid_token"),
        (lambda sub: token(sub, exp_in=None), "auth.invalid_token"),
        (lambda sub: token(sub, secret="another-secret-of-sufficient-length-000000"), "auth.invalid_token"),
        (lambda sub: token(sub)[:-3] + ("AAA" if not token(sub).endswith("AAA") else "BBB"), "auth.invalid_token"),
        (lambda sub: token("C-NOBODY"), "auth.invalid_token"),
        (lambda sub: "not.a.jwt", "auth.invalid_token"),
        (lambda sub: jwt.encode({"sub": sub, "aud": "cancelsvc", "exp": 9999999999}, None, algorithm="none"),
         "auth.invalid_token"),
    ],
    ids=["expired", "wrong-audience", "no-exp", "wrong-secret", "tampered-signature", "unknown-customer",
         "garbage", "alg-none"],
)
def test_bad_customer_tokens(client: Any, app: Any, make: Any, code: str) -> None:
    customer = CustomerFactory()
    response = client.get(ME, headers=bearer(make(customer.external_id)))
    assert response.status_code == 401
    assert response.get_json()["code"] == code


def test_rs256_tokens_with_a_configured_public_key(make_app: Any) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    app = make_app(CANCELSVC_JWT_PUBLIC_KEY=public_pem, CANCELSVC_JWT_SECRET=None)
    with app.app_context():
        account = AccountFactory()
        sub = account.customer.external_id
    client = app.test_client()
    ok = client.get(ME, headers=bearer(token(sub, alg="RS256", key=private)))
    assert ok.status_code == 200 and len(ok.get_json()["items"]) == 1
    # An HS256 token is refused when only a public key is configured.
    assert client.get(ME, headers=bearer(token(sub))).status_code == 401


def test_rs256_public_key_from_a_file_is_read_again_when_the_file_changes(make_app: Any, tmp_path: Any) -> None:
    import os

    def pem(private: Any) -> str:
        return private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    old, new = (rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2))
    key_file = tmp_path / "idp.pem"
    key_file.write_text(pem(old))
    app = make_app(CANCELSVC_JWT_PUBLIC_KEY=str(key_file), CANCELSVC_JWT_SECRET=None)
    with app.app_context():
        sub = AccountFactory().customer.external_id
    client = app.test_client()
    assert client.get(ME, headers=bearer(token(sub, alg="RS256", key=old))).status_code == 200
    key_file.write_text(pem(new))  # the operator rotates the identity provider's key
    stat = key_file.stat()
    os.utime(key_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert client.get(ME, headers=bearer(token(sub, alg="RS256", key=new))).status_code == 200
    assert client.get(ME, headers=bearer(token(sub, alg="RS256", key=old))).status_code == 401


def test_tokens_customer_cli_mints_a_working_token(runner: Any, client: Any) -> None:
    account = AccountFactory()
    result = runner.invoke(args=["tokens", "customer", account.customer.external_id])
    assert result.exit_code == 0
    response = client.get(ME, headers=bearer(result.output.strip()))
    assert response.status_code == 200


def test_another_customers_account_is_not_found(app: Any) -> None:
    mine, theirs = AccountFactory(), AccountFactory()
    me = Principal(kind="customer", ref=mine.customer.external_id, customer_id=mine.customer_id)
    assert find_account(me, mine.msisdn).id == mine.id
    assert find_account(me, "138 " + mine.msisdn[6:10] + " " + mine.msisdn[10:]).id == mine.id
    with pytest.raises(NotFound):
        find_account(me, theirs.msisdn)
    with pytest.raises(NotFound):
        find_account(me, str(theirs.id))


def test_clerks_see_their_store_only(app: Any) -> None:
    here, there = AccountFactory(store_code="HZ-001"), AccountFactory(store_code="SH-001")
    clerk = Principal(kind="staff", ref="1", role="clerk", store_code="HZ-001")
    admin = Principal(kind="staff", ref="2", role="admin")
    assert find_account(clerk, here.msisdn).id == here.id
    with pytest.raises(NotFound):
        find_account(clerk, there.msisdn)
    assert find_account(admin, there.msisdn).id == there.id


# --- staff ----------------------------------------------------------------------------

def test_users_create_hashes_the_password(runner: Any, db: Any) -> None:
    result = runner.invoke(
        args=["users", "create", "--username", "li.clerk", "--role", "clerk", "--store", "HZ-001", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.query(StaffUser).one()
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, "a long enough password")
    assert not verify_password(user.password_hash, "wrong")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "clerk"], "a long enough password\n", "store"),
        (["--role", "admin"], "short\n", "password"),
    ],
)
def test_users_create_rejects_bad_input(runner: Any, db: Any, args: list[str], stdin: str, message: str) -> None:
    result = runner.invoke(args=["users", "create", "--username", "u", *args, "--password-stdin"], input=stdin)
    assert result.exit_code != 0 and message in result.output
    assert db.session.query(StaffUser).count() == 0


def _login(client: Any, username: str, password: str) -> Any:
    page = client.get("/console/login")
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post("/console/login", data={"username": username, "password": password, "csrf_token": csrf})


def test_staff_login_logout_and_session(client: Any, app: Any) -> None:
    StaffUserFactory(username="wang", password="correct horse battery")
    assert _login(client, "wang", "wrong password").status_code == 401
    response = _login(client, "wang", "correct horse battery")
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/")
    home = client.get("/console/")
    assert "wang" in home.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client: Any, app: Any) -> None:
    StaffUserFactory(username="wang", password="correct horse battery")
    response = client.post("/console/login", data={"username": "wang", "password": "correct horse battery"})
    assert response.status_code == 200 and "/console/" not in response.headers.get("Location", "")


def test_inactive_staff_cannot_log_in(client: Any, app: Any) -> None:
    StaffUserFactory(username="gone", password="correct horse battery", active=False)
    assert _login(client, "gone", "correct horse battery").status_code == 401


def test_staff_session_is_not_a_customer(client: Any, app: Any) -> None:
    StaffUserFactory(username="wang", password="correct horse battery")
    _login(client, "wang", "correct horse battery")
    response = client.get(ME)
    assert response.status_code == 403


@pytest.mark.parametrize(("kind", "role", "own", "asked", "expected"), [
    ("staff", "clerk", "HZ-001", None, (True, "HZ-001")),
    ("staff", "clerk", "HZ-001", "HZ-001", (True, "HZ-001")),
    ("staff", "supervisor", "HZ-001", "SH-002", (False, "HZ-001")),
    ("staff", "clerk", None, None, (False, None)),
    ("staff", "admin", None, None, (True, None)),
    ("staff", "admin", None, "SH-002", (True, "SH-002")),
    ("api_key", None, None, "SH-002", (True, "SH-002")),
    ("api_key", None, None, None, (True, None)),
])
def test_store_lists_are_scoped_to_the_callers_store(kind: Any, role: str | None, own: str | None,
                                                     asked: str | None, expected: tuple[bool, str | None]) -> None:
    from cancelsvc.auth.principal import Principal

    assert Principal(kind, "1", role=role, store_code=own).store_scope(asked) == expected
