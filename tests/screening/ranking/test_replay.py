"""The replay behind simulate_ranking: every row once, priors first, the measures of the order
it gives, the same order for the same seed, and labelled files read strictly with errors that
name the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.ranking.metrics import metrics_compute
from screening.ranking.model import ModelSettings
from screening.ranking.replay import (
    DatasetError,
    dataset_parse,
    dataset_read,
    found_curve,
    priors_check,
    priors_choose,
    replay,
    replay_metrics,
    screened_for_recall,
)
from screening.ranking.simulate import priors_draw, screening_simulate

SOUGHT = "traffic noise at night and sleep disturbance in adults, a cohort"
OTHER = [
    "soil bacteria and crop yield in arable farming",
    "primary school mathematics teaching",
    "dietary fibre and bowel health",
    "bridge design under wind load",
    "consumer prices and inflation",
]


def _pool(n: int = 48) -> tuple[list[str], list[int]]:
    texts, labels = [], []
    for i in range(n):
        label = 1 if i % 7 == 2 else 0
        # Some excludes share words with the includes, so the order is not trivial.
        base = SOUGHT if label else OTHER[i % 5] + (" noise at night" if i % 3 == 0 else "")
        texts.append(f"{base} study {i}")
        labels.append(label)
    return texts, labels


def test_every_row_once_priors_first() -> None:
    texts, labels = _pool()
    found = replay(texts, labels, priors=[9, 4], seed=0)
    assert found.order[:2] == [9, 4]
    assert sorted(found.order) == list(range(len(labels)))
    assert found.labels_in_order == [labels[row] for row in found.order]
    assert (found.records, found.includes) == (len(labels), sum(labels))


@pytest.mark.parametrize("refit_every", [1, 4])
def test_the_measures_are_metrics_compute_on_the_order(refit_every: int) -> None:
    texts, labels = _pool()
    found = replay(texts, labels, priors=[2, 0], seed=3, refit_every=refit_every)
    expected = metrics_compute(
        [labels[row] for row in found.order], records=len(labels), included=sum(labels)
    )
    assert found.metrics == expected
    assert sorted(found.order) == list(range(len(labels)))


def test_the_order_is_screening_simulates_with_the_app_defaults() -> None:
    texts, labels = _pool()
    found = replay(texts, labels, priors=[16, 1], seed=0)
    steps = screening_simulate(texts, labels, priors=[16, 1], until="all")
    assert found.order == [step.row for step in steps]


@pytest.mark.parametrize("model", ["logreg", "svm", "nb"])
def test_the_same_seed_gives_the_same_order(model: str) -> None:
    texts, labels = _pool()
    settings = ModelSettings(model, C=0.5)
    first = replay(texts, labels, priors=[2, 0], seed=7, model=settings)
    again = replay(texts, labels, priors=[2, 0], seed=7, model=settings)
    assert first.order == again.order
    assert first.metrics == again.metrics
    assert first.to_json()["settings"]["model"]["model"] == model


def test_the_seed_draws_the_benchmark_s_priors() -> None:
    _, labels = _pool()
    for seed in range(5):
        assert priors_choose(labels, seed) == list(priors_draw(labels, seed))
    more = priors_choose(labels, 1, n_included=2, n_excluded=3)
    assert [labels[row] for row in more] == [1, 1, 0, 0, 0]
    assert len(set(more)) == 5
    assert more == priors_choose(labels, 1, n_included=2, n_excluded=3)


def test_more_priors_are_removed_from_the_measures() -> None:
    texts, labels = _pool()
    priors = priors_choose(labels, 2, n_included=2, n_excluded=2)
    found = replay(texts, labels, priors=priors, seed=2)
    assert found.order[:4] == priors
    assert found.metrics == replay_metrics(
        found.labels_in_order, records=len(labels), included=sum(labels), priors=4, prior_includes=2
    )


def test_priors_asked_for_beyond_the_file_are_refused() -> None:
    with pytest.raises(ValueError, match="2 prior include"):
        priors_choose([1, 0, 0], 0, n_included=2)


@pytest.mark.parametrize(
    ("include", "exclude", "said"),
    [
        (99, 0, "prior include 99 is out of range: rows are numbered 0 to 47"),
        (2, -1, "prior exclude -1 is out of range"),
        (0, 1, "prior include 0 is labelled 0"),
        (2, 9, "prior exclude 9 is labelled 1"),
    ],
)
def test_given_priors_are_checked(include: int, exclude: int, said: str) -> None:
    _, labels = _pool()
    with pytest.raises(ValueError, match=said):
        priors_check(labels, include, exclude)


def test_the_replay_refuses_priors_of_one_class() -> None:
    texts, labels = _pool()
    with pytest.raises(ValueError, match="one include and one exclude"):
        replay(texts, labels, priors=[0, 1], seed=0)


def test_screened_for_recall_and_the_curve() -> None:
    in_order = [1, 0, 1, 0, 0, 1, 0, 0, 0, 0]
    # ceil(0.95 * 3) = 3 includes: the third is the 6th record.
    assert screened_for_recall(in_order) == 6
    assert screened_for_recall([0, 0]) == 0
    curve = found_curve(in_order, points=5)
    assert curve[0] == (0, 0)
    assert curve[-1] == (10, 3)
    assert curve == [(0, 0), (2, 1), (4, 2), (6, 3), (8, 3), (10, 3)]
    assert len(found_curve([0] * 1000 + [1], points=100)) == 101


# Reading the labelled file.


def test_columns_in_any_order_extra_columns_bom_empty_abstracts_and_label_spellings(
    tmp_path: Path,
) -> None:
    path = tmp_path / "review.csv"
    path.write_text(
        "\ufeffid, Label_Included ,Abstract,year,TITLE,keywords\n"
        '7,1.0,"Two lines\nof abstract",2020,Noise and sleep,cohort\n'
        "\n"
        "8,0,,2021,Soil bacteria,\n"
        "9,TRUE,x,2022,Wind,\n"
        "10,no,y,2023,Prices\n",
        encoding="utf-8",
    )
    dataset = dataset_read(path)
    assert dataset.labels == [1, 0, 1, 0]
    assert dataset.texts[0] == "Noise and sleep Two lines\nof abstract cohort"
    assert dataset.texts[1] == "Soil bacteria"
    # Record lines: the first record starts on line 2 and runs to 3; a blank line is no row.
    assert dataset.lines == [2, 5, 6, 7]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("title,abstract\nA,b\n", "line 1, field 'label_included': the header has no column"),
        ("abstract,label_included\nb,1\n", "line 1, field 'title'"),
        (
            'title,abstract,label_included\nA,b,1\n"B\nC",d,maybe\n',
            "line 3, field 'label_included': the label is 'maybe'",
        ),
        ("title,abstract,label_included\nA,b,1\nB,c,\n", "line 3, field 'label_included'"),
        (
            "title,abstract,label_included\nA,b\n",
            "line 2, field 'label_included': the label is empty",
        ),
        ("title,abstract,label_included\nA,b,2\n", "line 2, field 'label_included'"),
        ("title,abstract,label_included\n", "the file has a header but no records"),
        ("", "line 1: the file is empty"),
    ],
)
def test_bad_files_say_the_line_and_the_field(text: str, said: str) -> None:
    with pytest.raises(DatasetError, match=said.replace("(", r"\(")) as caught:
        dataset_parse(text, "review.csv")
    assert str(caught.value).startswith("review.csv")


def test_a_file_that_is_not_utf8_says_so_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("title,abstract,label_included\nA,b,1\nCaf\xe9,c,0\n".encode("latin-1"))
    with pytest.raises(DatasetError, match=r"latin.csv, line 3: is not UTF-8"):
        dataset_read(path)


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="cannot be read"):
        dataset_read(tmp_path / "absent.csv")
