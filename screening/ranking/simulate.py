"""Replay a labelled review through the ranker: which reference would have come next, and when.

The reviewer screens one reference at a time, the model is refitted on every label seen so far
(or every `refit_every` labels) and the highest-scored unscreened reference comes next, as in
ASReview's `simulate`. The screening starts from two priors, one include and one exclude drawn
by `priors_draw`, which benchmarks/asreview_simulate.py copies so that ASReview gets the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

import numpy as np

from screening.ranking.features import FeatureSettings, features_build
from screening.ranking.model import ModelSettings, ranking_order, ranking_scores


class Screened(NamedTuple):
    """One step of a simulated screening: the row (0-based, in file order) and its label."""

    row: int
    label: int


def priors_draw(labels: Sequence[int], seed: int) -> tuple[int, int]:
    """One include and one exclude (0-based rows) drawn with numpy.random.default_rng(seed).

    The include is drawn first, from the included rows in file order, then the exclude from the
    others, each with `rng.integers(len(rows))`; ASReview's runs use the same two rows.
    """
    rng = np.random.default_rng(seed)
    included = [i for i, label in enumerate(labels) if label == 1]
    excluded = [i for i, label in enumerate(labels) if label != 1]
    if not included or not excluded:
        raise ValueError("priors need at least one include and one exclude")
    return int(included[rng.integers(len(included))]), int(excluded[rng.integers(len(excluded))])


def screening_simulate(
    texts: Sequence[str],
    labels: Sequence[int],
    *,
    priors: Sequence[int],
    features: FeatureSettings | None = None,
    model: ModelSettings | None = None,
    refit_every: int = 1,
    until: Literal["last_include", "all"] = "last_include",
) -> list[Screened]:
    """The order a reviewer would have met the rows in, priors first.

    Stops when the last include has been found, or with `until="all"` lists every row once; the
    rows left after the last include then follow in the last model's order (they are all
    excludes, so refitting on them would change nothing a reviewer could notice).
    """
    if refit_every < 1:
        raise ValueError("refit_every must be at least 1")
    label_array = np.asarray(labels, dtype=int)
    pool = features_build(texts, features)
    model = model or ModelSettings()
    total_included = int((label_array == 1).sum())
    screened = [Screened(int(row), int(label_array[row])) for row in priors]
    seen = np.zeros(len(label_array), dtype=bool)
    seen[list(priors)] = True
    found = sum(step.label for step in screened)
    queue: list[int] = []
    while not seen.all() and found < total_included:
        if not queue:
            rows = np.flatnonzero(seen)
            scores = ranking_scores(pool.matrix, rows, label_array[rows], model)
            candidates = np.flatnonzero(~seen)
            if refit_every == 1 and scores is not None:
                # Only the best is needed: argmax instead of a full sort of the pool.
                best = candidates[np.argmax(scores[candidates])]
                queue = [int(best)]
            else:
                queue = [int(r) for r in ranking_order(scores, candidates)[:refit_every]]
        row = queue.pop(0)
        seen[row] = True
        screened.append(Screened(row, int(label_array[row])))
        found += screened[-1].label
    if until == "all" and not seen.all():
        rows = np.flatnonzero(seen)
        scores = ranking_scores(pool.matrix, rows, label_array[rows], model)
        screened += [
            Screened(int(r), int(label_array[r]))
            for r in ranking_order(scores, np.flatnonzero(~seen))
        ]
    return screened
