"""The ranker's features kept between retrains: read when the pool is unchanged, built again when
it changed or the file is damaged, the same order either way; the order written whole, and the
older rankings pruned without the one the queue serves."""

from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.files.storage import default_storage

from screening.models import RankedReference, Ranking, Reference
from screening.ranking import model
from screening.ranking.features import FeatureSettings, features_build
from screening.ranking.store import (
    StoredFeaturesUnusable,
    features_load,
    features_save,
    pool_digest,
)
from screening.services import ranking, ranking_store
from screening.services.screening import vote_cast
from tests.screening.services.test_ranking import OTHER, SOUGHT

pytestmark = pytest.mark.django_db

TA = "title_abstract"


@pytest.fixture
def builds(monkeypatch) -> list[int]:
    """The number of references each TF-IDF build of a retrain read, in order."""
    seen: list[int] = []
    real = ranking_store.features_build

    def counting(texts: list[str], settings: FeatureSettings | None = None) -> object:
        seen.append(len(texts))
        return real(texts, settings)

    monkeypatch.setattr(ranking_store, "features_build", counting)
    return seen


def _references(project, titles: list[str]) -> list[int]:
    return [
        Reference.objects.create(project=project, title=t, abstract=f"{t}. A study.").pk
        for t in titles
    ]


def _settle(project, reference: int, vote: str, *reviewers) -> None:
    for reviewer in reviewers:
        vote_cast(
            reference=Reference(pk=reference, project_id=project.pk),
            reviewer=reviewer,
            stage=TA,
            vote=vote,
        )


def _ranked(found: Ranking) -> list[tuple[int, float | None]]:
    return list(found.positions.order_by("position").values_list("reference_id", "score"))


def _stored(project) -> list[str]:
    folder = f"ranking/{project.pk}/{TA}"
    if not default_storage.exists(folder):
        return []
    return sorted(default_storage.listdir(folder)[1])


@pytest.fixture
def trained(project, reviewer_a, reviewer_b) -> list[int]:
    """Ten references, one settled include and one settled exclude: the model ranks the rest."""
    ids = _references(project, [t for pair in zip(OTHER, SOUGHT, strict=True) for t in pair])
    _settle(project, ids[1], "include", reviewer_a, reviewer_b)
    _settle(project, ids[0], "exclude", reviewer_a, reviewer_b)
    return ids


def test_the_features_are_read_again_while_the_pool_is_unchanged(
    project, trained, builds, reviewer_a, reviewer_b
) -> None:
    first = _ranked(ranking.ranking_retrain(project=project, stage=TA))
    assert builds == [10]
    assert len(_stored(project)) == 1
    # A settled decision changes the labels, not the pool: the stored features serve.
    _settle(project, trained[3], "include", reviewer_a, reviewer_b)
    second = _ranked(ranking.ranking_retrain(project=project, stage=TA))
    third = _ranked(ranking.ranking_retrain(project=project, stage=TA))
    assert builds == [10]
    assert second == third
    assert trained[3] not in [pk for pk, _ in second]
    assert (len(first), len(second)) == (8, 7)


def test_a_changed_pool_builds_them_again_and_keeps_one_file(project, trained, builds) -> None:
    ranking.ranking_retrain(project=project, stage=TA)
    before = _stored(project)
    later = _references(project, ["Microcredentials for dentists in continuing education"])
    found = ranking.ranking_retrain(project=project, stage=TA)
    assert builds == [10, 11]
    after = _stored(project)
    assert len(after) == 1
    assert after != before
    assert later[0] in [pk for pk, _ in _ranked(found)]
    # A merge takes a reference out of the pool: built again.
    Reference.objects.filter(pk=trained[9]).update(merged_into_id=trained[7])
    ranking.ranking_retrain(project=project, stage=TA)
    assert builds == [10, 11, 10]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: b"not a zip at all",
        lambda data: data[:200] + bytes(b ^ 0xFF for b in data[200:400]) + data[400:],
    ],
    ids=["truncated", "garbage", "flipped-bytes"],
)
def test_a_damaged_file_is_built_again_with_the_same_order(
    project, trained, builds, damage
) -> None:
    fresh = _ranked(ranking.ranking_retrain(project=project, stage=TA))
    (name,) = _stored(project)
    path = f"ranking/{project.pk}/{TA}/{name}"
    with default_storage.open(path, "rb") as handle:
        data = handle.read()
    default_storage.delete(path)
    default_storage.save(path, io.BytesIO(damage(data)))
    again = _ranked(ranking.ranking_retrain(project=project, stage=TA))
    assert builds == [10, 10]
    assert again == fresh
    # And the rebuilt file serves the next retrain.
    assert _ranked(ranking.ranking_retrain(project=project, stage=TA)) == fresh
    assert builds == [10, 10]


