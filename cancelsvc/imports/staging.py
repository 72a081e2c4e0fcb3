"""Staging: the checked records' rows written to the staging tables, in batches.

The tables (``cancelsvc.imports.tables``) are temporary: visible only to the import's own
connection, gone with the transaction on PostgreSQL and dropped at the end on SQLite. Rows
arrive as ``cancelsvc.imports.checking`` made them: on PostgreSQL as ``COPY`` text, sent as
it is; on SQLite as tuples, written by batched ``INSERT`` statements. The real tables are
then changed by a few set-based statements (``cancelsvc.imports.upsert``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from cancelsvc.imports.checking import Rows
from cancelsvc.imports.tables import TABLES
from models import db

#: Rows are sent to the database once this many records are waiting.
BATCH_RECORDS = 2000
_BY_NAME = {table.name: table for table in TABLES}


class Stager:
    """Collects staging rows and writes them a batch at a time, in the caller's transaction."""

    def __init__(self) -> None:
        self.postgres = db.engine.dialect.name == "postgresql"
        self.waiting: dict[sa.Table, list[Rows]] = {table: [] for table in TABLES}
        self.staged: dict[sa.Table, int] = dict.fromkeys(TABLES, 0)
        self.pending = 0
        connection = db.session.connection()
        for table in TABLES:
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table.name}"))
            table.create(connection)

    def add(self, rows: dict[str, Rows], counts: dict[str, int], records: int) -> None:
        """The rows of ``records`` checked records (per table name, with how many of each)."""
        for name, table_rows in rows.items():
            table = _BY_NAME[name]
            self.waiting[table].append(table_rows)
            self.staged[table] += counts[name]
        self.pending += records
        if self.pending >= BATCH_RECORDS:
            self.flush()

    def flush(self) -> None:
        """Write the waiting rows to the staging tables."""
        for table, waiting in self.waiting.items():
            if waiting:
                self._write(table, waiting)
                waiting.clear()
        self.pending = 0

    def analyze(self) -> None:
        """Statistics for the planner (PostgreSQL's autovacuum never looks at temporary tables)."""
        if self.postgres:
            db.session.execute(sa.text(f"ANALYZE {', '.join(t.name for t in TABLES)}"))

    def _write(self, table: sa.Table, waiting: list[Rows]) -> None:
        names = [c.name for c in table.columns]
        if self.postgres:
            cursor: Any = db.session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            with cursor, cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                for text in waiting:
                    copy.write(text)
        else:
            db.session.execute(table.insert(), [dict(zip(names, row, strict=True)) for rows in waiting
                                                if isinstance(rows, list) for row in rows])

    def drop(self) -> None:
        """Remove the staging tables (on PostgreSQL they would go with the transaction anyway)."""
        connection = db.session.connection()
        for table in TABLES:
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table.name}"))
