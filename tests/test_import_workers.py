"""`data import` with worker processes: the same outcome as checking in one process (rows,
ids in file order, problems and their places, duplicates across chunks), and values with
characters that PostgreSQL's COPY text format must escape (the staging rows are written in
that format by the checking code, checked against the driver's own formatter)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from cancelsvc.imports import workers
from cancelsvc.imports.checking import copy_rows, key_hash
from models import Account, Bill, Contract, Customer, Device, ValueAddedService
from tests.test_import import counts
from tests.test_import_files import customer, invoke, write_jsonl


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 7 records, so that a few dozen records make several chunks for each worker."""
    monkeypatch.setattr(workers, "CHUNK_RECORDS", 7)


def rows(db: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every imported row that identifies itself, by id (ids come in file order)."""
    db.session.expire_all()
    return {
        "customers": db.session.execute(sa.select(Customer.id, Customer.external_id, Customer.name,
                                                  Customer.id_doc_hash).order_by(Customer.id)).all(),
        "accounts": db.session.execute(sa.select(Account.id, Account.msisdn, Account.holds).order_by(Account.id)).all(),
        "contracts": db.session.execute(sa.select(Contract.id, Contract.external_id).order_by(Contract.id)).all(),
        "bills": db.session.execute(sa.select(Bill.id, Account.msisdn, Bill.period).join(Account)
                                    .order_by(Bill.id)).all(),
        "devices": db.session.execute(sa.select(Device.id, Device.serial).order_by(Device.id)).all(),
        "services": db.session.execute(sa.select(ValueAddedService.id, ValueAddedService.code,
                                                 ValueAddedService.name).order_by(ValueAddedService.id)).all(),
    }


def records(count: int) -> list[dict[str, Any]]:
    made = []
    for i in range(count):
        record = customer(i)
        record["id_doc"] = {"type": "cn_resident_id", "number": f"1101011990{i:08d}"}
        account = record["accounts"][0]
        account["holds"] = ["legal_hold", "porting_in_progress"] if i % 5 == 0 else []
        account["contracts"].append({"external_id": f"K-{i}-b", "kind": "handset_subsidy",
                                     "start_date": "2026-02-01", "end_date": "2027-02-01"})
        made.append(record)
    return made


def wipe(db: Any) -> None:
    for model in (ValueAddedService, Device, Bill, Contract, Account, Customer):
        db.session.execute(sa.delete(model))
    db.session.commit()


@pytest.mark.parametrize("name", ["bss.jsonl", "bss.json"])
def test_workers_import_what_one_process_imports(runner: Any, db: Any, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".jsonl"):
        write_jsonl(path, records(40))
    else:
        path.write_text(json.dumps({"customers": records(40)}, ensure_ascii=False))
    result = invoke(runner, path, "--workers", "2")
    assert result.exit_code == 0, result.output
    assert "imported 40 records" in result.output
    assert "  contracts  created       80  updated        0  unchanged        0" in result.output
    by_workers = rows(db)
    assert [r.external_id for r in by_workers["contracts"][:4]] == ["K-0", "K-0-b", "K-1", "K-1-b"]  # file order
    again = invoke(runner, path, "--workers", "2")
    assert again.exit_code == 0 and "nothing changed (40 records)" in again.output, again.output

    wipe(db)
    assert invoke(runner, path, "--workers", "0").exit_code == 0
    in_process = rows(db)
    offsets = {kind: (in_process[kind][0][0] - by_workers[kind][0][0]) for kind in in_process}
    for kind, found in in_process.items():  # the same rows in the same order, ids shifted by the wipe
        assert [(row[0] - offsets[kind], *row[1:]) for row in found] == by_workers[kind], kind


def test_problems_from_every_worker_are_listed_in_file_order(runner: Any, db: Any, tmp_path: Path) -> None:
    lines: list[Any] = records(60)
    lines[3] = "{not json"
    lines[20] = lines[20] | {"segment": "gold"}
    lines[41] = customer(41) | {"external_id": "C-2"}  # a duplicate of line 3's neighbour, chunks apart
    lines[59]["accounts"][0]["devices"][0]["serial"] = "ONT-8"
    result = invoke(runner, write_jsonl(tmp_path / "bss.jsonl", lines), "--workers", "2")
    assert result.exit_code == 1, result.output
    listed = [line for line in result.output.splitlines() if line.startswith("  line ")]
    assert [line.split(":")[0] for line in listed] == [
        "  line 4", "  line 21, segment", "  line 42, external_id", "  line 60, accounts[0].devices[0].serial"]
    assert "Duplicate customer external_id 'C-2'; first given at line 3, external_id." in listed[2]
    assert "Duplicate device serial 'ONT-8'; first given at line 9, accounts[0].devices[0].serial." in listed[3]
    assert "Problems (4):" in result.output
    assert counts(db)["Customer"] == 0


def test_an_invalid_last_record_stops_the_workers_import(runner: Any, db: Any, tmp_path: Path) -> None:
    lines = records(50)
    lines[-1]["accounts"][0]["msisdn"] = "12345"
    result = invoke(runner, write_jsonl(tmp_path / "bss.jsonl", lines), "--workers", "2")
    assert result.exit_code == 1 and "  line 50, accounts[0].msisdn: " in result.output, result.output
    assert counts(db)["Customer"] == 0 and counts(db)["Account"] == 0


@pytest.mark.parametrize("text", ["tab\there", "back\\slash \\N", "two\nlines", "carriage\rreturn", "引号\"'"])
@pytest.mark.parametrize("count", [0, 2])
def test_values_that_copy_must_escape_are_stored_as_given(runner: Any, db: Any, tmp_path: Path, text: str,
                                                          count: int) -> None:
    record = customer(1)
    record["name"] = text
    record["accounts"][0]["services"][0]["name"] = text
    result = invoke(runner, write_jsonl(tmp_path / "bss.jsonl", [record]), "--workers", str(count))
    assert result.exit_code == 0, result.output
    assert db.session.execute(sa.select(Customer.name)).scalar_one() == text
    assert db.session.execute(sa.select(ValueAddedService.name)).scalar_one() == text


def test_a_key_hash_is_the_same_in_every_process() -> None:
    assert key_hash("+8613900000001") == key_hash("+8613900000001") == 4_298_798_016_703_745_268
    assert key_hash("+8613900000001") != key_hash("+8613900000002")


@pytest.mark.parametrize(("cores", "size", "expected"), [
    (2, 50_000_000, 2), (8, 8_000_000, 8), (2, 7_999_999, 0), (1, 50_000_000, 0)])
def test_workers_by_default_one_per_core_for_large_files(monkeypatch: pytest.MonkeyPatch, cores: int, size: int,
                                                          expected: int) -> None:
    monkeypatch.setattr(workers.os, "sched_getaffinity", lambda _: set(range(cores)))
    assert workers.default_workers(size) == expected


values = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**63, max_value=2**63 - 1), st.dates(),
                   st.decimals(allow_nan=False, allow_infinity=False, places=2),
                   st.text(st.characters(exclude_characters="\x00")))


@given(st.lists(st.lists(values, min_size=1, max_size=6).map(tuple), max_size=5))
def test_staging_rows_are_written_in_copy_text_exactly_as_psycopg_writes_them(rows: list[tuple[Any, ...]]) -> None:
    from psycopg._copy_base import TextFormatter  # the driver's own formatter, as the reference
    from psycopg.adapt import Transformer

    formatter = TextFormatter(Transformer())
    expected = b"".join(bytes(formatter.write_row(row)) for row in rows) + bytes(formatter.end())
    assert copy_rows(rows) == expected
