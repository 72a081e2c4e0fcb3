"""Markers that ``pybabel extract`` finds (see ``babel.cfg`` and the Makefile).

They return their arguments unchanged: the text is translated later, when it is
rendered in a language (``cancelsvc.texts.render`` / ``gettext``).
"""

from __future__ import annotations

from typing import NamedTuple


class Plural(NamedTuple):
    """A text whose wording follows a count: ``param`` names the parameter that holds it."""

    singular: str
    plural: str
    param: str


def N_(message: str) -> str:
    """A msgid translated later (problem titles, validation messages)."""
    return message


def NP_(key: str, message: str) -> tuple[str, str]:
    """A customer text named by a stable ``key``, which is also its gettext context."""
    return key, message


def NPN_(key: str, singular: str, plural: str, count: str) -> tuple[str, Plural]:
    """Like ``NP_`` for a text with a count (``ngettext``): ``count`` names the parameter."""
    return key, Plural(singular, plural, count)
