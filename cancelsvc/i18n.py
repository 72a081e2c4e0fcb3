"""Language negotiation: zh-CN by default, en on request (Accept-Language)."""

from __future__ import annotations

from flask import g, has_request_context, request

from cancelsvc.texts import negotiate

DEFAULT = "zh-CN"
_BABEL = {"zh-CN": "zh_Hans_CN", "en": "en"}


def current_locale() -> str:
    """The response language of the current request (zh-CN outside a request)."""
    if not has_request_context():
        return DEFAULT
    if "locale" not in g:
        g.locale = negotiate(request.headers.get("Accept-Language"))
    return g.locale


def babel_locale() -> str:
    """Locale selector for Flask-Babel (Babel's identifiers)."""
    return _BABEL[current_locale()]
