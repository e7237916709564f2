"""bench_ranking's chosen model runs through `manage.py simulate_ranking`, the command users run,
and finds the order the pure function finds; other candidates call the pure function; a run is
kept in the cache and read back."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from benchmarks import bench_ranking
from benchmarks.bench_ranking import Candidate, dataset_read, our_run
from screening.ranking.features import FeatureSettings
from screening.ranking.model import ModelSettings
from screening.ranking.simulate import priors_draw, screening_simulate


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "abstract", "label_included"])
        for i in range(24):
            include = i % 5 == 2
            title = "Night noise and sleep in adults" if include else f"Soil and wheat {i % 3}"
            writer.writerow([i, f"{title} {i}", f"{title}, a study" * (i % 4 != 0), int(include)])
    return path


@pytest.fixture
def runs(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "runs"
    monkeypatch.setattr(bench_ranking, "OUR_RUNS", folder)
    monkeypatch.setitem(
        bench_ranking.CANDIDATES, "app", Candidate(FeatureSettings(), ModelSettings())
    )
    monkeypatch.setitem(
        bench_ranking.CANDIDATES,
        "other",
        Candidate(FeatureSettings(), ModelSettings("logreg", C=1.0)),
    )
    monkeypatch.setattr(bench_ranking, "CHOSEN", "app")
    return folder


def test_the_chosen_model_runs_through_the_command(labelled: Path, runs: Path) -> None:
    texts, labels = dataset_read(labelled)
    run = our_run("app", labelled, texts, labels, 1, 1)
    assert run["by"] == "manage.py simulate_ranking"
    priors = priors_draw(labels, 1)
    assert run["priors"] == list(priors)
    pure = [s.row for s in screening_simulate(texts, labels, priors=priors)]
    # The command lists every row; the pure run stops at the last include: the same prefix.
    assert run["order"][: len(pure)] == pure
    assert sorted(run["order"]) == list(range(24))
    cached = next(runs.glob("app-*/tiny-seed1.json"))
    assert json.loads(cached.read_text()) == run
    assert our_run("app", labelled, texts, labels, 1, 1) == run


def test_other_candidates_call_the_pure_function(labelled: Path, runs: Path) -> None:
    texts, labels = dataset_read(labelled)
    run = our_run("other", labelled, texts, labels, 0, 1)
    assert run["by"] == "screening_simulate"
    priors = priors_draw(labels, 0)
    expected = screening_simulate(
        texts, labels, priors=priors, model=ModelSettings("logreg", C=1.0)
    )
    assert run["order"] == [s.row for s in expected]
