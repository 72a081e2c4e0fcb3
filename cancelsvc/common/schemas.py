"""Base marshmallow schema: unknown fields in a request are rejected."""

from __future__ import annotations

from marshmallow import RAISE, Schema


class StrictSchema(Schema):
    """Request bodies: an unknown field is a validation error."""

    class Meta:
        unknown = RAISE


class OutSchema(Schema):
    """Response bodies (marshmallow keeps the declared field order)."""
