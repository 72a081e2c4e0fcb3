"""Stores in the import file: an optional top-level list, upserted by ``code``."""

from __future__ import annotations

from typing import Any

import pytest

from cancelsvc.imports.service import ImportRejected, import_document
from models import Store

HZ = {"code": "HZ-001", "name": "杭州西湖营业厅", "address": "杭州市西湖区文三路 259 号",
      "opening_hours": "周一至周日 9:00–18:00", "phone": "0571-8700 1000"}
ACCOUNT = {"msisdn": "+8613800138000", "store_code": "HZ-001"}
CUSTOMER = {"external_id": "C-1", "name": "张伟", "accounts": [ACCOUNT]}


def _store(db: Any, code: str) -> Store:
    return db.session.query(Store).filter_by(code=code).one()


def test_stores_are_created_then_updated_by_code_and_a_repeat_changes_nothing(app: Any, db: Any) -> None:
    report = import_document({"stores": [HZ], "customers": [CUSTOMER]}, "k")
    assert report.created["stores"] == 1
    store = _store(db, "HZ-001")
    assert (store.name, store.address, store.opening_hours, store.phone) == (
        HZ["name"], HZ["address"], HZ["opening_hours"], HZ["phone"])
    assert not import_document({"stores": [HZ], "customers": [CUSTOMER]}, "k").changed
    moved = import_document({"stores": [{**HZ, "address": "杭州市西湖区文三路 300 号"}], "customers": []}, "k")
    assert moved.updated["stores"] == 1
    assert _store(db, "HZ-001").address == "杭州市西湖区文三路 300 号"
    assert db.session.query(Store).count() == 1


def test_a_store_first_named_by_an_account_gets_its_details_later(app: Any, db: Any) -> None:
    import_document({"customers": [CUSTOMER]}, "k")
    assert _store(db, "HZ-001").name == "HZ-001" and _store(db, "HZ-001").address is None
    import_document({"stores": [HZ], "customers": []}, "k")
    assert _store(db, "HZ-001").name == HZ["name"]


@pytest.mark.parametrize(
    ("stores", "path"),
    [
        ([HZ, {**HZ, "name": "again"}], "stores[1].code"),
        ([{"name": "no code"}], "stores[0].code"),
        ([{**HZ, "phone": "1" * 41}], "stores[0].phone"),
        ([{**HZ, "fax": "x"}], "stores[0].fax"),
    ],
)
def test_bad_stores_are_refused_with_their_path_and_nothing_is_written(
        app: Any, db: Any, stores: list[dict[str, Any]], path: str) -> None:
    with pytest.raises(ImportRejected) as rejected:
        import_document({"stores": stores, "customers": [CUSTOMER]}, "k")
    assert path in rejected.value.problems
    db.session.rollback()
    assert db.session.query(Store).count() == 0


def test_the_demo_stores_have_addresses_hours_and_phones(runner: Any, db: Any) -> None:
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    stores = db.session.query(Store).all()
    assert len(stores) == 5 and all(s.address and s.opening_hours and s.phone for s in stores)
