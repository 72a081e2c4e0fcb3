"""`data import FILE` with files as operators send them: JSON Lines, gzip, large files
with a problem at the end, dry runs, the problem list's cap, the progress summary."""

from __future__ import annotations

import copy
import gzip
import json
import logging
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cancelsvc.imports import service
from models import Account, Bill, Contract, Customer, Device, ValueAddedService
from tests.test_import import counts, sample


def customer(i: int) -> dict[str, Any]:
    """A small customer with one line and one of each holding, all keys unique by ``i``."""
    return {
        "external_id": f"C-{i}", "name": "王芳", "phone": f"+86139{i:08d}",
        "accounts": [{
            "msisdn": f"+86139{i:08d}", "store_code": "HZ-001", "unbilled_amount": "12.30",
            "plan": {"code": "5G-58", "monthly_fee": "58.00"}, "family": {"group_code": f"F-{i // 2}", "role": "member"},
            "contracts": [{"external_id": f"K-{i}", "kind": "plan_commitment", "start_date": "2026-01-01",
                           "end_date": "2027-01-01", "monthly_commitment": "58.00"}],
            "bills": [{"period": "2026-10", "amount_due": "58.00"}, {"period": "2026-11", "amount_due": "58.00"}],
            "devices": [{"serial": f"ONT-{i}", "kind": "router", "ownership": "rented"}],
            "services": [{"code": "VIDEO-VIP", "name": "视频会员", "provider": "operator", "monthly_fee": "0.99"}],
        }],
    }


def write_jsonl(path: Path, records: list[Any], *, compress: bool = False) -> Path:
    text = "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)
    if compress:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def invoke(runner: Any, path: Path, *options: str) -> Any:
    return runner.invoke(args=["data", "import", str(path), *options])


def updated_ats(db: Any) -> dict[str, dict[int, Any]]:
    db.session.expire_all()
    return {m.__name__: dict(db.session.execute(sa.select(m.id, m.updated_at)).all())
            for m in (Customer, Account, Contract, Bill, Device, ValueAddedService)}


