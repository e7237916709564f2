"""The ranker: a linear model trained on settled decisions only, scoring what is left to screen.

Candidates were compared by `make bench-ranking` (benchmarks/RESULTS.md); `DEFAULT` is the one
chosen there. Before the first settled include (and exclude) there is nothing to learn from, so
the references are ranked by cosine similarity to a query (the eligibility criteria, the include
keywords and the text of any seed references the lead marks as known includes), and without a
query they keep import order, which is what the reviewer had without ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from screening.ranking.features import Features, features_transform

MODELS = ("logreg", "svm", "nb")


@dataclass(frozen=True)
class ModelSettings:
    """Which linear model and how hard it fits; the defaults are the benchmark's choice."""

    model: str = "logreg"
    # Inverse regularisation for logreg and svm; for nb, its smoothing alpha.
    C: float = 10.0
    # How much the includes weigh, together, against the excludes, together: includes are
    # 1-15 % of a pool, and an unweighted model learns to say "exclude" to everything. 1 is
    # sklearn's "balanced"; ASReview's ELAS u4 uses 9.8 (its "ratio"); 0 leaves rows unweighted.
    include_ratio: float = 1.0
    # Repeat the includes until they are this share of the training rows (ASReview's old
    # "double" balancer did so dynamically); 0 leaves the rows as they are.
    oversample_to: float = 0.0
    # At most this many settled excludes are trained on: beyond it, a seeded random subset of
    # them, weighed so that the classes still weigh as include_ratio says (0: all of them).
    # The fit's time grows with its rows (liblinear: 11 CPU s on 50k rows of a 100k pool, 4 s
    # on 10k excludes and the includes; benchmarks/RESULTS.md, "ranking at scale"); the six
    # benchmark sets (8,911 records at most) never reach it, so their figures are this cap's.
    max_excludes: int = 10_000

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f"unknown model {self.model!r}: one of {', '.join(MODELS)}")


def _training_rows(
    rows: np.ndarray, labels: np.ndarray, oversample_to: float
) -> tuple[np.ndarray, np.ndarray]:
    included = rows[labels == 1]
    if oversample_to <= 0 or len(included) == 0:
        return rows, labels
    share = len(included) / len(rows)
    if share >= oversample_to:
        return rows, labels
    excluded = len(rows) - len(included)
    wanted = int(np.ceil(oversample_to * excluded / (1 - oversample_to)))
    extra = np.resize(included, max(wanted - len(included), 0))
    return np.concatenate([rows, extra]), np.concatenate([labels, np.ones(len(extra), int)])


# The excludes' subset beyond ModelSettings.max_excludes: the same labels give the same fit.
_EXCLUDES_SEED = 18


