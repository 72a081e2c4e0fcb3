"""The endpoint contract: flask-smorest ``Api`` and ``ApiBlueprint``; every HTTP error is problem+json.

Every API endpoint answers in this order, whatever order its decorators are in:

1. authentication (401) and authorisation (403) from the view's ``@require(...)``
   (``ApiBlueprint(public=True)`` for the few routes anyone may call);
2. the media type (415: bodies must be JSON), the size (413: ``CANCELSVC_MAX_BODY``, a
   chunked body too) and the JSON itself (400 ``request.malformed_json``: not JSON, or
   nested deeper than ``jsoncodec.MAX_DEPTH``) — also on operations that take no body;
3. only then the body and the query are validated (422) and the view runs. The body is
   parsed once, by the step above (webargs reads the parsed value, ``Parser``).

``ApiBlueprint`` refuses to register a view without ``@require`` on a non-public
blueprint, and ``Api`` refuses blueprints that are not ``ApiBlueprint``, so a new view
cannot skip or reorder the steps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint as SmorestBlueprint
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge
from werkzeug.routing import UnicodeConverter

from cancelsvc.auth.principal import Policy, authorise, policy_of
from cancelsvc.error_texts import code_for_status
from cancelsvc.errors import flatten_messages, problem_response

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class Api(SmorestApi):
    """The service's API object: documents problem+json and emits it for HTTP errors.

    Error responses are documented by ``cancelsvc.contract`` (``ContractPlugin``): one
    problem+json component per status and no catch-all ``default``.
    """

    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_responses(self) -> None:
        """The problem responses are registered by ``cancelsvc.contract.ContractPlugin``."""

    def _register_pagination_header(self) -> None:
        """``X-Pagination`` is a header, so its value is a string (JSON text of the page metadata)."""
        self.spec.components.header("PAGINATION", {
            "description": "Pagination metadata as JSON text: total, total_pages, first_page, last_page, page, "
                           "previous_page, next_page",
            "schema": {"type": "string", "example": '{"total": 2, "total_pages": 1, "first_page": 1, '
                                                    '"last_page": 1, "page": 1}'},
        }, lazy=True)

    def handle_http_exception(self, error: HTTPException) -> Response:
        return http_exception_to_problem(error)

    def register_blueprint(self, blp: SmorestBlueprint, *, parameters: Any = None, **options: Any) -> None:
        if not isinstance(blp, ApiBlueprint):
            raise TypeError(f"blueprint {blp.name!r} must be a cancelsvc.api.ApiBlueprint (the endpoint contract)")
        super().register_blueprint(blp, parameters=parameters, **options)


class Parser(FlaskParser):
    """webargs reading the body that the endpoint contract already parsed (``request.get_json``)."""

    def _raw_load_json(self, req: Any) -> Any:
        if not is_json_request(req):
            return core.missing
        return req.get_json(silent=True)


class ApiBlueprint(SmorestBlueprint):
    """A flask-smorest blueprint that keeps the endpoint contract (see the module docstring)."""

    ARGUMENTS_PARSER = Parser()

    def __init__(self, *args: Any, public: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.public = public
        #: endpoint (unqualified) → HTTP method → policy
        self._policies: dict[str, dict[str, Policy]] = {}
        self.before_request(self._guard)

    def add_url_rule(self, rule: str, endpoint: str | None = None, view_func: Any = None,
                     provide_automatic_options: bool | None = None, **options: Any) -> None:
        before = len(self._endpoints)
        super().add_url_rule(rule, endpoint, view_func, provide_automatic_options, **options)
        registered = self._endpoints[before]  # flask-smorest may have made the name unique
        policies = {method: policy_of(function) for method, function in _methods(view_func, options)}
        missing = sorted(method for method, policy in policies.items() if policy is None)
        if missing and not self.public:
            raise TypeError(f"{self.name}.{registered} {', '.join(missing)}: declare the callers with "
                            "@require(...), or make the blueprint public")
        self._policies[registered] = {m: p for m, p in policies.items() if p is not None}

    def _guard(self) -> Response | None:
        """Runs before the view and before anything reads the body or the query."""
        method = "GET" if request.method == "HEAD" else request.method
        if method == "OPTIONS":
            return None
        if not self.public:
            endpoint = (request.endpoint or "").rpartition(".")[2]
            policy = self._policies.get(endpoint, {}).get(method)
            if policy is not None:
                authorise(policy)
        return _body_contract()


class TextConverter(UnicodeConverter):
    """The default URL converter, except that a NUL character matches no route (404): no id
    contains one, and the database refuses it in text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]")


def _methods(view: Any, options: dict[str, Any]) -> list[tuple[str, Callable[..., Any]]]:
    if isinstance(view, type) and issubclass(view, MethodView):
        return [(m, getattr(view, m.lower())) for m in sorted(view.methods or ())]
    return [(m, view) for m in options.get("methods", ("GET",)) if m not in ("HEAD", "OPTIONS")]


def _body_contract() -> Response | None:
    """JSON bodies only (415), no larger than ``CANCELSVC_MAX_BODY`` (413), well-formed (400)."""
    if request.method not in BODY_METHODS:
        return None
    length = request.content_length or 0
    chunked = request.content_length is None and bool(request.headers.get("Transfer-Encoding"))
    if (length > 0 or chunked) and not request.is_json:
        return problem_response(415, "request.unsupported_media_type")
    limit = request.max_content_length
    if limit is not None and length > limit:
        raise RequestEntityTooLarge()
    body = request.get_data(cache=True)
    # Werkzeug stops reading a chunked body at the limit without saying so: one byte more
    # left in the input means the body was longer.
    if chunked and limit is not None and len(body) >= limit and request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()
    if body:
        try:
            request.get_json()  # parsed once here; webargs reads it from the cache
        except BadRequest:
            return problem_response(400, "request.malformed_json")
    return None


def http_exception_to_problem(error: HTTPException) -> Response:
    """Map a Werkzeug/webargs HTTP exception to a problem response."""
    status = error.code or 500
    data: dict[str, Any] = getattr(error, "data", None) or {}
    code = data.get("code") or code_for_status(status)
    errors = None
    detail = None
    messages = data.get("errors") or data.get("messages")
    if status == 400 and messages:
        # webargs reports an unparsable JSON body as a 400 with a message
        code = "request.malformed_json"
    elif messages:
        # webargs nests messages under the location ("json", "query", ...)
        if isinstance(messages, dict) and len(messages) == 1 and next(iter(messages)) in (
            "json", "query", "headers", "form", "files", "view_args", "path", "cookies"
        ):
            messages = next(iter(messages.values()))
        errors = flatten_messages(messages)
    if status == 500:
        detail = None  # never leak internals
    elif status == 405:
        detail = None
    headers = dict(data.get("headers") or {})
    valid_methods = getattr(error, "valid_methods", None)  # set by MethodNotAllowed
    if status == 405 and valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return problem_response(status, code, detail, errors=errors, headers=headers)