def test_a_gzip_json_lines_file_is_imported(runner: Any, db: Any, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bss-2026-12-01.jsonl.gz", [customer(i) for i in range(30)], compress=True)
    result = invoke(runner, path)
    assert result.exit_code == 0, result.output
    assert "imported 30 records" in result.output
    assert counts(db) == {"Customer": 30, "Account": 30, "Contract": 30, "Bill": 60, "Device": 30,
                          "ValueAddedService": 30, "FamilyGroup": 15, "Store": 1}
    account = db.session.execute(sa.select(Account).where(Account.msisdn == "+8613900000007")).scalar_one()
    assert str(account.unbilled_amount) == "12.30" and account.family_group.group_code == "F-3"
    assert "  accounts   created       30  updated        0  unchanged        0" in result.output


def test_gzip_is_recognised_by_content_and_the_format_can_be_given(runner: Any, db: Any, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "export.dat", [customer(1), customer(2)], compress=True)
    assert invoke(runner, path, "--format", "jsonl").exit_code == 0
    assert counts(db)["Customer"] == 2


def test_reimporting_changes_nothing_not_even_updated_at(runner: Any, db: Any, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bss.jsonl", [customer(i) for i in range(20)])
    assert invoke(runner, path).exit_code == 0
    before = updated_ats(db)
    result = invoke(runner, path)
    assert result.exit_code == 0 and "nothing changed (20 records)" in result.output, result.output
    assert "  bills      created        0  updated        0  unchanged       40" in result.output
    assert updated_ats(db) == before


def test_a_later_file_updates_only_what_changed(runner: Any, db: Any, tmp_path: Path) -> None:
    assert invoke(runner, write_jsonl(tmp_path / "day1.jsonl", [customer(i) for i in range(5)])).exit_code == 0
    before = updated_ats(db)
    changed = customer(3)
    changed["accounts"][0]["bills"][1]["amount_paid"] = "58.00"
    result = invoke(runner, write_jsonl(tmp_path / "day2.jsonl", [customer(2), changed]))
    assert result.exit_code == 0, result.output
    assert "  bills      created        0  updated        1  unchanged        3" in result.output
    after = updated_ats(db)
    bill = db.session.execute(sa.select(Bill).join(Account).where(
        Account.msisdn == "+8613900000003", Bill.period == "2026-11")).scalar_one()
    assert bill.amount_paid == 58
    assert after["Bill"][bill.id] > before["Bill"][bill.id]
    assert {k: v for k, v in after["Bill"].items() if k != bill.id} == {
        k: v for k, v in before["Bill"].items() if k != bill.id}
    assert after["Account"] == before["Account"]


@pytest.mark.parametrize("name", ["bss.jsonl", "bss.json"])
def test_one_invalid_record_at_the_end_of_a_large_file_writes_nothing(
        runner: Any, db: Any, tmp_path: Path, name: str) -> None:
    records = [customer(i) for i in range(2500)]  # more than a staging batch
    records[-1]["accounts"][0]["msisdn"] = "12345"
    path = tmp_path / name
    if name.endswith(".jsonl"):
        write_jsonl(path, records)
        where = "line 2500, accounts[0].msisdn"
    else:
        path.write_text(json.dumps({"customers": records}, ensure_ascii=False))
        where = "customers[2499].accounts[0].msisdn"
    result = invoke(runner, path)
    assert result.exit_code == 1
    assert "rejected, nothing was imported. Problems (1):" in result.output
    assert f"  {where}: " in result.output, result.output
    assert counts(db)["Customer"] == 0 and counts(db)["Store"] == 0


def test_every_line_is_checked_and_problems_name_their_line(runner: Any, db: Any, tmp_path: Path) -> None:
    bad_segment = customer(2) | {"segment": "gold"}
    duplicate = customer(3) | {"external_id": "C-1"}
    path = write_jsonl(tmp_path / "bss.jsonl", [customer(1), "{not json", bad_segment, "[1, 2]", "", duplicate])
    result = invoke(runner, path)
    assert result.exit_code == 1
    assert "  line 2: This line is not valid JSON" in result.output
    assert "  line 3, segment: " in result.output
    assert "  line 4: Expected a customer object." in result.output
    assert "  line 6, external_id: Duplicate customer external_id 'C-1'; first given at line 1, external_id." \
        in result.output, result.output
    assert counts(db)["Customer"] == 0


def test_a_json_document_is_checked_at_the_top_too(runner: Any, db: Any, tmp_path: Path) -> None:
    path = tmp_path / "bss.json"
    path.write_text(json.dumps({"customers": [customer(1)], "shops": []}))
    result = invoke(runner, path)
    assert result.exit_code == 1 and "  shops: Unknown field." in result.output
    path.write_text(json.dumps({"stores": []}))
    assert "  customers: Missing data for required field." in invoke(runner, path).output
    path.write_text('{"customers": [' + json.dumps(customer(1)) + ", {")
    result = invoke(runner, path)
    assert result.exit_code == 1 and "  file: The file is not valid JSON" in result.output
    assert counts(db)["Customer"] == 0


def test_a_bare_list_of_customers_is_a_json_file_too(runner: Any, db: Any, tmp_path: Path) -> None:
    path = tmp_path / "bss.json"
    path.write_text(json.dumps([customer(1), customer(2)]))
    assert invoke(runner, path).exit_code == 0
    assert counts(db)["Customer"] == 2


def test_the_first_problems_are_listed_and_the_rest_counted(runner: Any, db: Any, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "LISTED", 5)
    path = write_jsonl(tmp_path / "bss.jsonl", [customer(i) | {"segment": "gold"} for i in range(8)])
    result = invoke(runner, path)
    assert result.exit_code == 1
    assert "Problems (8):" in result.output
    assert sum(1 for line in result.output.splitlines() if line.endswith("Must be one of: regular, vip, senior.")) == 5
    assert "  line 5, segment:" in result.output and "  line 6, segment:" not in result.output
    assert "… and 3 more problems (the first 5 are listed)." in result.output


def test_a_thousand_problems_are_listed(app: Any, db: Any) -> None:
    document = {"customers": [customer(i) | {"segment": "gold"} for i in range(1003)]}
    with pytest.raises(service.ImportRejected) as rejected:
        service.import_document(document, "k")
    assert len(rejected.value.problems) == service.LISTED == 1000 and rejected.value.more == 3


def test_a_dry_run_reports_what_would_change_and_writes_nothing(runner: Any, db: Any, tmp_path: Path) -> None:
    assert invoke(runner, write_jsonl(tmp_path / "day1.jsonl", [customer(1)])).exit_code == 0
    before = updated_ats(db)
    changed = customer(1)
    changed["name"] = "王芳芳"
    result = invoke(runner, write_jsonl(tmp_path / "day2.jsonl", [changed, customer(2)]), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run, nothing was written" in result.output
    assert "compared with the database in" in result.output and "written in" not in result.output
    assert "  customers  would create        1  would update        1  unchanged        0" in result.output
    assert counts(db)["Customer"] == 1 and updated_ats(db) == before
    assert db.session.execute(sa.select(Customer.name)).scalar_one() == "王芳"


def test_a_dry_run_of_an_invalid_file_fails_like_the_import(runner: Any, db: Any, tmp_path: Path) -> None:
    result = invoke(runner, write_jsonl(tmp_path / "bad.jsonl", [customer(1) | {"colour": "blue"}]), "--dry-run")
    assert result.exit_code == 1 and "  line 1, colour: Unknown field." in result.output


def test_without_a_terminal_the_log_gets_a_one_line_summary(runner: Any, db: Any, tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="cancelsvc.imports.cli"):
        assert invoke(runner, write_jsonl(tmp_path / "bss.jsonl", [customer(1), customer(2)])).exit_code == 0
    lines = [r.getMessage() for r in caplog.records if r.name == "cancelsvc.imports.cli"]
    assert len(lines) == 1 and lines[0].startswith("data import bss.jsonl: 2 records, stores 1 changed, customers 2 ")


def test_the_spec_sample_as_json_lines_gives_what_the_json_file_gives(runner: Any, db: Any, tmp_path: Path) -> None:
    document = sample()
    assert invoke(runner, write_jsonl(tmp_path / "bss.jsonl", copy.deepcopy(document["customers"]))).exit_code == 0
    first = counts(db)
    path = tmp_path / "bss.json"
    path.write_text(json.dumps(document, ensure_ascii=False))
    result = invoke(runner, path)
    assert result.exit_code == 0 and "nothing changed" in result.output
    assert counts(db) == first


def test_on_a_terminal_a_bar_shows_the_validation_then_the_writing(runner: Any, db: Any, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from cancelsvc.imports import cli

    monkeypatch.setattr(cli, "_on_terminal", lambda: True)
    result = invoke(runner, write_jsonl(tmp_path / "bss.jsonl", [customer(i) for i in range(3)]))
    assert result.exit_code == 0, result.output
    assert "validating: 100%" in result.output and "3 records" in result.output
    assert "writing: 100%" in result.output and "21.0/21.0" in result.output  # 3 × (customer, account, 5 holdings)
