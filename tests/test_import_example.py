"""The example file in docs/operations.md imports as the docs say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from models import Account, Customer

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "bss-delta.jsonl"


def test_the_documented_example_is_a_valid_delta(runner: Any, db: Any) -> None:
    dry = runner.invoke(args=["data", "import", str(EXAMPLE), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert db.session.query(Customer).count() == 0  # a dry run writes nothing
    done = runner.invoke(args=["data", "import", str(EXAMPLE)])
    assert done.exit_code == 0, done.output
    assert {a.msisdn for a in db.session.query(Account)} == {"+8613900139001", "+8613900139002"}
    again = runner.invoke(args=["data", "import", str(EXAMPLE)])
    assert again.exit_code == 0 and "nothing changed" in again.output
