"""``make run`` refuses to seed over a server that already listens on its port, and links
customers to the server it starts."""

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


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("operator_url", ["", "https://cancel.example.net"])
def test_make_run_links_customers_to_its_own_port_unless_the_operator_set_a_url(operator_url: str) -> None:
    import os

    env = {**os.environ, "CANCELSVC_PUBLIC_URL": operator_url}
    result = subprocess.run(  # -n: the commands only, nothing runs
        ["make", "-n", "--no-print-directory", "-o", ".venv/.runtime", "run", "HOST=127.0.0.1", "PORT=5999"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, env=env,
    )
    assert result.returncode == 0, result.stderr
    served = [line for line in result.stdout.splitlines() if "gunicorn --bind" in line]
    assert served
    if operator_url or (ROOT / ".env").exists() and "CANCELSVC_PUBLIC_URL=" in (ROOT / ".env").read_text():
        assert "CANCELSVC_PUBLIC_URL=" not in result.stdout  # the operator's URL stands
    else:
        assert "CANCELSVC_PUBLIC_URL=http://127.0.0.1:5999 make" in result.stdout  # the demo link
        assert all("CANCELSVC_PUBLIC_URL=http://127.0.0.1:5999 " in line for line in served)
