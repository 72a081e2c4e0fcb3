"""Serving documents that presenters already built in their schema's exact shape."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify


def presented(document: dict[str, Any]) -> Response:
    """A JSON response for a presenter's document, skipping a second marshmallow dump.

    The route still declares its output schema (validation of the contract and the
    OpenAPI document come from it); tests assert that dumping the document through
    that schema changes nothing, so skipping the dump on the hot path is safe.
    """
    return jsonify(document)
