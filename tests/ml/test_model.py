"""The model: exact additive explanations, online = batch, imputation, reproducibility."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ml
from ml.model import choose_knots
from ml.schema import CATEGORIES, KINDS, NEGATIVE_ALLOWED, NUMERIC


def _number(name: str) -> st.SearchStrategy[Any]:
    low = -5000 if name in NEGATIVE_ALLOWED else 0
    if KINDS[name] == "integer":
        values: st.SearchStrategy[Any] = st.integers(low, 10_000)
    else:
        values = st.floats(low, 50_000, allow_nan=False)
    return st.one_of(values, values.map(str), st.just(None), st.just(""))


ROWS = st.fixed_dictionaries({
    name: (st.one_of(st.sampled_from(CATEGORIES[name]), st.text(max_size=5), st.none()) if name in CATEGORIES
           else _number(name))
    for name in ml.FEATURES
})


def logit(p: float) -> float:
    return math.log(p) - math.log1p(-p)


@settings(max_examples=300, deadline=None)
@given(row=ROWS)
def test_contributions_add_up_to_the_logit_and_match_batch(model: ml.Model, row: dict[str, Any]) -> None:
    explanation = model.explain(row)
    assert list(explanation.contributions) == ml.FEATURES
    total = explanation.base_value + sum(explanation.contributions.values())
    assert abs(total - explanation.logit) <= 1e-9
    assert abs(total - logit(explanation.probability)) <= 1e-9
    assert abs(model.predict_proba([row])[0] - explanation.probability) <= 1e-9


def test_online_and_batch_agree_on_the_training_rows(model: ml.Model, synthetic_records: list[dict]) -> None:
    rows = synthetic_records[:1500]
    batch = model.predict_proba(ml.table_from_records(rows))
    online = np.array([model.explain(r).probability for r in rows])
    assert np.max(np.abs(online - batch)) <= 1e-9
    contributions = model.contributions(ml.table_from_records(rows))
    for i in (0, 7, 1499):
        assert model.explain(rows[i]).contributions == pytest.approx(
            {name: float(contributions[name][i]) for name in ml.FEATURES}, abs=1e-12)


def test_each_numeric_contribution_is_linear_interpolation_of_its_table(model: ml.Model) -> None:
    scoring = model.metadata["scoring"]["numeric"]
    base = {name: 0 for name in NUMERIC} | {name: CATEGORIES[name][0] for name in CATEGORIES}
    for name in NUMERIC:
        knots, values = scoring[name]["knots"], scoring[name]["values"]
        for x in [knots[0] - 10 if name in NEGATIVE_ALLOWED else knots[0], *knots,
                  (knots[0] + knots[-1]) / 2, knots[-1] * 3 + 1]:
            value = x if KINDS[name] == "decimal" else math.floor(x)
            got = model.explain({**base, name: value}).contributions[name]
            assert got == pytest.approx(float(np.interp(value, knots, values)), abs=1e-12)


def test_contributions_are_centred_on_the_training_data(trained: ml.TrainResult, synthetic_table: ml.Table) -> None:
    # Centred on the rows the model was fitted on (the training split): check on all rows, loosely.
    parts = trained.model.contributions(synthetic_table)
    for name, values in parts.items():
        assert abs(values.mean()) < 0.05, name
    p = trained.model.predict_proba(synthetic_table)
    assert abs(p.mean() - synthetic_table.label.mean()) < 0.02


def test_empty_values_are_imputed_with_the_training_median(model: ml.Model, synthetic_records: list[dict]) -> None:
    row = {k: v for k, v in synthetic_records[0].items() if k in ml.FEATURES}
    medians = model.metadata["imputation"]["numeric"]
    imputed = model.explain({**row, "tenure_months": None, "balance_net": "", "disputed_amount": float("nan")})
    explicit = model.explain({**row, "tenure_months": medians["tenure_months"], "balance_net": medians["balance_net"],
                              "disputed_amount": medians["disputed_amount"]})
    assert imputed.probability == explicit.probability


def test_unknown_categories_score_as_other(model: ml.Model, synthetic_records: list[dict]) -> None:
    row = {k: v for k, v in synthetic_records[0].items() if k in ml.FEATURES}
    other = model.explain({**row, "channel": "other"})
    assert model.explain({**row, "channel": "kiosk"}).probability == other.probability
    assert model.explain({**row, "channel": None}).probability == other.probability
    assert model.explain({**row, "channel": " App "}).probability == model.explain({**row, "channel": "app"}).probability


def test_money_may_come_as_decimal_or_text(model: ml.Model, synthetic_records: list[dict]) -> None:
    from decimal import Decimal

    row = {k: v for k, v in synthetic_records[5].items() if k in ml.FEATURES}
    as_decimal = {**row, "early_termination_fee": Decimal(str(row["early_termination_fee"])),
                  "balance_net": Decimal(str(row["balance_net"]))}
    as_text = {k: str(v) for k, v in row.items()}
    assert model.explain(as_decimal).probability == model.explain(row).probability
    assert model.explain(as_text).probability == model.explain(row).probability


def test_invalid_rows_raise_data_error_naming_the_column(model: ml.Model, synthetic_records: list[dict]) -> None:
    row = {k: v for k, v in synthetic_records[0].items() if k in ml.FEATURES}
    with pytest.raises(ml.DataError, match="column 'segment'"):
        model.explain({k: v for k, v in row.items() if k != "segment"})
    with pytest.raises(ml.DataError, match="column 'early_termination_fee'.*≥ 0"):
        model.explain({**row, "early_termination_fee": -1})
    with pytest.raises(ml.DataError, match="column 'tenure_months'.*not a number"):
        model.explain({**row, "tenure_months": "ten"})


def test_bands() -> None:
    assert [ml.band(p) for p in (0.0, 0.199999, 0.2, 0.4999, 0.5, 1.0)] == [
        "low", "low", "medium", "medium", "high", "high"]


def test_top_factors_are_sorted_by_size(model: ml.Model, synthetic_records: list[dict]) -> None:
    explanation = model.explain(synthetic_records[3])
    top = explanation.top(3)
    assert len(top) == 3
    sizes = [abs(v) for _, v in top]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-1] >= max(abs(v) for k, v in explanation.contributions.items() if k not in dict(top))
    assert explanation.band == ml.band(explanation.probability)


def test_same_data_and_seed_give_the_same_model(synthetic_table: ml.Table) -> None:
    table = synthetic_table.subset(np.arange(2500))
    first, again = ml.train(table, seed=3), ml.train(table, seed=3)
    assert again.model.metadata["scoring"] == first.model.metadata["scoring"]
    assert again.model.version == first.model.version
    assert again.metrics == first.metrics and again.gate == first.gate
    assert np.array_equal(again.model.predict_proba(table), first.model.predict_proba(table))
    other = ml.train(table, seed=4)
    assert other.model.metadata["scoring"] != first.model.metadata["scoring"]


def test_knots_keep_point_masses_sharp() -> None:
    values = np.array([0.0] * 900 + list(np.linspace(5, 500, 100)) + [np.nan] * 10)
    knots = choose_knots(values, 16)
    assert knots[:2] == [0.0, 5.0] and knots[-1] == 500.0
    assert len(knots) >= 10
    assert choose_knots(np.array([3.0, 3.0])) == [3.0, 4.0]
    assert choose_knots(np.array([np.nan])) == [0.0, 1.0]


def test_training_needs_labels_and_both_outcomes(synthetic_records: list[dict]) -> None:
    unlabelled = ml.table_from_records([{k: v for k, v in r.items() if k in ml.FEATURES}
                                        for r in synthetic_records[:50]])
    with pytest.raises(ml.DataError, match="label"):
        ml.train(unlabelled)
    all_failed = ml.table_from_records([{**r, ml.LABEL: 1} for r in synthetic_records[:100]], require_label=True)
    with pytest.raises(ml.DataError, match="each outcome"):
        ml.train(all_failed)
