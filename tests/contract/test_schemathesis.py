"""schemathesis against a live server on PostgreSQL: no 5xx, nothing outside the document.

The server (``live_server.py``: Werkzeug, threaded) runs in a subprocess on the test
database, seeded with the demo data; schemathesis authenticates with the demo API key
(every scope), with the demo customer's token on the customer operations, and is given
the demo request's tracking code and verify code for the tracking operations. The
server's tracking rate limits are raised so that the run exercises more than the limiter. schemathesis runs all
its checks for a bounded time (``SCHEMATHESIS_MAX_TIME`` seconds, default 150) with a
fixed seed, one worker. For schema-valid input, the business answers an operation
documents (404, 409, 412, 422, 428, 429) count as expected for that operation only.

Locally: ``TEST_DATABASE_URL=postgresql+psycopg://… .venv/bin/python -m pytest
tests/contract/test_schemathesis.py -s`` (``CANCELSVC_TEST_PORT`` picks the port, else a
free one). The JSON report and the server's log are kept in pytest's temporary folder,
whose path the test prints.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from cancelsvc.auth.tokens import mint_customer_token
from cancelsvc.database import transaction
from cancelsvc.demo.service import seed
from cancelsvc.services import services
from models import Account, CancellationRequest, db
from tests.conftest import secrets_in

ROOT = Path(__file__).resolve().parents[2]
MAX_TIME = int(os.environ.get("SCHEMATHESIS_MAX_TIME", "150"))
SEED = 20261123
#: Business answers that schema-valid input may get, when the operation documents them.
BUSINESS = ("304", "401", "403", "404", "409", "412", "422", "428", "429")
#: schemathesis's default answers to a missing required header.
MISSING_HEADER = ["400", "401", "403", "406", "415", "422"]
CUSTOMER_OPERATIONS = ("listMyAccounts", "listMyCancellations")
TRACKING_OPERATIONS = ("trackCancellation", "withdrawTrackedCancellation")

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]


@dataclass
class Server:
    url: str
    api_key: str
    customer_token: str
    tracking: dict[str, str]  # the demo's open request: its code and verify code
    document: dict[str, Any]
    counter: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the live server exited: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    pytest.fail("the live server did not start within 90 s")


@pytest.fixture
def server(make_app: Callable[..., Flask], base_config: dict[str, Any], tmp_path: Path) -> Iterator[Server]:
    app = make_app()
    with app.app_context():
        with transaction():
            demo = seed(dt.date.today(), services(app).settings.pii_key)
        code, msisdn = db.session.execute(
            sa.select(CancellationRequest.tracking_code, Account.msisdn)
            .join(Account, Account.id == CancellationRequest.account_id).limit(1)).one()
        token = mint_customer_token(demo.customer, str(services(app).settings.CANCELSVC_JWT_SECRET))
        document = app.extensions["cancelsvc.api"].spec.to_dict()
    port = int(os.environ.get("CANCELSVC_TEST_PORT") or _free_port())
    config = {**base_config, "TRACK_LIMIT_PER_CODE": "100000 per minute",
              "TRACK_LIMIT_PER_CLIENT": "100000 per minute"}
    counter, log = tmp_path / "requests.count", tmp_path / "server.log"
    env = {**os.environ, "CANCELSVC_TEST_CONFIG": json.dumps(config), "CANCELSVC_TEST_PORT": str(port),
           "CANCELSVC_TEST_COUNTER": str(counter)}
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "tests.contract.live_server"], cwd=ROOT, env=env,
                                   stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        counter.write_bytes(b"")
        yield Server(url, demo.api_key, token, {"code": code, "X-Verify-Code": msisdn[-4:]}, document, counter, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def expected_statuses(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Per operation: its success statuses and the business answers it documents."""
    out = []
    for item in document["paths"].values():
        for op in item.values():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            documented = set(op["responses"])
            statuses = sorted({s for s in documented if s.startswith("2")} | (documented & set(BUSINESS)))
            checks: dict[str, Any] = {"positive_data_acceptance": {"expected-statuses": statuses}}
            if "428" in documented:  # a missing If-Match is 428 precondition.required, as documented
                checks["missing_required_header"] = {"expected-statuses": [*MISSING_HEADER, "428"]}
            if op["operationId"] in TRACKING_OPERATIONS:  # a missing verify code is a wrong one: 404
                checks["missing_required_header"] = {"expected-statuses": [*MISSING_HEADER, "404"]}
            out.append({"include-operation-id": op["operationId"], "checks": checks})
    return out


def _toml(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)  # JSON strings, numbers and arrays are TOML too


def write_config(path: Path, server: Server) -> None:
    """Every check's expectations per operation; customer operations with the customer's
    token; the tracking operations with the demo request's code and verify code."""
    lines = [f"headers = {_toml({'Authorization': f'Bearer {server.api_key}'})}", ""]
    for entry in expected_statuses(server.document):
        operation_id = entry["include-operation-id"]
        lines += ["[[operations]]", f"include-operation-id = {_toml(operation_id)}"]
        if operation_id in CUSTOMER_OPERATIONS:
            lines.append(f"headers = {_toml({'Authorization': f'Bearer {server.customer_token}'})}")
        if operation_id in TRACKING_OPERATIONS:
            lines.append(f"parameters = {_toml(server.tracking)}")
        lines += [f"checks.{check}.expected-statuses = {_toml(value['expected-statuses'])}"
                  for check, value in entry["checks"].items()]
        lines.append("")
    path.write_text("\n".join(lines))


def test_schemathesis_finds_nothing(server: Server, tmp_path: Path) -> None:
    config, report = tmp_path / "schemathesis.toml", tmp_path / "schemathesis.json"
    write_config(config, server)
    command = [
        str(Path(sys.executable).parent / "st"), "--no-color", "--config-file", str(config), "run",
        f"{server.url}/api/v1/openapi.json", "--checks", "all", "--max-time", str(MAX_TIME),
        "--seed", str(SEED), "--workers", "1", "--request-timeout", "30",
        "--report", "json", "--report-json-path", str(report),
    ]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=MAX_TIME + 600)
    requests = server.counter.stat().st_size
    print(f"\nschemathesis: {requests} requests; report {report}; server log {server.log}")
    result = json.loads(report.read_text())
    summary = f"{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
    assert result["failures"] == [], summary
    assert result["errors"] == [], summary
    assert run.returncode == 0, summary
    assert result["operations"]["tested"] == len(expected_statuses(server.document))
    assert requests > 500
    assert secrets_in(server.log.read_text(errors="replace")) == []
