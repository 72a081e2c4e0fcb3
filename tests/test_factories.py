"""Every factory builds a valid, persisted row."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories


@pytest.mark.parametrize(
    "factory",
    [
        value
        for value in vars(factories).values()
        if isinstance(value, type) and issubclass(value, factories.Base) and value is not factories.Base
    ],
    ids=lambda f: f.__name__,
)
def test_factory_persists(app: Any, db: Any, factory: Any) -> None:
    obj = factory()
    db.session.expire_all()
    assert db.session.get(type(obj), obj.id) is not None
