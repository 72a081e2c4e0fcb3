"""``make run`` refuses to seed over a server that already listens on its port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_refuses_a_port_in_use_before_touching_anything() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        result = subprocess.run(
            # -o: never (re)build the virtualenv here; PY: this interpreter.
            ["make", "--no-print-directory", "-o", ".venv/.runtime", "run", f"PY={sys.executable}",
             "HOST=127.0.0.1", f"PORT={port}"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )
    assert result.returncode != 0
    assert f"Something is already serving on http://127.0.0.1:{port}" in result.stderr
    assert "make run PORT=" in result.stderr
    assert "db upgrade" not in result.stdout and "Demo API key" not in result.stdout  # nothing seeded
