"""Import boundaries, read from the source (every import, also inside functions).

- ``models/`` imports nothing from ``cancelsvc`` (the service builds on the models);
- ``ml/`` imports neither Flask, ``cancelsvc`` nor ``models`` (it trains and scores on
  plain data, usable without the service);
- no capability package of ``cancelsvc`` imports another one's ``routes``: what two
  packages share lives in a service or helper module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "models": ("cancelsvc",),
    "ml": ("flask", "cancelsvc", "models"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, module)`` for every import in ``path``; ``from a import b`` gives ``a.b``
    (``b`` may be a module) and relative imports are resolved against the package."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def violations(path: Path) -> list[str]:
    """What ``path`` imports across a boundary, as ``file:line: module``."""
    name = _module_name(path)
    top = name.split(".")[0]
    found = []
    for line, module in imported_modules(path):
        where = f"{path.relative_to(ROOT)}:{line}: {module}"
        if any(_under(module, banned) for banned in FORBIDDEN.get(top, ())):
            found.append(where)
        parts = module.split(".")
        own = name.split(".")
        if (
            top == "cancelsvc" and len(own) > 2 and len(parts) > 2
            and parts[0] == "cancelsvc" and parts[2] == "routes" and parts[1] != own[1]
        ):
            found.append(where)
    return found


def _sources(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", ["models", "ml", "cancelsvc"])
def test_no_import_crosses_a_boundary(package: str) -> None:
    found = [v for path in _sources(package) for v in violations(path)]
    assert found == [], "imports across a boundary:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("relative", "source", "expected"),
    [
        ("models/x.py", "from cancelsvc.errors import NotFound", ["models/x.py:1: cancelsvc.errors.NotFound"]),
        ("models/x.py", "import cancelsvc", ["models/x.py:1: cancelsvc"]),
        ("models/x.py", "def f():\n    from cancelsvc import jobs", ["models/x.py:2: cancelsvc.jobs"]),
        ("models/x.py", "import sqlalchemy as sa\nfrom models.base import db", []),
        ("ml/x.py", "from flask import current_app", ["ml/x.py:1: flask.current_app"]),
        ("ml/x.py", "import flask_sqlalchemy", []),
        ("ml/x.py", "from models import Account", ["ml/x.py:1: models.Account"]),
        ("ml/sub/x.py", "from ...models import db", ["ml/sub/x.py:1: models.db"]),
        ("ml/x.py", "import numpy as np\nfrom ml.schema import COLUMNS", []),
        ("cancelsvc/customers/x.py", "from cancelsvc.requests.routes import view",
         ["cancelsvc/customers/x.py:1: cancelsvc.requests.routes.view"]),
        ("cancelsvc/customers/x.py", "from cancelsvc.requests import routes",
         ["cancelsvc/customers/x.py:1: cancelsvc.requests.routes"]),
        ("cancelsvc/customers/x.py", "from ..requests import routes", ["cancelsvc/customers/x.py:1: cancelsvc.requests.routes"]),
        ("cancelsvc/customers/x.py", "from cancelsvc.requests import service", []),
        ("cancelsvc/requests/x.py", "from cancelsvc.requests.routes import READERS", []),
        ("cancelsvc/requests/x.py", "from .routes import READERS", []),
        ("cancelsvc/__init__.py", "from cancelsvc.requests.routes import blp", []),
    ],
)
def test_the_checker_finds_what_it_should(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, relative: str, source: str, expected: list[str]
) -> None:
    """The checker itself, on made-up files (so a new violation of each kind fails)."""
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    assert violations(path) == expected
