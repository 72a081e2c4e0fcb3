"""Reading feature CSVs: every rejected input names its row or column; messy cells are handled."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import ml
from ml.schema import CATEGORIES, NUMERIC

GOOD: dict[str, Any] = {
    "channel": "app", "segment": "regular", "tenure_months": "24", "plan_monthly_fee": "128.00",
    "contracts_active": "1", "early_termination_fee": "300.00", "contract_remaining_months": "6",
    "balance_net": "-12.50", "bills_unpaid": "0", "disputed_amount": "0", "devices_rented_unreturned": "1",
    "installment_remaining": "0", "services_operator": "2", "services_third_party": "1", "family_role": "none",
    "family_members": "0", "prior_requests": "0", "payment_method": "wallet", "days_since_last_payment": "12",
    "failed_first_attempt": "1",
}
HEADER = list(GOOD)


def rows_with(row: int, **changes: Any) -> list[dict[str, Any]]:
    """Three good rows, the ``row``-th (1-based) changed."""
    rows = [dict(GOOD) for _ in range(3)]
    rows[row - 1].update(changes)
    return rows


def test_public_feature_list_follows_the_spec_order() -> None:
    assert ml.FEATURES == HEADER[:-1]
    assert ml.LABEL == "failed_first_attempt"


def test_reads_a_good_file(write_csv) -> None:
    table, warnings = ml.read_csv(write_csv(HEADER, rows_with(1)), require_label=True)
    assert warnings == []
    assert len(table) == 3
    assert table.columns["balance_net"][0] == -12.5
    assert table.columns["channel"][0] == "app"
    assert list(table.label) == [1, 1, 1]
    assert len(table.sha256) == 64


@pytest.mark.parametrize("missing", ["channel", "days_since_last_payment", "failed_first_attempt"])
def test_missing_required_column_is_named(write_csv, missing: str) -> None:
    header = [h for h in HEADER if h != missing]
    with pytest.raises(ml.DataError, match=f"missing required column.*{missing}") as caught:
        ml.read_csv(write_csv(header, rows_with(1)), require_label=True)
    assert caught.value.row is None


def test_label_column_not_required_for_scoring(write_csv) -> None:
    table, _ = ml.read_csv(write_csv(HEADER[:-1], rows_with(1)), require_label=False)
    assert table.label is None


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("tenure_months", "abc", "is not a number"),
        ("plan_monthly_fee", "12,50", "is not a number"),
        ("early_termination_fee", "-1", "must be ≥ 0"),
        ("services_third_party", "-2", "must be ≥ 0"),
        ("bills_unpaid", "1.5", "not a whole number"),
        ("disputed_amount", "inf", "not a finite number"),
        ("installment_remaining", "nan", "not a finite number"),
        ("failed_first_attempt", "2", "is not 0 or 1"),
        ("failed_first_attempt", "yes", "is not 0 or 1"),
        ("failed_first_attempt", "", "the label is missing"),
    ],
)
def test_bad_cell_names_row_line_and_column(write_csv, column: str, value: str, message: str) -> None:
    with pytest.raises(ml.DataError) as caught:
        ml.read_csv(write_csv(HEADER, rows_with(2, **{column: value})), require_label=True)
    error = caught.value
    assert (error.row, error.line, error.column) == (2, 3, column)
    assert str(error).startswith(f"row 2 (line 3), column '{column}': ")
    assert message in str(error)


def test_negative_balance_is_allowed(write_csv) -> None:
    table, _ = ml.read_csv(write_csv(HEADER, rows_with(1, balance_net="-500")), require_label=True)
    assert table.columns["balance_net"][0] == -500


def test_row_with_wrong_number_of_fields_is_named(write_csv) -> None:
    path = write_csv(HEADER, [list(GOOD.values()), list(GOOD.values())[:-2]])
    with pytest.raises(ml.DataError, match=r"row 2 \(line 3\).*has 18 fields, the header has 20"):
        ml.read_csv(path, require_label=True)


def test_line_numbers_count_blank_lines_and_quoted_newlines(tmp_path) -> None:
    good = ",".join(GOOD.values())
    bad = good.replace("wallet", '"wal\nlet"').replace(",24,", ",x,")
    path = tmp_path / "messy.csv"
    path.write_text(",".join(HEADER) + "\n" + good + "\n\n" + bad + "\n", encoding="utf-8")
    with pytest.raises(ml.DataError, match=r"row 2 \(line 5\), column 'tenure_months'"):
        ml.read_csv(path, require_label=True)


def test_file_problems(tmp_path, write_csv) -> None:
    with pytest.raises(ml.DataError, match="cannot read"):
        ml.read_csv(tmp_path / "nope.csv", require_label=False)
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(ml.DataError, match="no header row"):
        ml.read_csv(tmp_path / "empty.csv", require_label=False)
    with pytest.raises(ml.DataError, match="no data rows"):
        ml.read_csv(write_csv(HEADER, []), require_label=False)
    with pytest.raises(ml.DataError, match="duplicate column.*channel"):
        ml.read_csv(write_csv([*HEADER, "channel"], [[*GOOD.values(), "app"]]), require_label=False)
    (tmp_path / "latin.csv").write_bytes(",".join(HEADER).encode() + b"\n\xe9\n")
    with pytest.raises(ml.DataError, match="not UTF-8"):
        ml.read_csv(tmp_path / "latin.csv", require_label=False)


def test_extra_columns_are_ignored_with_a_warning(write_csv) -> None:
    rows = [{**GOOD, "msisdn": "+8613800138000", "note": "x"}]
    table, warnings = ml.read_csv(write_csv(["msisdn", *HEADER, "note"], rows), require_label=True)
    assert warnings == ["ignored column(s) not in the feature schema: msisdn, note"]
    assert set(table.columns) == set(ml.FEATURES)
    assert table.rows[0]["msisdn"] == "+8613800138000"  # kept for pass-through (ml score)


def test_empty_numeric_cells_stay_empty_for_imputation(write_csv) -> None:
    table, _ = ml.read_csv(write_csv(HEADER, rows_with(1, tenure_months="", balance_net="  ")), require_label=True)
    assert math.isnan(table.columns["tenure_months"][0]) and math.isnan(table.columns["balance_net"][0])
    assert table.columns["tenure_months"][1] == 24


def test_categories_are_normalised_and_unknown_ones_become_other(write_csv) -> None:
    rows = rows_with(1, channel=" APP ", segment="gold", family_role="", payment_method="Cash")
    table, _ = ml.read_csv(write_csv(HEADER, rows), require_label=True)
    assert [table.columns[c][0] for c in ("channel", "segment", "family_role", "payment_method")] == [
        "app", "other", "other", "cash"]


def test_header_whitespace_and_byte_order_mark(tmp_path) -> None:
    path = tmp_path / "bom.csv"
    text = ", ".join(HEADER) + "\n" + ",".join(GOOD.values()) + "\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    table, warnings = ml.read_csv(path, require_label=True)
    assert warnings == [] and len(table) == 1


def test_records_with_typed_values_and_missing_ones() -> None:
    record = {**{k: v for k, v in GOOD.items() if k != ml.LABEL}, "tenure_months": None, "plan_monthly_fee": 8.5,
              "bills_unpaid": np.int64(2), "channel": None}
    table = ml.table_from_records([record])
    assert math.isnan(table.columns["tenure_months"][0])
    assert table.columns["bills_unpaid"][0] == 2 and table.columns["channel"][0] == "other"
    with pytest.raises(ml.DataError, match="row 1, column 'plan_monthly_fee'"):
        ml.table_from_records([{**record, "plan_monthly_fee": -3}])
    with pytest.raises(ml.DataError, match="missing required column.*segment"):
        ml.table_from_records([{k: v for k, v in record.items() if k != "segment"}])


def test_schema_constants_are_consistent() -> None:
    assert set(NUMERIC) | set(CATEGORIES) == set(ml.FEATURES)
    assert all(cats[-1] == "other" for cats in CATEGORIES.values())


def test_label_is_not_read_when_scoring(write_csv) -> None:
    table, warnings = ml.read_csv(write_csv(HEADER, rows_with(2, failed_first_attempt="unknown")), require_label=False)
    assert table.label is None and warnings == []
