"""The risk model inside the pre-check: exact explanations, online = batch, rules-only fallback."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import pytest

import ml
from cancelsvc.risk.export import export_rows
from models import Precheck
from tests.conftest import bearer
from tests.factories import AccountFactory, ContractFactory, DeviceFactory, ServiceFactory


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = ml.train(ml.table_from_records(ml.synthesize(4000, seed=3), require_label=True), seed=3, resamples=200)
    directory = tmp_path_factory.mktemp("risk") / "model"
    ml.save_model(result, directory)
    return directory


@pytest.fixture
def line(app: Any) -> Any:
    account = AccountFactory(unbilled_amount="23.50")
    ContractFactory(account=account)
    DeviceFactory(account=account)
    ServiceFactory(account=account)
    return account


def run(client: Any, key: str, msisdn: str, lang: str = "zh-CN") -> dict[str, Any]:
    response = client.post("/api/v1/prechecks", json={"account": msisdn, "channel": "app"},
                           headers={**bearer(key), "Accept-Language": lang})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_without_a_model_risk_is_null_and_readyz_says_rules_only(client: Any, api_key: Any, line: Any) -> None:
    doc = run(client, api_key("precheck"), line.msisdn)
    assert doc["risk"] is None
    assert doc["findings"]  # the rest of the pre-check is unchanged
    assert client.get("/readyz").get_json()["checks"]["risk_model"]["status"] == "rules_only"


def test_with_a_model_risk_and_three_localised_factors(make_app: Any, model_dir: Path) -> None:
    app = make_app(CANCELSVC_MODEL_DIR=str(model_dir))
    with app.app_context():
        from tests.factories import ApiKeyFactory

        account = AccountFactory(unbilled_amount="23.50")
        ContractFactory(account=account)
        DeviceFactory(account=account)
        key = ApiKeyFactory(scopes=["precheck"]).clear
        client = app.test_client()
        zh, en = run(client, key, account.msisdn), run(client, key, account.msisdn, "en")
        for doc in (zh, en):
            risk = doc["risk"]
            assert 0 < risk["probability"] < 1
            assert risk["band"] == ml.band(risk["probability"])
            assert len(risk["factors"]) == 3
            assert all(f["direction"] in ("up", "down") and f["size"] > 0 for f in risk["factors"])
        assert zh["risk"]["factors"][0]["label"] != en["risk"]["factors"][0]["label"]
        stored = Precheck.query.get(zh["id"]) if hasattr(Precheck, "query") else None
        from models import db

        stored = db.session.get(Precheck, zh["id"])
        # Exact explanation: base value plus every contribution is the logit of the probability.
        p = stored.risk["probability"]
        total = stored.risk["base_value"] + sum(stored.risk["contributions"].values())
        assert math.isclose(total, math.log(p / (1 - p)), abs_tol=1e-5)  # probability is rounded to 6 places
        # Online equals batch scoring of the same stored feature row.
        model = ml.load_model(model_dir)
        online = model.explain(stored.features).probability
        batch = model.predict_proba(ml.table_from_records([stored.features]))[0]
        assert abs(online - batch) <= 1e-9
        assert app.test_client().get("/readyz").get_json()["checks"]["risk_model"]["status"] == "loaded"


def test_tampered_model_is_refused_and_the_service_runs_rules_only(make_app: Any, model_dir: Path,
                                                                 tmp_path: Path) -> None:
    import shutil

    broken = tmp_path / "model"
    shutil.copytree(model_dir, broken)
    card = broken / "MODEL_CARD.md"
    card.write_text(card.read_text() + "\nedited by hand\n")
    app = make_app(CANCELSVC_MODEL_DIR=str(broken))
    with app.app_context():
        from tests.factories import ApiKeyFactory

        account = AccountFactory()
        key = ApiKeyFactory(scopes=["precheck"]).clear
        client = app.test_client()
        assert run(client, key, account.msisdn)["risk"] is None
        status = client.get("/readyz").get_json()["checks"]["risk_model"]
        assert status["status"] == "rules_only" and "refused" in status["reason"]
        info = app.test_cli_runner().invoke(args=["ml", "info"])
        assert "refused" in info.output.lower()


def test_ml_export_writes_finished_requests_with_their_outcome(app: Any, runner: Any, tmp_path: Path,
                                                               api_key: Any, client: Any, line: Any) -> None:
    from models import CancellationRequest, db

    key = api_key("precheck", "cancellations:write")
    doc = run(client, key, line.msisdn)
    submitted = client.post("/api/v1/cancellations", json={"precheck_id": doc["id"]},
                            headers={**bearer(key), "Idempotency-Key": "export-1"})
    assert submitted.status_code == 201, submitted.get_json()
    request_id = submitted.get_json()["id"]
    assert export_rows() == []  # open requests are not training data
    withdrawn = client.post(f"/api/v1/cancellations/{request_id}/withdraw",
                            headers={**bearer(key), "Idempotency-Key": "export-2"})
    assert withdrawn.status_code == 200
    out = tmp_path / "export.csv"
    result = runner.invoke(args=["ml", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 1 and rows[0][ml.LABEL] == "1"
    stored = db.session.get(Precheck, doc["id"]).features
    assert json.loads(json.dumps(stored))["channel"] == rows[0]["channel"] == "app"
    assert db.session.get(CancellationRequest, request_id).state == "withdrawn"
    # The exported file is valid training input.
    table, _ = ml.read_csv(out, require_label=True)
    assert len(table) == 1 if hasattr(table, "__len__") else True
