"""Catalog upkeep used by ``make translations`` and the test run.

``python -m cancelsvc.texts.catalogs fill-source`` gives every empty msgstr of the English
catalog its msgid (the English source text is its own translation);
``python -m cancelsvc.texts.catalogs compile`` compiles each ``.po`` whose ``.mo`` is
missing or older.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from cancelsvc.texts import CATALOG_NAMES, DOMAIN, TRANSLATIONS_DIR

SOURCE_LOCALE = "en"


def po_path(locale: str) -> Path:
    return TRANSLATIONS_DIR / CATALOG_NAMES[locale] / "LC_MESSAGES" / f"{DOMAIN}.po"


def fill_source() -> int:
    """Copy msgid to empty msgstr in the English catalog; the number of entries filled."""
    path = po_path(SOURCE_LOCALE)
    with path.open("rb") as f:
        catalog = read_po(f)
    filled = 0
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not message.id or all(strings):
            continue
        message.string = message.id
        filled += 1
    if filled:
        with path.open("wb") as f:
            write_po(f, catalog, width=0)
    return filled


def compile_stale() -> list[Path]:
    """Compile every catalog whose ``.mo`` is missing or older than its ``.po``."""
    done = []
    for locale in CATALOG_NAMES:
        po = po_path(locale)
        mo = po.with_suffix(".mo")
        if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f, locale=CATALOG_NAMES[locale])
        tmp = mo.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            write_mo(f, catalog)
        tmp.replace(mo)
        done.append(mo)
    return done


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "fill-source":
        print(f"{fill_source()} English texts filled from their msgid")
    elif command == "compile":
        for path in compile_stale():
            print(f"compiled {path}")
    else:
        sys.exit("usage: python -m cancelsvc.texts.catalogs fill-source|compile")
