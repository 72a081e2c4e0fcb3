"""Serving documents already dumped by their schema (``common.dumping``)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify


def presented(document: dict[str, Any]) -> Response:
    """A JSON response for a document dumped by a compiled plan of the route's output schema.

    The route still declares that schema (the OpenAPI document comes from it); the
    document was dumped by it already (``common.dumping.Dumper``, the same output as
    ``schema.dump``), so flask-smorest's second dump is skipped.
    """
    return jsonify(document)
