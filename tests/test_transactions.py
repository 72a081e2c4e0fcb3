"""One transaction per request: a failure after a savepoint leaves nothing behind (both databases)."""

from __future__ import annotations

from typing import Any

import pytest

from cancelsvc.database import transaction
from models import Store
from tests.factories import StoreFactory


def test_released_savepoint_is_rolled_back_with_its_transaction(app: Any, db: Any) -> None:
    with pytest.raises(RuntimeError), transaction():
        with db.session.begin_nested():
            db.session.add(StoreFactory.build(code="SP-1"))
            db.session.flush()
        raise RuntimeError("fails after the savepoint was released")
    db.session.expire_all()
    assert db.session.query(Store).filter_by(code="SP-1").count() == 0


def test_committed_transaction_keeps_its_savepoint_work(app: Any, db: Any) -> None:
    with transaction():
        with db.session.begin_nested():
            db.session.add(StoreFactory.build(code="SP-2"))
    db.session.expire_all()
    assert db.session.query(Store).filter_by(code="SP-2").count() == 1
