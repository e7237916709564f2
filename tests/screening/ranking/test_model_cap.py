"""The fit's bound at scale: beyond ModelSettings.max_excludes settled excludes, all the includes
and a seeded subset of the excludes are trained on, the classes weighing as before; below it the
fit is the one the ranking benchmark judged."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from screening.ranking.model import (
    ModelSettings,
    _capped_rows,
    _sample_weights,
    model_fit,
    ranking_scores,
)


def _pool(n: int = 600, features: int = 300, seed: int = 3) -> tuple[sp.csr_matrix, np.ndarray]:
    """A random sparse pool whose includes (about 10 %) lean on the first 20 features."""
    rng = np.random.default_rng(seed)
    matrix = sp.random(n, features, density=0.05, format="csr", random_state=rng)
    truth = (rng.random(n) < 0.1).astype(int)
    lean = sp.random(n, 20, density=0.3, format="csr", random_state=rng)
    lean = sp.diags(truth.astype(float)) @ lean
    matrix = normalize(sp.hstack([lean, matrix[:, 20:]], format="csr"))
    return matrix, truth


def _old_fit(
    matrix: sp.csr_matrix, rows: np.ndarray, labels: np.ndarray, settings: ModelSettings
) -> LogisticRegression:
    """The fit as it was before the cap: every labelled row, balanced weights."""
    included = (labels == 1).sum()
    weights = np.where(labels == 1, 1.0, included / (settings.include_ratio * (labels == 0).sum()))
    weights *= len(labels) / weights.sum()
    estimator = LogisticRegression(C=settings.C, solver="liblinear")
    return estimator.fit(matrix[rows], labels, sample_weight=weights)


def test_the_defaults_are_the_benchmarks_and_the_cap_is_ten_thousand_excludes() -> None:
    settings = ModelSettings()
    assert (settings.model, settings.C, settings.include_ratio) == ("logreg", 10.0, 1.0)
    assert settings.max_excludes == 10_000


def test_below_the_cap_the_fit_is_identical_to_the_uncapped_one() -> None:
    matrix, truth = _pool()
    rows = np.arange(0, 600, 2)
    labels = truth[rows]
    capped = model_fit(matrix, rows, labels, ModelSettings(max_excludes=int((labels == 0).sum())))
    uncapped = model_fit(matrix, rows, labels, ModelSettings(max_excludes=0))
    before = _old_fit(matrix, rows, labels, ModelSettings())
    assert np.array_equal(capped.coef_, uncapped.coef_)
    assert np.array_equal(capped.coef_, before.coef_)
    assert np.array_equal(capped.intercept_, before.intercept_)
    default = ranking_scores(matrix, rows, labels, ModelSettings())
    assert np.array_equal(default, before.decision_function(matrix))


def test_beyond_the_cap_all_includes_and_a_seeded_subset_of_excludes_are_kept() -> None:
    _, truth = _pool()
    rows = np.arange(600)
    kept_rows, kept_labels, scale = _capped_rows(rows, truth, 100)
    excludes = int((truth == 0).sum())
    assert (kept_labels == 0).sum() == 100
    assert set(kept_rows[kept_labels == 1]) == set(rows[truth == 1])
    assert set(kept_rows[kept_labels == 0]) <= set(rows[truth == 0])
    assert np.all(np.diff(kept_rows) > 0)  # in their order
    assert scale == pytest.approx(excludes / 100)
    again_rows, _, _ = _capped_rows(rows, truth, 100)
    assert np.array_equal(kept_rows, again_rows)


def test_beyond_the_cap_the_classes_still_weigh_as_the_settings_say() -> None:
    labels = np.array([1] * 10 + [0] * 100)
    for ratio in (1.0, 9.8):
        weights = _sample_weights(labels, ratio, exclude_scale=40.0)
        assert weights[labels == 1].sum() == pytest.approx(ratio * weights[labels == 0].sum())
        assert weights.mean() == pytest.approx(1.0)
    # Unbalanced: each kept exclude stands for the excludes left out, 40 of them.
    weights = _sample_weights(labels, 0.0, exclude_scale=40.0)
    assert weights[labels == 0][0] / weights[labels == 1][0] == pytest.approx(40.0)
    assert weights.mean() == pytest.approx(1.0)
    assert _sample_weights(labels, 0.0) is None


def test_beyond_the_cap_the_fit_is_deterministic_and_still_ranks_includes_first() -> None:
    matrix, truth = _pool()
    rows = np.arange(0, 600, 2)
    labels = truth[rows]
    settings = ModelSettings(max_excludes=60)
    assert (labels == 0).sum() > 60
    first = model_fit(matrix, rows, labels, settings)
    second = model_fit(matrix, rows, labels, settings)
    assert np.array_equal(first.coef_, second.coef_)
    uncapped = model_fit(matrix, rows, labels, ModelSettings(max_excludes=0))
    assert not np.array_equal(first.coef_, uncapped.coef_)
    unseen = np.arange(1, 600, 2)
    scores = first.decision_function(matrix[unseen])
    included, excluded = scores[truth[unseen] == 1], scores[truth[unseen] == 0]
    # Most includes score above most excludes (AUC well above chance).
    auc = (included[:, None] > excluded[None, :]).mean()
    assert auc > 0.8


def test_the_subset_depends_on_the_labels_not_on_the_previous_call() -> None:
    _, truth = _pool()
    rows = np.arange(600)
    a, _, _ = _capped_rows(rows, truth, 50)
    _capped_rows(rows, 1 - truth, 50)
    b, _, _ = _capped_rows(rows, truth, 50)
    assert np.array_equal(a, b)
