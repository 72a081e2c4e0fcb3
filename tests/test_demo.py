"""`demo seed`: a realistic data set and working credentials."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from cancelsvc.auth.keys import hash_key
from models import Account, ApiKey, Store
from models.base import utcnow
from tests.conftest import bearer
from tests.requests.conftest import console_csrf, console_login


def test_demo_seed_loads_accounts_and_prints_working_credentials(
    runner: Any, client: Any, db: Any, tmp_path: Path
) -> None:
    result = _seed(runner, tmp_path / "demo-api-key")
    assert db.session.query(Account).count() >= 30
    assert {s.city for s in db.session.query(Store)} >= {"杭州", "上海", "北京", "广州", "成都"}
    key = re.search(r"(csk_\S+)", result.output).group(1)
    assert db.session.query(ApiKey).filter_by(key_hash=hash_key(key)).one().revoked_at is None
    assert "clerk.hz / " in result.output
    customer_token = re.search(r"Customer token \(C-1001, 24 h\): (\S+)", result.output).group(1)
    accounts = client.get("/api/v1/customers/me/accounts", headers=bearer(customer_token)).get_json()["items"]
    assert len(accounts) == 2
    link = re.search(r"Customer tracking page \(\+86 138\*\*\*\*0008, or the last 4 digits 0008\): "
                     r"http://127\.0\.0\.1:5000(/t/\w+\?k=\w+)", result.output)
    assert link, result.output
    page = client.get(link.group(1))
    assert page.status_code == 200 and 'id="tracking"' in page.get_data(as_text=True)
    # The demo's open request is in the Chengdu store's queue, and nowhere in Hangzhou's.
    tracking_code = link.group(1).split("/")[2].split("?")[0]
    for username, sees in (("clerk.cd", True), ("clerk.hz", False)):
        console_login(client, username, "cancelsvc-demo")
        assert (tracking_code in client.get("/console/").get_data(as_text=True)) is sees
        assert client.post("/console/logout", data={"csrf_token": console_csrf(client)}).status_code == 302


def test_demo_seed_again_keeps_one_data_set_and_the_valid_demo_key(runner: Any, db: Any, tmp_path: Path) -> None:
    key_file = tmp_path / "demo-api-key"
    seeded = _seed(runner, key_file).output
    assert "a demo request submitted)" in seeded
    first = re.search(r"(csk_\S+)", seeded).group(1)
    assert key_file.read_text().strip() == first and key_file.stat().st_mode & 0o077 == 0
    second = _seed(runner, key_file)
    assert "(0 records created, 0 updated; " in second.output and "the demo request still open)" in second.output
    assert db.session.query(Account).count() >= 30
    assert re.search(r"(csk_\S+)", second.output).group(1) == first  # a running server keeps working
    assert db.session.query(ApiKey).filter_by(key_hash=hash_key(first)).one().revoked_at is None
    assert db.session.query(ApiKey).filter_by(name="demo").count() == 1


@pytest.mark.parametrize("previous", ["revoked", "unknown", "empty"])
def test_demo_seed_issues_a_new_key_when_the_kept_one_is_not_valid(
    runner: Any, db: Any, tmp_path: Path, previous: str
) -> None:
    key_file = tmp_path / "demo-api-key"
    seeded = _seed(runner, key_file).output
    assert "a demo request submitted)" in seeded
    first = re.search(r"(csk_\S+)", seeded).group(1)
    if previous == "revoked":
        db.session.query(ApiKey).filter_by(key_hash=hash_key(first)).one().revoked_at = utcnow()
        db.session.commit()
    else:
        key_file.write_text("csk_not-a-key-of-this-database\n" if previous == "unknown" else "")
    second = re.search(r"(csk_\S+)", _seed(runner, key_file).output).group(1)
    assert second != first and key_file.read_text().strip() == second
    assert db.session.query(ApiKey).filter_by(key_hash=hash_key(first)).one().revoked_at is not None
    assert db.session.query(ApiKey).filter_by(name="demo", revoked_at=None).count() == 1


def _seed(runner: Any, key_file: Path) -> Any:
    result = runner.invoke(args=["demo", "seed", "--key-file", str(key_file)])
    assert result.exit_code == 0, result.output
    return result
