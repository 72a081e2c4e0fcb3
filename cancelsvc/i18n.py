"""Language negotiation: zh-CN by default, en on request (Accept-Language)."""

from __future__ import annotations

from flask import g, has_request_context, request

SUPPORTED = ("zh-CN", "en")
DEFAULT = "zh-CN"
_BABEL = {"zh-CN": "zh_Hans_CN", "en": "en"}


def negotiate(header: str | None) -> str:
    """Pick zh-CN or en from an Accept-Language value (quality-ordered)."""
    if not header:
        return DEFAULT
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if quality <= 0:
            continue
        if tag.startswith("zh"):
            lang = "zh-CN"
        elif tag.startswith("en"):
            lang = "en"
        elif tag == "*":
            lang = DEFAULT
        else:
            continue
        key = (-quality, position, lang)
        if best is None or key < best:
            best = key
    return best[2] if best else DEFAULT


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
