"""Health, readiness, the OpenAPI document and its interactive docs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def test_healthz(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_checks_the_database(client: Any) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["database"] == "ok"


def test_openapi_document_describes_the_api(client: Any) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/customers/me/accounts" in spec["paths"]
    assert "bearer" in spec["components"]["securitySchemes"]


def test_interactive_docs_are_served_locally(client: Any) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/docs-assets/swagger-ui-bundle.js" in html
    asset = client.get("/api/v1/docs-assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.get_data()) > 100_000


def test_openapi_write(runner: Any, tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    result = runner.invoke(args=["openapi", "write", str(target)])
    assert result.exit_code == 0, result.output
    assert "/api/v1/customers/me/accounts" in json.loads(target.read_text())["paths"]
