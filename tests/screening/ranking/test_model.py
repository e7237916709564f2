"""The ranker: trained on labels when it has both classes, a query or import order before."""

from __future__ import annotations

import numpy as np
import pytest

from screening.ranking.features import (
    FeatureSettings,
    features_build,
    features_transform,
    reference_text,
)
from screening.ranking.model import (
    MODELS,
    ModelSettings,
    pool_rank,
    ranking_order,
    ranking_scores,
)

TEXTS = [
    "Road traffic noise and sleep in adults",
    "Cats and dogs as pets: owner wellbeing",
    "Noise exposure at night disturbs sleep quality",
    "Dietary fibre and bowel health",
    "Aircraft noise and sleep disturbance near airports",
    "Teaching mathematics in primary schools",
    "Sleep fragmentation from traffic noise, a cohort study",
    "Soil bacteria in arable farming",
]
ABOUT_NOISE = np.array([1, 0, 1, 0, 1, 0, 1, 0])


def test_reference_text_joins_title_abstract_and_keywords() -> None:
    assert reference_text(" A title ", "", "noise; sleep") == "A title noise; sleep"


def test_it_ranks_unseen_references_by_what_the_labels_teach() -> None:
    pool = features_build(TEXTS)
    rows = np.array([0, 1, 3])
    scores = ranking_scores(pool.matrix, rows, ABOUT_NOISE[rows], ModelSettings())
    order = ranking_order(scores, [2, 4, 5, 6, 7])
    assert set(order[:3]) == {2, 4, 6}


@pytest.mark.parametrize("model", MODELS)
def test_every_candidate_model_ranks(model: str) -> None:
    pool = features_build(TEXTS, FeatureSettings(char_ngram_max=4))
    rows = np.array([0, 1, 3, 5])
    scores = ranking_scores(pool.matrix, rows, ABOUT_NOISE[rows], ModelSettings(model, C=1.0))
    assert scores is not None
    assert set(ranking_order(scores, [2, 4, 6, 7])[:3]) == {2, 4, 6}


def test_cold_start_ranks_by_similarity_to_the_query() -> None:
    pool = features_build(TEXTS)
    query = features_transform(pool, ["bacteria in farming soil"])
    scores = ranking_scores(pool.matrix, [], [], ModelSettings(), query=query)
    assert ranking_order(scores, range(8))[0] == 7


def test_cold_start_with_an_include_but_no_exclude_follows_the_include() -> None:
    pool = features_build(TEXTS)
    scores = ranking_scores(pool.matrix, [6], [1], ModelSettings())
    assert set(ranking_order(scores, [0, 1, 2, 3, 4, 5, 7])[:2]) <= {0, 2, 4}


def test_with_nothing_to_go_by_it_keeps_import_order() -> None:
    pool = features_build(TEXTS)
    assert ranking_scores(pool.matrix, [], [], ModelSettings()) is None
    unrelated = features_transform(pool, ["zzzz qqqq"])
    assert ranking_scores(pool.matrix, [], [], ModelSettings(), query=unrelated) is None
    assert list(ranking_order(None, [6, 2, 4])) == [2, 4, 6]


def test_ties_keep_import_order() -> None:
    assert list(ranking_order(np.array([0.0, 1.0, 1.0, 1.0]), [3, 1, 2, 0])) == [1, 2, 3, 0]


def test_a_pool_of_empty_texts_gives_import_order() -> None:
    pool = features_build(["", " ", "the and of"])
    assert ranking_scores(pool.matrix, [0], [1], ModelSettings()) is None


def test_an_unknown_model_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown model"):
        ModelSettings("forest")


def test_pool_rank_orders_the_unlabelled_from_a_query_then_from_labels() -> None:
    pool = features_build(TEXTS)
    order, scores = pool_rank(pool, [], [], query_texts=["farming soil bacteria"])
    assert order[0] == 7
    assert scores is not None
    order, _ = pool_rank(pool, [0, 1], [1, 0])
    assert {0, 1}.isdisjoint(order)
    assert set(order[:3]) == {2, 4, 6}
    order, scores = pool_rank(pool, [], [])
    assert list(order) == list(range(8))
    assert scores is None
