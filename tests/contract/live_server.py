"""Serve the application with Werkzeug for the contract run: ``python -m tests.contract.live_server``.

Reads the app's config overrides as JSON from ``CANCELSVC_TEST_CONFIG`` and serves on
``127.0.0.1:$CANCELSVC_TEST_PORT`` (threaded) until terminated. With
``CANCELSVC_TEST_COUNTER`` set, one byte per request is appended to that file (the run's
request count is its size).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import run_simple

from cancelsvc import create_app


def counted(app: Callable[..., Iterable[bytes]], path: str) -> Callable[..., Iterable[bytes]]:
    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with open(path, "ab") as fh:
            fh.write(b".")
        return app(environ, start_response)

    return wsgi


def main() -> None:
    app = create_app(json.loads(os.environ["CANCELSVC_TEST_CONFIG"]))
    wsgi: Callable[..., Iterable[bytes]] = app
    if os.environ.get("CANCELSVC_TEST_COUNTER"):
        wsgi = counted(app, os.environ["CANCELSVC_TEST_COUNTER"])
    run_simple("127.0.0.1", int(os.environ["CANCELSVC_TEST_PORT"]), wsgi, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
