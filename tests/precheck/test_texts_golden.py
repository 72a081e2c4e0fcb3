"""Every finding, remedy, checklist item and alternative text reads as recorded.

The demo covers the common cases (``tests/test_texts_golden.py``); these outcomes use every
code and variant, rendered in both languages and compared with
``tests/golden/precheck_texts.json`` (rewrite with ``CANCELSVC_WRITE_GOLDEN=1``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cancelsvc.precheck.presenter import present
from tests.precheck.test_texts import coverage_outcomes
from tests.test_texts_golden import LANGUAGES, texts_of

GOLDEN = Path(__file__).parent.parent / "golden" / "precheck_texts.json"


def test_every_precheck_text_reads_as_recorded(run, account, sample, rich):
    recorded = [
        {lang: dict(texts_of(present(outcome, lang))) for lang in LANGUAGES}
        for outcome in coverage_outcomes(run, account, sample, rich)
    ]
    if os.environ.get("CANCELSVC_WRITE_GOLDEN"):
        GOLDEN.write_text(json.dumps(recorded, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert recorded == json.loads(GOLDEN.read_text(encoding="utf-8"))