def _capped_rows(
    rows: np.ndarray, labels: np.ndarray, max_excludes: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """All the includes and at most `max_excludes` of the excludes (a seeded random subset,
    in their order), and how many excludes each kept one stands for."""
    excluded = np.flatnonzero(labels == 0)
    if max_excludes <= 0 or len(excluded) <= max_excludes:
        return rows, labels, 1.0
    kept = np.random.default_rng(_EXCLUDES_SEED).choice(excluded, max_excludes, replace=False)
    keep = labels != 0
    keep[kept] = True
    return rows[keep], labels[keep], len(excluded) / max_excludes


def _sample_weights(
    labels: np.ndarray, include_ratio: float, exclude_scale: float = 1.0
) -> np.ndarray | None:
    """Weights with sum(includes) = include_ratio * sum(excludes), averaging 1 over the rows.
    Unbalanced (include_ratio 0), an exclude weighs `exclude_scale`: the excludes it stands for."""
    if include_ratio <= 0:
        if exclude_scale == 1.0:
            return None
        weights = np.where(labels == 1, 1.0, exclude_scale)
        return weights * (len(labels) / weights.sum())
    included = int((labels == 1).sum())
    excluded = len(labels) - included
    weights = np.where(labels == 1, 1.0, included / (include_ratio * excluded))
    return weights * (len(labels) / weights.sum())


def model_fit(
    matrix: sp.csr_matrix,
    rows: Sequence[int] | np.ndarray,
    labels: Sequence[int] | np.ndarray,
    settings: ModelSettings,
) -> LogisticRegression | LinearSVC | ComplementNB:
    """Fit on the labelled rows only (1 include, 0 exclude); both classes must be present."""
    rows = np.asarray(rows, dtype=np.intp)
    labels = np.asarray(labels, dtype=int)
    rows, labels, exclude_scale = _capped_rows(rows, labels, settings.max_excludes)
    rows, labels = _training_rows(rows, labels, settings.oversample_to)
    x = matrix[rows]
    weights = _sample_weights(labels, settings.include_ratio, exclude_scale)
    if settings.model == "logreg":
        # liblinear's primal solver: converges in a handful of passes at any stage of a
        # screening. Its dual form is faster early on but, once the classes are almost
        # separable (few includes left), needs up to a thousand passes: ten times slower there.
        estimator = LogisticRegression(C=settings.C, solver="liblinear")
    elif settings.model == "svm":
        estimator = LinearSVC(C=settings.C)
    else:
        estimator = ComplementNB(alpha=settings.C)
    estimator.fit(x, labels, sample_weight=weights)
    return estimator


def model_scores(
    estimator: LogisticRegression | LinearSVC | ComplementNB, matrix: sp.csr_matrix
) -> np.ndarray:
    """One relevance score per row: higher is more likely an include."""
    if isinstance(estimator, ComplementNB):
        log_probability = estimator.predict_log_proba(matrix)
        return log_probability[:, 1] - log_probability[:, 0]
    return estimator.decision_function(matrix)


def similarity_scores(matrix: sp.csr_matrix, query: sp.csr_matrix) -> np.ndarray:
    """Cosine similarity of every row to the query rows' centroid (rows are l2-normalised)."""
    centroid = np.asarray(query.mean(axis=0)).ravel()
    return np.asarray(matrix @ centroid).ravel()


def ranking_scores(
    matrix: sp.csr_matrix,
    rows: Sequence[int] | np.ndarray,
    labels: Sequence[int] | np.ndarray,
    settings: ModelSettings,
    query: sp.csr_matrix | None = None,
) -> np.ndarray | None:
    """Scores for every row of the pool, or None when import order is all there is to go by.

    With both an include and an exclude among the labels the model is trained on them. Before
    that, the query (criteria, keywords, seed references' text) and any labelled includes are
    the description of what is sought, and rows are scored by their similarity to it.
    """
    rows = np.asarray(rows, dtype=np.intp)
    labels = np.asarray(labels, dtype=int)
    if (labels == 1).any() and (labels == 0).any():
        return model_scores(model_fit(matrix, rows, labels, settings), matrix)
    sought = [matrix[rows[labels == 1]]] if (labels == 1).any() else []
    if query is not None and query.shape[0] and query.nnz:
        sought.append(query)
    if not sought:
        return None
    scores = similarity_scores(matrix, sp.vstack(sought, format="csr"))
    return scores if scores.any() else None


def ranking_order(scores: np.ndarray | None, candidates: Sequence[int] | np.ndarray) -> np.ndarray:
    """The candidates, highest score first; ties (and no scores at all) keep import order."""
    candidates = np.sort(np.asarray(candidates, dtype=np.intp))
    if scores is None:
        return candidates
    return candidates[np.argsort(-scores[candidates], kind="stable")]


def pool_rank(
    features: Features,
    rows: Sequence[int] | np.ndarray,
    labels: Sequence[int] | np.ndarray,
    settings: ModelSettings | None = None,
    query_texts: Sequence[str] = (),
) -> tuple[np.ndarray, np.ndarray | None]:
    """The pool's unlabelled rows in the order to screen them, and every row's score.

    `rows` and `labels` are the settled decisions (1 include, 0 exclude); `query_texts` the
    eligibility criteria, include keywords and seed references' text for the cold start.
    """
    rows = np.asarray(rows, dtype=np.intp)
    query = features_transform(features, list(query_texts)) if query_texts else None
    scores = ranking_scores(features.matrix, rows, labels, settings or ModelSettings(), query)
    unlabelled = np.setdiff1d(np.arange(features.matrix.shape[0]), rows)
    return ranking_order(scores, unlabelled), scores
