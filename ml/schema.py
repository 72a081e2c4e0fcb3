"""The feature row of ml.md: columns, types, categories, and reading/validating CSV files.

A :class:`Table` is the one in-memory structure the rest of the package works on: one
numpy array per feature (floats with NaN for an empty cell, or category strings), the
label when present, and the original cells so batch scoring can write the input back
unchanged.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

LABEL = "failed_first_attempt"
OTHER = "other"

# (name, kind, detail): kind "integer" / "decimal" take detail = may be negative;
# kind "category" takes detail = the known categories (anything else becomes "other").
_COLUMNS: tuple[tuple[str, str, Any], ...] = (
    ("channel", "category", ("app", "web", "counter", "phone")),
    ("segment", "category", ("regular", "vip", "senior")),
    ("tenure_months", "integer", False),
    ("plan_monthly_fee", "decimal", False),
    ("contracts_active", "integer", False),
    ("early_termination_fee", "decimal", False),
    ("contract_remaining_months", "integer", False),
    ("balance_net", "decimal", True),
    ("bills_unpaid", "integer", False),
    ("disputed_amount", "decimal", False),
    ("devices_rented_unreturned", "integer", False),
    ("installment_remaining", "decimal", False),
    ("services_operator", "integer", False),
    ("services_third_party", "integer", False),
    ("family_role", "category", ("none", "primary", "member")),
    ("family_members", "integer", False),
    ("prior_requests", "integer", False),
    ("payment_method", "category", ("auto_debit", "wallet", "card", "cash")),
    ("days_since_last_payment", "integer", False),
)

FEATURES: list[str] = [name for name, _, _ in _COLUMNS]
NUMERIC: list[str] = [name for name, kind, _ in _COLUMNS if kind != "category"]
CATEGORICAL: list[str] = [name for name, kind, _ in _COLUMNS if kind == "category"]
KINDS: dict[str, str] = {name: kind for name, kind, _ in _COLUMNS}
NEGATIVE_ALLOWED: frozenset[str] = frozenset(name for name, kind, neg in _COLUMNS if kind != "category" and neg)
# Known categories plus "other", in a fixed order (the order of the one-hot columns).
CATEGORIES: dict[str, list[str]] = {name: [*cats, OTHER] for name, kind, cats in _COLUMNS if kind == "category"}


class DataError(ValueError):
    """Input data that cannot be used; the message names the row and/or the column.

    ``row`` is the 1-based data row number (the header is not counted) and ``line`` the
    line of the file where that row ends; both are None for file-level problems.
    """

    def __init__(self, message: str, *, row: int | None = None, line: int | None = None, column: str | None = None):
        where = []
        if row is not None:
            where.append(f"row {row}" + (f" (line {line})" if line is not None else ""))
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(": ".join([", ".join(where), message]) if where else message)
        self.reason, self.row, self.line, self.column = message, row, line, column


@dataclass
class Table:
    """Feature columns (in FEATURES order), the optional label, and the original cells."""

    columns: dict[str, np.ndarray]
    label: np.ndarray | None
    header: list[str] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)
    sha256: str = ""

    def __len__(self) -> int:
        return len(next(iter(self.columns.values())))

    def subset(self, index: np.ndarray) -> Table:
        """The rows at ``index`` (positions), as a new table."""
        index = np.asarray(index)
        return Table(
            columns={name: values[index] for name, values in self.columns.items()},
            label=None if self.label is None else self.label[index],
            header=list(self.header),
            rows=[self.rows[i] for i in index] if self.rows else [],
            sha256=self.sha256,
        )


def normalise_category(feature: str, value: Any) -> str:
    """A category cell as stored: trimmed, lower case; unknown or empty values become "other"."""
    text = "" if value is None else str(value).strip().lower()
    return text if text in CATEGORIES[feature] else OTHER


def parse_number(feature: str, value: Any) -> float:
    """A numeric cell as a float, NaN when empty; raises DataError (column only) when invalid."""
    if value is None:
        return math.nan
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return math.nan
        try:
            number = float(text)
        except ValueError:
            raise DataError(f"{value!r} is not a number", column=feature) from None
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise DataError(f"{value!r} is not a number", column=feature) from None
        if math.isnan(number):
            return math.nan
    if not math.isfinite(number):
        raise DataError(f"{value!r} is not a finite number", column=feature)
    if number < 0 and feature not in NEGATIVE_ALLOWED:
        raise DataError(f"{value!r} is negative; must be ≥ 0", column=feature)
    if KINDS[feature] == "integer" and not number.is_integer():
        raise DataError(f"{value!r} is not a whole number", column=feature)
    return number


def parse_label(value: Any) -> int | None:
    """The label cell as 0 or 1, None when empty; raises DataError (column only) otherwise."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if text in ("0", "1", "0.0", "1.0"):
        return int(float(text))
    raise DataError(f"{value!r} is not 0 or 1", column=LABEL)


