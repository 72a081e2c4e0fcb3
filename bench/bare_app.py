"""The baseline of ``progress_bench.py``: a bare Flask app with one small JSON endpoint.

Served exactly like the real service (``gunicorn bare_app:app`` from ``bench/``).
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/ping")
def ping() -> dict[str, object]:
    return {"status": "ok", "version": 1}
