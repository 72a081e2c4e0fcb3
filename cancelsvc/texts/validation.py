"""Field messages of validation problems (``errors``), in the response language.

Messages are written in English where they arise (marshmallow's built-in messages, the
service's own schemas and checks, marked with ``N_``) and translated once, when the
problem response is built: a message that is a msgid is looked up as it is; a message
made from a ``str.format`` template with ``{name}`` fields (``"Longer than maximum length
{max}."``) is matched against the catalog's templates and its values carried into the
translation. A message that matches nothing is kept as it is.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from cancelsvc.texts import negotiate, translations
from cancelsvc.texts.marks import N_

#: marshmallow's built-in messages as our schemas can produce them (the Range messages
#: already combined with their comparison words).
MARSHMALLOW_MESSAGES = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Unknown field."),
    N_("Invalid input type."),
    N_("Invalid value."),
    N_("Invalid input."),
    N_("Invalid type."),
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid aware datetime."),
    N_("Not a valid naive datetime."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Not a valid email address."),
    N_("Not a valid URL."),
    N_("Not a valid UUID."),
    N_("String does not match expected pattern."),
    N_("Length must be between {min} and {max}."),
    N_("Length must be {equal}."),
    N_("Longer than maximum length {max}."),
    N_("Shorter than minimum length {min}."),
    N_("Must be one of: {choices}."),
    N_("Must be equal to {other}."),
    N_("Must be greater than or equal to {min}."),
    N_("Must be greater than {min}."),
    N_("Must be less than or equal to {max}."),
    N_("Must be less than {max}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Must be greater than {min} and less than {max}."),
    N_("Must be greater than or equal to {min} and less than {max}."),
    N_("Must be greater than {min} and less than or equal to {max}."),
)

_FORMATTER = string.Formatter()


def template_fields(template: str) -> tuple[str, ...] | None:
    """The ``{name}`` fields of a ``str.format`` template (``None``: not a plain template)."""
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError:
        return None
    names = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            return None
        names.append(name)
    return tuple(dict.fromkeys(names))


def _pattern(template: str) -> re.Pattern[str]:
    parts = []
    seen: set[str] = set()
    for literal, name, _, _ in _FORMATTER.parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
            seen.add(name)
    return re.compile("".join(parts), re.DOTALL)


@lru_cache(maxsize=1)
def _templates() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Every msgid with ``{name}`` fields (or escaped braces), longest literal text first."""
    found = []
    for msgid in translations("en")._catalog:  # the same msgids in every catalog
        if not isinstance(msgid, str) or "\x04" in msgid or "{" not in msgid:
            continue
        if template_fields(msgid) is not None:
            literal = sum(len(text) for text, *_ in _FORMATTER.parse(msgid))
            found.append((literal, msgid))
    return tuple((msgid, _pattern(msgid)) for _, msgid in sorted(found, key=lambda pair: -pair[0]))


@lru_cache(maxsize=4096)
def translate_message(message: str, locale: str) -> str:
    """One validation message in ``locale`` (unchanged when it is not in the catalogs)."""
    catalog = translations(negotiate(locale))
    if message in catalog._catalog:
        return catalog.ugettext(message)
    for template, pattern in _templates():
        match = pattern.fullmatch(message)
        if match:
            return catalog.ugettext(template).format(**match.groupdict())
    return message


def localise_errors(errors: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """``{"field": [messages]}`` with every message in ``locale`` (a lone message stays one)."""
    return {
        field: translate_message(str(messages), locale)
        if isinstance(messages, str)
        else [translate_message(str(m), locale) for m in messages]
        for field, messages in errors.items()
    }
