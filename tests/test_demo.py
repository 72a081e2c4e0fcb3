"""`demo seed`: a realistic data set and working credentials."""

from __future__ import annotations

import re
from typing import Any

from cancelsvc.auth.keys import hash_key
from models import Account, ApiKey, Store
from tests.conftest import bearer


def test_demo_seed_loads_accounts_and_prints_working_credentials(runner: Any, client: Any, db: Any) -> None:
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert db.session.query(Account).count() >= 30
    assert {s.city for s in db.session.query(Store)} >= {"杭州", "上海", "北京", "广州", "成都"}
    key = re.search(r"(csk_\S+)", result.output).group(1)
    assert db.session.query(ApiKey).filter_by(key_hash=hash_key(key)).one().revoked_at is None
    assert "clerk.hz / " in result.output
    customer_token = re.search(r"Customer token \(C-1001, 24 h\): (\S+)", result.output).group(1)
    accounts = client.get("/api/v1/customers/me/accounts", headers=bearer(customer_token)).get_json()["items"]
    assert len(accounts) == 2


def test_demo_seed_twice_keeps_one_data_set_and_revokes_the_old_key(runner: Any, db: Any) -> None:
    first = re.search(r"(csk_\S+)", runner.invoke(args=["demo", "seed"]).output).group(1)
    second = runner.invoke(args=["demo", "seed"])
    assert "0 records created" in second.output
    assert db.session.query(Account).count() >= 30
    assert db.session.query(ApiKey).filter_by(key_hash=hash_key(first)).one().revoked_at is not None