def _build(records: Sequence[Mapping[str, Any]], lines: Sequence[int] | None,
           require_label: bool) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    n = len(records)
    numeric = {name: np.empty(n, dtype=float) for name in NUMERIC}
    categorical = {name: np.empty(n, dtype=object) for name in CATEGORICAL}
    labels = np.empty(n, dtype=np.int8) if require_label else None
    for i, record in enumerate(records):
        try:
            for name in NUMERIC:
                numeric[name][i] = parse_number(name, record.get(name))
            for name in CATEGORICAL:
                categorical[name][i] = normalise_category(name, record.get(name))
            if labels is not None:
                value = parse_label(record.get(LABEL))
                if value is None:
                    raise DataError("the label is missing", column=LABEL)
                labels[i] = value
        except DataError as error:
            raise DataError(error.reason, row=i + 1, line=lines[i] if lines else None, column=error.column) from None
    columns = {name: numeric[name] if name in numeric else categorical[name] for name in FEATURES}
    return columns, labels


def read_csv(path: str | Path, require_label: bool) -> tuple[Table, list[str]]:
    """Read and validate a CSV file of feature rows; returns the table and warnings.

    Raises DataError naming the row (1-based data row number and file line) or the column.
    Empty numeric cells stay NaN (the model imputes them); empty or unknown category
    values become "other"; unknown columns are ignored and listed in a warning. The label
    is read and checked only when ``require_label`` is true (training, evaluation).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(f"{path} is not UTF-8 text (byte {error.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip() for cell in next(reader, [])]
    if not any(header):
        raise DataError(f"{path} has no header row")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise DataError(f"duplicate column(s) in the header: {', '.join(duplicates)}")
    required = FEATURES + ([LABEL] if require_label else [])
    missing = [name for name in required if name not in header]
    if missing:
        raise DataError(f"missing required column(s): {', '.join(missing)}")
    records: list[dict[str, str]] = []
    lines: list[int] = []
    for cells in reader:
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue  # blank line
        if len(cells) != len(header):
            raise DataError(f"has {len(cells)} fields, the header has {len(header)}",
                            row=len(records) + 1, line=reader.line_num)
        records.append(dict(zip(header, cells, strict=True)))
        lines.append(reader.line_num)
    if not records:
        raise DataError(f"{path} has no data rows")
    known = set(FEATURES) | {LABEL}
    extra = [name for name in header if name not in known]
    warnings = [f"ignored column(s) not in the feature schema: {', '.join(extra)}"] if extra else []
    columns, labels = _build(records, lines, require_label)
    table = Table(columns, labels, header=header, rows=records, sha256=hashlib.sha256(data).hexdigest())
    return table, warnings


def table_from_records(records: Sequence[Mapping[str, Any]], require_label: bool = False) -> Table:
    """A table from feature dicts (e.g. the synthetic generator's rows); same checks as read_csv."""
    if not records:
        raise DataError("no rows")
    missing = [name for name in FEATURES + ([LABEL] if require_label else []) if name not in records[0]]
    if missing:
        raise DataError(f"missing required column(s): {', '.join(missing)}")
    columns, labels = _build(records, None, require_label)
    header = list(records[0].keys())
    rows = [{key: _cell(record.get(key)) for key in header} for record in records]
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return Table(columns, labels, header=header, rows=rows, sha256=digest)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """Write rows (dicts) under ``header`` as UTF-8 CSV (creating its folder); None/NaN become empty cells."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(row.get(name)) for name in header])
