"""JSON for responses and JSON columns with orjson: UTF-8 as is, keys in document order.

Values orjson does not know (``Decimal``, anything with ``__html__`` …) go through
Flask's default conversion, so the output is what Flask's own provider gives; only
pretty-printing (debug mode) still uses the standard library.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider
from werkzeug.sansio.response import Response

_COMPACT = {"separators": (",", ":")}
#: Request bodies nested deeper than this are malformed: no document of the API comes near,
#: and deep nesting is how hostile bodies exhaust the recursion of whatever reads them.
MAX_DEPTH = 32


def encode(obj: Any) -> bytes:
    """Compact JSON, UTF-8 encoded."""
    return orjson.dumps(obj, default=DefaultJSONProvider.default, option=orjson.OPT_NON_STR_KEYS)


def dumps(obj: Any) -> str:
    """Compact JSON text (the serializer of JSON columns)."""
    return encode(obj).decode()


def loads(text: str | bytes) -> Any:
    """The inverse of ``dumps`` (the deserializer of JSON columns)."""
    return orjson.loads(text)


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON provider, serialising with orjson."""

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs and kwargs != _COMPACT:
            return super().dumps(obj, **kwargs)  # e.g. indent=2 in debug mode
        return dumps(obj)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """Flask's JSON response (``jsonify``); compact JSON is encoded to bytes once, with no text in between."""
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(*args, **kwargs)
        body = encode(self._prepare_response_obj(args, kwargs)) + b"\n"
        return self._app.response_class(body, mimetype=self.mimetype)  # type: ignore[arg-type]

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Request bodies: orjson, then refused (``ValueError``) when nested deeper than ``MAX_DEPTH``."""
        value = super().loads(s, **kwargs) if kwargs else loads(s)
        check_depth(value)
        return value


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """Raise ``ValueError`` when ``value`` nests lists and objects deeper than ``limit`` (no recursion)."""
    level: list[Any] = [value]  # the values at one depth, the outermost first
    for _ in range(limit):
        level = [child for node in level if isinstance(node, (dict, list))
                 for child in (node.values() if isinstance(node, dict) else node)]
    if any(isinstance(node, (dict, list)) for node in level):
        raise ValueError(f"JSON nested deeper than {limit} levels")
