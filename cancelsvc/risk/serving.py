"""The installed risk model inside the service: loaded once, lazily; rules-only otherwise."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import ml
from cancelsvc.precheck.result import PrecheckOutcome
from cancelsvc.precheck.snapshot import AccountSnap
from cancelsvc.risk.features import feature_row
from cancelsvc.texts import render
from models import CancellationRequest, db
from models.vocabulary import UNFINISHED_STATES

log = logging.getLogger(__name__)
TOP_FACTORS = 3


class RiskAssessor:
    """Scores and explains a pre-check with the model in ``model_dir``, if one is usable.

    The model is read on first use (never at start-up); a missing, tampered or
    incompatible model leaves the service rules-only, and ``status`` says why.
    """

    def __init__(self, model_dir: str) -> None:
        self.model_dir = Path(model_dir)
        self._model: ml.Model | None = None
        self._status: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def model(self) -> ml.Model | None:
        if self._status is None:
            with self._lock:
                if self._status is None:
                    self._load()
        return self._model

    def _load(self) -> None:
        try:
            self._model = ml.load_model(self.model_dir)
            self._status = {"status": "loaded", "version": self._model.version}
        except ml.ModelNotFound:
            self._status = {"status": "rules_only", "reason": "no model installed"}
        except ml.ModelRefused as refused:
            log.warning("risk model refused, running rules-only: %s", refused)
            self._status = {"status": "rules_only", "reason": f"model refused: {refused}"}

    def status(self) -> dict[str, Any]:
        """For ``/readyz``: loaded (with version) or rules-only (with the reason)."""
        self.model()
        return dict(self._status or {})

    def assess(self, account: AccountSnap, outcome: PrecheckOutcome) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """(risk, features): risk is None without a model; features are always kept for export."""
        prior = account.prior_requests if account.prior_requests is not None else prior_requests(account.id)
        features = feature_row(account, outcome, prior)
        model = self.model()
        if model is None:
            return None, features
        explanation = model.explain(features)
        ranked = sorted(explanation.contributions.items(), key=lambda kv: abs(kv[1]), reverse=True)
        return {
            "probability": round(explanation.probability, 6),
            "band": ml.band(explanation.probability),
            "model_version": model.version,
            "base_value": explanation.base_value,
            "contributions": explanation.contributions,
            "factors": [
                {"feature": name, "direction": "up" if value > 0 else "down", "size": round(abs(value), 4)}
                for name, value in ranked[:TOP_FACTORS]
            ],
        }, features

    @staticmethod
    def present(risk: dict[str, Any], locale: str) -> dict[str, Any]:
        """The ``risk`` block of a pre-check, with factor labels in ``locale``."""
        return {
            "probability": risk["probability"],
            "band": risk["band"],
            "model_version": risk["model_version"],
            "factors": [
                {**factor, "label": render(f"risk.{factor['feature']}", locale)}
                for factor in risk["factors"]
            ],
        }


#: The states of a request that did not complete.
UNFINISHED = UNFINISHED_STATES


def prior_requests(account_id: int) -> int:
    """Earlier requests of the account that did not complete."""
    return db.session.execute(sa.select(prior_requests_column(sa.literal(account_id)))).scalar_one()


def prior_requests_column(account_id: sa.ColumnElement[int]) -> sa.ScalarSelect[int]:
    """``prior_requests`` as a scalar subquery (registered with the pre-check's snapshot loading)."""
    requests = CancellationRequest.__table__.c
    return (
        sa.select(sa.func.count())
        .select_from(CancellationRequest.__table__)
        .where(requests.account_id == account_id, requests.state.in_([sa.literal(s) for s in UNFINISHED]))
        .scalar_subquery()
    )