def test_a_missing_file_is_built_again(project, trained, builds) -> None:
    fresh = _ranked(ranking.ranking_retrain(project=project, stage=TA))
    ranking_store.ranking_features_forget(project, TA)
    assert _stored(project) == []
    assert _ranked(ranking.ranking_retrain(project=project, stage=TA)) == fresh
    assert builds == [10, 10]


def test_the_cold_start_reads_the_vocabulary_and_ranks_as_when_built(project, builds) -> None:
    project.eligibility_criteria = "Microcredentials in continuing education"
    project.save()
    ids = _references(project, [t for pair in zip(OTHER, SOUGHT, strict=True) for t in pair])
    built = ranking.ranking_retrain(project=project, stage=TA)
    read = ranking.ranking_retrain(project=project, stage=TA)
    assert builds == [10]
    assert (built.model, read.model) == ("similarity", "similarity")
    assert _ranked(read) == _ranked(built)
    assert {pk for pk, _ in _ranked(read)[:5]} == set(ids[1::2])


def test_a_stored_file_serves_only_its_own_pool_and_settings() -> None:
    texts = [f"{t}. A study." for t in OTHER + SOUGHT]
    ids = np.arange(100, 110)
    features = features_build(texts)
    handle = io.BytesIO()
    features_save(features, ids, handle)
    handle.seek(0)
    read = features_load(handle, ids, FeatureSettings())
    assert (read.matrix != features.matrix).nnz == 0
    query = ["microcredentials continuing education"]
    assert (read.words.transform(query) != features.words.transform(query)).nnz == 0
    for other_ids, settings in (
        (np.arange(101, 111), FeatureSettings()),
        (ids, FeatureSettings(min_df=1)),
    ):
        handle.seek(0)
        with pytest.raises(StoredFeaturesUnusable):
            features_load(handle, other_ids, settings)
    assert pool_digest(ids, FeatureSettings()) != pool_digest(ids[::-1], FeatureSettings())
    assert pool_digest(ids, FeatureSettings()) != pool_digest(ids, FeatureSettings(ngram_max=1))


def test_older_rankings_are_pruned_but_the_one_served_until_the_new_one_commits(
    project, trained
) -> None:
    rankings = [ranking.ranking_retrain(project=project, stage=TA) for _ in range(4)]
    kept = list(Ranking.objects.filter(project=project, stage=TA).values_list("id", flat=True))
    # The newest, and the one before it (a "next" that read it a moment ago still finds it).
    assert sorted(kept) == [rankings[2].pk, rankings[3].pk]
    assert set(RankedReference.objects.values_list("ranking_id", flat=True)) == set(kept)
    assert _ranked(rankings[3]) == _ranked(rankings[2])
    assert ranking.ranking_current(project, TA) == rankings[3]


def test_a_retrain_that_fails_while_writing_leaves_the_previous_ranking_whole(
    project, trained, monkeypatch
) -> None:
    before = ranking.ranking_retrain(project=project, stage=TA)
    previous = ranking.ranking_retrain(project=project, stage=TA)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(ranking, "rankings_prune", broken)
    with pytest.raises(RuntimeError):
        ranking.ranking_retrain(project=project, stage=TA)
    # Nothing of the failed one is left, nothing was pruned: the queue serves the previous.
    assert ranking.ranking_current(project, TA) == previous
    assert set(Ranking.objects.values_list("id", flat=True)) == {before.pk, previous.pk}
    assert len(_ranked(previous)) == 8


