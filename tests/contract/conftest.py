"""Contract tests: tests marked ``postgres_only`` are skipped on SQLite."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_DATABASE_URL


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres_only") and not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL)")
