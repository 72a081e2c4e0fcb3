"""`data import FILE`: validation with JSON paths, all-or-nothing, idempotent upsert."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cancelsvc.common.masking import hash_identity
from cancelsvc.imports.service import ImportRejected, import_document
from models import Account, Bill, Contract, Customer, Device, FamilyGroup, Store, ValueAddedService

SPEC_SAMPLE: dict[str, Any] = {
    "customers": [{
        "external_id": "C-1001",
        "name": "张伟",
        "id_doc": {"type": "cn_resident_id", "number": "110101199003071234"},
        "phone": "+8613800138000",
        "email": "zhangwei@example.com",
        "locale": "zh-CN",
        "timezone": "Asia/Shanghai",
        "segment": "regular",
        "accounts": [{
            "msisdn": "+8613800138000",
            "status": "active",
            "plan": {"code": "5G-128", "monthly_fee": "128.00"},
            "activated_on": "2021-05-01",
            "store_code": "HZ-001",
            "unbilled_amount": "23.50",
            "prepaid_credit": "0.00",
            "loyalty_points": 1200,
            "payment_method": "auto_debit",
            "last_payment_on": "2026-10-20",
            "holds": [],
            "family": {"group_code": "FAM-77", "role": "primary"},
            "contracts": [
                {"external_id": "K-1", "kind": "handset_subsidy", "start_date": "2025-01-01",
                 "end_date": "2026-12-31", "monthly_commitment": "99.00", "subsidy_amount": "1200.00"},
                {"external_id": "K-2", "kind": "plan_commitment", "start_date": "2025-06-01",
                 "end_date": "2027-05-31", "monthly_commitment": "128.00", "penalty_rate": "0.30"},
                {"external_id": "K-3", "kind": "fixed_term", "start_date": "2026-01-01",
                 "end_date": "2026-12-31", "monthly_commitment": "0.00", "fixed_penalty": "200.00",
                 "waiver_reason": "terms_changed"},
            ],
            "bills": [{"period": "2026-10", "amount_due": "128.00", "amount_paid": "0.00",
                       "due_date": "2026-11-15", "disputed": False}],
            "devices": [
                {"serial": "ONT-123", "kind": "router", "ownership": "rented", "replacement_value": "300.00",
                 "returned_on": None},
                {"serial": "860000000000001", "kind": "handset", "ownership": "installment",
                 "installment_remaining": "800.00"},
            ],
            "services": [{"code": "VIDEO-VIP", "name": "视频会员", "provider": "operator",
                          "monthly_fee": "0.99", "auto_renew": True, "renews_on": "2026-12-01", "status": "active"}],
        }],
    }],
}


def sample() -> dict[str, Any]:
    return copy.deepcopy(SPEC_SAMPLE)


def counts(db: Any) -> dict[str, int]:
    return {m.__name__: db.session.query(m).count()
            for m in (Customer, Account, Contract, Bill, Device, ValueAddedService, FamilyGroup, Store)}


def run_import(runner: Any, tmp_path: Path, document: Any, name: str = "bss.json") -> Any:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document, ensure_ascii=False))
    return runner.invoke(args=["data", "import", str(path)])


def test_valid_file_imports_everything(runner: Any, db: Any, tmp_path: Path) -> None:
    result = run_import(runner, tmp_path, sample())
    assert result.exit_code == 0, result.output
    assert counts(db) == {"Customer": 1, "Account": 1, "Contract": 3, "Bill": 1, "Device": 2,
                          "ValueAddedService": 1, "FamilyGroup": 1, "Store": 1}
    customer = db.session.query(Customer).one()
    assert customer.id_doc_hash == hash_identity("test-pii-key", "cn_resident_id", "110101199003071234")
    assert customer.id_doc_last4 == "1234"
    assert "110101199003071234" not in json.dumps([str(v) for v in vars(customer).values()])
    k2 = db.session.query(Contract).filter_by(external_id="K-2").one()
    assert str(k2.penalty_rate.normalize()) == "0.3" and k2.monthly_commitment == 128
    account = db.session.query(Account).one()
    assert account.family_group.group_code == "FAM-77" and account.family_role == "primary"
    assert str(account.unbilled_amount) == "23.50"


def test_reimport_changes_nothing(runner: Any, db: Any, tmp_path: Path) -> None:
    run_import(runner, tmp_path, sample())
    before = {c.id: c.updated_at for c in db.session.query(Customer)}
    before_accounts = {a.id: a.updated_at for a in db.session.query(Account)}
    db.session.expire_all()
    result = run_import(runner, tmp_path, sample())
    assert result.exit_code == 0 and "nothing changed" in result.output
    assert {c.id: c.updated_at for c in db.session.query(Customer)} == before
    assert {a.id: a.updated_at for a in db.session.query(Account)} == before_accounts
    assert counts(db)["Contract"] == 3


def test_partial_update_touches_only_what_it_names(runner: Any, db: Any, tmp_path: Path) -> None:
    run_import(runner, tmp_path, sample())
    update = {"customers": [{
        "external_id": "C-1001", "name": "张伟",
        "id_doc": {"type": "cn_resident_id", "number": "110101199003071234"},
        "accounts": [{
            "msisdn": "138 0013 8000",  # any notation: normalised to E.164
            "plan": {"code": "5G-128", "monthly_fee": "128.00"},
            "bills": [{"period": "2026-10", "amount_due": "128.00", "amount_paid": "128.00"}],
            "devices": [{"serial": "ONT-123", "kind": "router", "ownership": "rented",
                         "replacement_value": "300.00", "returned_on": "2026-11-20"}],
        }],
    }]}
    result = run_import(runner, tmp_path, update, "update.json")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.query(Bill).one().amount_paid == 128
    assert str(db.session.query(Device).filter_by(serial="ONT-123").one().returned_on) == "2026-11-20"
    assert counts(db)["Contract"] == 3 and counts(db)["Device"] == 2  # not named, kept


INVALID_CASES = [
    ("missing-required", lambda d: d["customers"][0].pop("name"), "customers[0].name"),
    ("bad-enum", lambda d: d["customers"][0].update(segment="gold"), "customers[0].segment"),
    ("bad-phone", lambda d: d["customers"][0]["accounts"][0].update(msisdn="12345"), "customers[0].accounts[0].msisdn"),
    ("float-amount", lambda d: d["customers"][0]["accounts"][0].update(unbilled_amount=23.5),
     "customers[0].accounts[0].unbilled_amount"),
    ("three-decimals", lambda d: d["customers"][0]["accounts"][0]["plan"].update(monthly_fee="1.234"),
     "customers[0].accounts[0].plan.monthly_fee"),
    ("negative", lambda d: d["customers"][0]["accounts"][0].update(prepaid_credit="-1.00"),
     "customers[0].accounts[0].prepaid_credit"),
    ("bad-date", lambda d: d["customers"][0]["accounts"][0]["contracts"][0].update(end_date="2026-02-30"),
     "customers[0].accounts[0].contracts[0].end_date"),
    ("end-before-start", lambda d: d["customers"][0]["accounts"][0]["contracts"][1].update(end_date="2024-01-01"),
     "customers[0].accounts[0].contracts[1].end_date"),
    ("bad-rate", lambda d: d["customers"][0]["accounts"][0]["contracts"][1].update(penalty_rate="1.5"),
     "customers[0].accounts[0].contracts[1].penalty_rate"),
    ("bad-period", lambda d: d["customers"][0]["accounts"][0]["bills"][0].update(period="2026-13"),
     "customers[0].accounts[0].bills[0].period"),
    ("bad-hold", lambda d: d["customers"][0]["accounts"][0].update(holds=["jail"]),
     "customers[0].accounts[0].holds[0]"),
    ("unknown-field", lambda d: d["customers"][0]["accounts"][0].update(colour="blue"),
     "customers[0].accounts[0].colour"),
    ("bad-timezone", lambda d: d["customers"][0].update(timezone="Asia/Atlantis"), "customers[0].timezone"),
    ("negative-points", lambda d: d["customers"][0]["accounts"][0].update(loyalty_points=-5),
     "customers[0].accounts[0].loyalty_points"),
    ("duplicate-serial", lambda d: d["customers"][0]["accounts"][0]["devices"][1].update(serial="ONT-123"),
     "customers[0].accounts[0].devices[1].serial"),
    ("duplicate-customer", lambda d: d["customers"].append(copy.deepcopy(d["customers"][0])),
     "customers[1].external_id"),
    ("not-a-list", lambda d: d.update(customers={"a": 1}), "customers"),
]


@pytest.mark.parametrize(("case", "mutate", "path"), INVALID_CASES, ids=[c[0] for c in INVALID_CASES])
def test_invalid_file_is_rejected_whole(runner: Any, db: Any, tmp_path: Path, case: str, mutate: Any,
                                        path: str) -> None:
    document = sample()
    mutate(document)
    if isinstance(document["customers"], list):
        # A valid customer in the same file is not imported either: all or nothing.
        document["customers"].append({"external_id": "C-OK", "name": "王芳", "accounts": []})
    result = run_import(runner, tmp_path, document)
    assert result.exit_code == 1
    assert "nothing was imported" in result.output
    assert f"  {path}:" in result.output, result.output
    assert counts(db)["Customer"] == 0


def test_every_problem_is_listed_at_once(app: Any) -> None:
    document = sample()
    document["customers"][0]["segment"] = "gold"
    document["customers"][0]["accounts"][0]["msisdn"] = "nope"
    document["customers"][0]["accounts"][0]["bills"][0]["period"] = "Oct"
    with pytest.raises(ImportRejected) as caught:
        import_document(document, "k")
    assert set(caught.value.problems) == {
        "customers[0].segment", "customers[0].accounts[0].msisdn", "customers[0].accounts[0].bills[0].period"}


def test_not_json_is_rejected(runner: Any, db: Any, tmp_path: Path) -> None:
    result = run_import(runner, tmp_path, "{customers: [")
    assert result.exit_code != 0 and "not valid JSON" in result.output


def test_number_of_another_customer_is_rejected(runner: Any, db: Any, tmp_path: Path) -> None:
    run_import(runner, tmp_path, sample())
    other = sample()
    other["customers"][0]["external_id"] = "C-2002"
    other["customers"][0]["accounts"][0]["contracts"] = []
    other["customers"][0]["accounts"][0]["devices"] = []
    result = run_import(runner, tmp_path, other, "other.json")
    assert result.exit_code == 1 and "belongs to customer C-1001" in result.output
    assert counts(db)["Customer"] == 1


def test_device_recorded_on_another_number_is_rejected(runner: Any, db: Any, tmp_path: Path) -> None:
    run_import(runner, tmp_path, sample())
    other = {"customers": [{"external_id": "C-3", "name": "李娜", "accounts": [{
        "msisdn": "+8613900139000",
        "devices": [{"serial": "ONT-123", "kind": "router", "ownership": "rented"}]}]}]}
    result = run_import(runner, tmp_path, other, "other.json")
    assert result.exit_code == 1 and "recorded on another number" in result.output
    assert counts(db)["Customer"] == 1


def test_defaults_for_optional_fields(app: Any, db: Any) -> None:
    import_document({"customers": [{"external_id": "C-9", "name": "赵敏", "accounts": [{
        "msisdn": "+8613700137000", "contracts": [{"external_id": "K-9", "kind": "plan_commitment",
                                                  "start_date": "2026-01-01", "end_date": "2027-01-01"}]}]}]}, "k")
    db.session.commit()
    contract = db.session.query(Contract).one()
    assert contract.penalty_rate == Decimal("0.30") and contract.monthly_commitment == 0
    account = db.session.query(Account).one()
    assert (account.status, account.holds, account.loyalty_points, account.family_group) == ("active", [], 0, None)


def test_new_rows_get_their_ids_in_file_order(runner: Any, db: Any, tmp_path: Path) -> None:
    """A customer's contracts, devices and services are shown in the file's order, whatever
    order the database joins the staged rows in."""
    doc = sample()
    account = doc["customers"][0]["accounts"][0]
    account["contracts"] = [dict(account["contracts"][1], external_id=f"K-{n}") for n in (9, 1, 5, 3, 7)]
    account["devices"] = [dict(account["devices"][0], serial=f"ONT-{n}") for n in (4, 2, 8)]
    account["services"] = [dict(account["services"][0], code=f"SVC-{n}") for n in (6, 1, 3)]
    result = run_import(runner, tmp_path, doc)
    assert result.exit_code == 0, result.output
    assert [c.external_id for c in db.session.query(Contract).order_by(Contract.id)] == ["K-9", "K-1", "K-5", "K-3", "K-7"]
    assert [d.serial for d in db.session.query(Device).order_by(Device.id)] == ["ONT-4", "ONT-2", "ONT-8"]
    assert [s.code for s in db.session.query(ValueAddedService).order_by(ValueAddedService.id)] == [
        "SVC-6", "SVC-1", "SVC-3"]
