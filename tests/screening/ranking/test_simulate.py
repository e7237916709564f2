"""Simulated screening: priors shared with ASReview's runs, one label a step, every row once."""

from __future__ import annotations

import pytest

from benchmarks.asreview_simulate import priors_draw as asreview_priors_draw
from screening.ranking.model import ModelSettings
from screening.ranking.simulate import Screened, priors_draw, screening_simulate

TOPICS = {
    1: "traffic noise at night and sleep disturbance in adults, a cohort",
    0: "soil bacteria and crop yield in arable farming",
}
OTHER = [
    "primary school mathematics teaching",
    "dietary fibre and bowel health",
    "bridge design under wind load",
    "consumer prices and inflation",
]


def _pool() -> tuple[list[str], list[int]]:
    texts, labels = [], []
    for i in range(40):
        label = 1 if i % 8 == 3 else 0
        base = TOPICS[1] if label else f"{TOPICS[0]} {OTHER[i % 4]}"
        texts.append(f"{base} study {i}")
        labels.append(label)
    return texts, labels


def test_priors_are_one_include_and_one_exclude_the_same_as_asreviews() -> None:
    _, labels = _pool()
    for seed in range(10):
        include, exclude = priors_draw(labels, seed)
        assert (labels[include], labels[exclude]) == (1, 0)
        assert asreview_priors_draw(labels, seed) == (include, exclude)
    assert priors_draw(labels, 1) == priors_draw(labels, 1)


def test_priors_need_both_classes() -> None:
    with pytest.raises(ValueError, match="include"):
        priors_draw([0, 0, 0], 0)


def test_it_stops_at_the_last_include_priors_first() -> None:
    texts, labels = _pool()
    priors = priors_draw(labels, 0)
    steps = screening_simulate(texts, labels, priors=priors)
    assert [s.row for s in steps[:2]] == list(priors)
    assert steps[-1].label == 1
    assert sum(s.label for s in steps) == sum(labels)
    assert all(s == Screened(s.row, labels[s.row]) for s in steps)
    # The includes share their words: the model finds them all first.
    assert len(steps) == sum(labels) + 1


@pytest.mark.parametrize("refit_every", [1, 3])
def test_until_all_lists_every_row_once(refit_every: int) -> None:
    texts, labels = _pool()
    steps = screening_simulate(
        texts,
        labels,
        priors=(3, 0),
        refit_every=refit_every,
        until="all",
        model=ModelSettings("svm", C=0.5),
    )
    assert sorted(s.row for s in steps) == list(range(len(labels)))


def test_refit_every_must_be_positive() -> None:
    texts, labels = _pool()
    with pytest.raises(ValueError, match="refit_every"):
        screening_simulate(texts, labels, priors=(3, 0), refit_every=0)