def test_the_order_is_written_with_its_scores(project, trained) -> None:
    found = ranking.ranking_retrain(project=project, stage=TA)
    rows = _ranked(found)
    positions = list(found.positions.order_by("position").values_list("position", flat=True))
    assert positions == list(range(8))
    scores = [score for _, score in rows]
    assert all(score is not None for score in scores)
    assert scores == sorted(scores, reverse=True)
    assert {pk for pk, _ in rows} == set(trained) - {trained[0], trained[1]}


def test_past_the_cap_a_retrain_trains_on_a_subset_but_counts_every_settled_exclude(
    project, trained, reviewer_a, reviewer_b, monkeypatch
) -> None:
    # ids alternate OTHER, SOUGHT: three more excludes settled, four in all, and one include.
    for other in (trained[2], trained[4], trained[6]):
        _settle(project, other, "exclude", reviewer_a, reviewer_b)
    fitted: list[tuple[int, int]] = []

    class Recording(model.LogisticRegression):
        def fit(self, x, y, sample_weight=None):  # noqa: ANN202 - sklearn's signature
            fitted.append((int((y == 1).sum()), int((y == 0).sum())))
            return super().fit(x, y, sample_weight=sample_weight)

    monkeypatch.setattr(model, "LogisticRegression", Recording)
    monkeypatch.setattr(ranking, "ModelSettings", lambda: model.ModelSettings(max_excludes=2))
    found = ranking.ranking_retrain(project=project, stage=TA)
    assert fitted == [(1, 2)]
    assert (found.model, found.includes, found.excludes) == ("logreg", 1, 4)
    order = [pk for pk, _ in _ranked(found)]
    # The sought references still come before the other two.
    assert set(order[:4]) == {trained[3], trained[5], trained[7], trained[9]}


def _saved(tmp_path, features, ids) -> str:
    path = tmp_path / "features.npz"
    with path.open("wb") as handle:
        features_save(features, ids, handle)
    return str(path)


def test_from_a_path_the_matrix_is_mapped_from_the_file_and_reads_the_same(tmp_path) -> None:
    texts = [f"{t}. A study." for t in OTHER + SOUGHT]
    ids = np.arange(100, 110)
    features = features_build(texts)
    path = _saved(tmp_path, features, ids)
    mapped = features_load(path, ids, FeatureSettings(), vectorisers=False)
    with open(path, "rb") as handle:
        copied = features_load(handle, ids, FeatureSettings(), vectorisers=False)
    assert not mapped.matrix.data.flags.writeable  # read-only: the file's pages, not a copy
    assert copied.matrix.data.flags.writeable
    assert (mapped.matrix != features.matrix).nnz == 0
    assert (copied.matrix != features.matrix).nnz == 0
    rows, labels = np.array([0, 5, 1, 6]), np.array([0, 1, 0, 1])
    from_mapped = model.ranking_scores(mapped.matrix, rows, labels, model.ModelSettings())
    from_copied = model.ranking_scores(copied.matrix, rows, labels, model.ModelSettings())
    assert np.array_equal(from_mapped, from_copied)


@pytest.mark.parametrize("array", ["indices", "data"])
def test_a_mapped_matrix_with_damaged_indices_or_weights_is_unusable(tmp_path, array) -> None:
    texts = [f"{t}. A study." for t in OTHER + SOUGHT]
    ids = np.arange(100, 110)
    features = features_build(texts)
    damaged = features.matrix.copy()
    if array == "indices":
        damaged.indices[3] = damaged.shape[1] + 7  # a column past the last
    else:
        damaged.data[3] = np.nan
    path = _saved(tmp_path, model_features(features, damaged), ids)
    with pytest.raises(StoredFeaturesUnusable):
        features_load(path, ids, FeatureSettings(), vectorisers=False)


def model_features(features, matrix):  # noqa: ANN201 - the same features, this matrix
    return type(features)(
        settings=features.settings, words=features.words, chars=features.chars, matrix=matrix
    )


def test_a_retrain_reads_the_stored_file_from_its_path(project, trained, monkeypatch) -> None:
    ranking.ranking_retrain(project=project, stage=TA)
    sources: list[object] = []
    real = ranking_store.features_load

    def spying(source, *args, **kwargs):  # noqa: ANN202 - a spy
        sources.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(ranking_store, "features_load", spying)
    ranking.ranking_retrain(project=project, stage=TA)
    assert len(sources) == 1
    assert isinstance(sources[0], str)
