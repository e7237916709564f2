"""`manage.py simulate_ranking`: the JSON it writes, the summary without --out, and clear errors
(never a traceback) for a bad file or bad priors."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from screening.ranking.metrics import metrics_compute
from screening.ranking.replay import dataset_read, replay
from screening.ranking.simulate import priors_draw
from tests.shared_data import SHARED_DATA, requires_shared_data

ROOT = Path(__file__).resolve().parents[2]
SOUGHT = "Noise at night and sleep disturbance in adults"
OTHER = ["Soil bacteria and wheat", "Bridge design under wind", "Teaching of fractions"]


@pytest.fixture
def review(tmp_path: Path) -> Path:
    """A small labelled review: 30 records, 5 includes, extra columns, one empty abstract."""
    path = tmp_path / "review.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "label_included", "title", "abstract", "year"])
        for i in range(30):
            include = i % 6 == 1
            title = SOUGHT if include else OTHER[i % 3]
            abstract = "" if i == 4 else f"{title}: a study of {i} people, night noise" * include
            writer.writerow([100 + i, int(include), f"{title} {i}", abstract, 2000 + i])
    return path


def _run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("simulate_ranking", *args, stdout=out)
    return out.getvalue()


def test_it_writes_every_row_once_priors_first_with_the_measures(
    review: Path, tmp_path: Path
) -> None:
    out = tmp_path / "order.json"
    printed = _run(str(review), "--prior-idx", "7", "2", "--seed", "0", "--out", str(out))
    document = json.loads(out.read_text())
    labels = dataset_read(review).labels
    assert document["order"][:2] == [7, 2]
    assert sorted(document["order"]) == list(range(30))
    assert document["labels_in_order"] == [labels[row] for row in document["order"]]
    expected = metrics_compute(document["labels_in_order"], records=30, included=5)
    assert document["metrics"] == {
        "wss95": expected.wss95,
        "recall10": expected.recall10,
        "recall25": expected.recall25,
        "atd": expected.atd,
    }
    assert document["priors"] == [7, 2]
    assert (document["seed"], document["records"], document["includes"]) == (0, 30, 5)
    assert document["settings"]["refit_every"] == 1
    assert document["settings"]["model"]["model"] == "logreg"
    assert "ngram_max" in document["settings"]["features"]
    assert document["version"]
    assert f"The order and the measures are in {out}" in printed
    assert "30 records, 5 includes; priors 7, 2; seed 0" in printed


def test_it_is_the_pure_replay_and_repeats_for_a_seed(review: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    _run(str(review), "--seed", "3", "--refit-every", "2", "--out", str(first))
    _run(str(review), "--seed", "3", "--refit-every", "2", "--out", str(second))
    a, b = json.loads(first.read_text()), json.loads(second.read_text())
    assert a["order"] == b["order"]
    labels = dataset_read(review).labels
    # Without --prior-idx the seed draws the priors, as the benchmark and ASReview's runs do.
    assert a["priors"] == list(priors_draw(labels, 3))
    dataset = dataset_read(review)
    pure = replay(dataset.texts, dataset.labels, priors=a["priors"], seed=3, refit_every=2)
    assert a["order"] == pure.order
    assert a["settings"]["refit_every"] == 2


def test_more_priors_are_drawn_when_asked(review: Path) -> None:
    document = json.loads(
        _run(str(review), "--n-prior-included", "2", "--n-prior-excluded", "3", "--out", "-")
    )
    labels = dataset_read(review).labels
    assert [labels[row] for row in document["priors"]] == [1, 1, 0, 0, 0]
    assert document["order"][:5] == document["priors"]
    assert sorted(document["order"]) == list(range(30))


def test_without_out_a_summary_is_printed(review: Path) -> None:
    printed = _run(str(review), "--seed", "1")
    assert "WSS@95 " in printed
    assert "recall@10%" in printed
    assert "order" not in printed.split("\n")[0]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--prior-idx", "1", "30"], "prior exclude 30 is out of range: rows are numbered 0 to 29"),
        (["--prior-idx", "0", "2"], "prior include 0 is labelled 0 (exclude)"),
        (["--prior-idx", "1", "7"], "prior exclude 7 is labelled 1 (include)"),
        (["--n-prior-included", "6"], "6 prior include(s)"),
        (["--refit-every", "0"], "--refit-every must be 1 or more"),
    ],
)
def test_bad_priors_and_options_are_refused_clearly(review: Path, args: list, said: str) -> None:
    with pytest.raises(CommandError) as caught:
        _run(str(review), *args)
    assert said in str(caught.value)


def test_a_bad_label_names_the_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("title,abstract,label_included\nA,b,1\nB,c,0\nC,d,?\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        _run(str(path))
    assert str(caught.value).startswith(f"{path}, line 4, field 'label_included': the label is '?'")


def test_on_the_command_line_an_error_is_one_line_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("title,label_included\nA,1\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "manage.py", "simulate_ranking", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"ALLOW_DEV_SECRET_KEY": "1", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"{path}, line 1, field 'abstract': the header has no column" in done.stderr


@requires_shared_data
def test_a_real_set_is_read_whole() -> None:
    """Only reading (a replay of a real set takes minutes): every record, its labels."""
    dataset = dataset_read(SHARED_DATA / "screening" / "cohen_2006_ace_inhibitors.csv")
    assert (len(dataset.labels), dataset.includes) == (2544, 41)
