"""Prioritised screening (screening/ranking) on the six labelled sets of ../shared/data/screening.

Each run: priors = 1 include + 1 exclude from screening.ranking.simulate.priors_draw(labels,
seed), one label per step, the model refitted after every label, until the last include is
found; the measures of screening.ranking.metrics (WSS@95 after removing the priors, recall after
10 % and 25 % screened, ATD). ASReview LAB's default (ELAS u4) is read, on the same priors and
seeds, from the runs `make bench-asreview` stored in benchmarks/asreview_runs/ (a run is
refused if its priors differ from ours). Goals (issue 18): per set, WSS@95 at least ASReview's
and recall@10 % no lower than ASReview's minus 0.02; a mean WSS@95 of 0.80 is the stretch goal.

Environment, for quicker runs: RANKING_SETS (comma-separated names), RANKING_SEEDS (default
0,1,2,3,4), RANKING_MODELS (names of CANDIDATES; default the chosen one), RANKING_REFIT (refit
every k labels; default 1). Our own runs are kept in var/ranking_runs/ by candidate, set and seed
(a changed candidate gets a new key), so a table can be redrawn without re-simulating;
RANKING_FRESH=1 ignores them, RANKING_CACHED_ONLY=1 draws the table from them alone (the runs
not there are listed as missing).

The chosen model's runs go through `manage.py simulate_ranking` (a subprocess, its JSON written
to a temporary file), the command users run, so the table measures exactly what they get; that
command serves the app's ranker with its defaults (screening/ranking/features.py, model.py), so
it is used only while CANDIDATES[CHOSEN] is those defaults, and otherwise the run says so and
falls back to the pure function. The other candidates call screening_simulate directly: they are
settings the app does not serve.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from screening.ranking.features import FeatureSettings, features_build, reference_text
from screening.ranking.metrics import Metrics, metrics_compute
from screening.ranking.model import ModelSettings, model_fit, model_scores, ranking_order
from screening.ranking.simulate import priors_draw, screening_simulate
from tests.shared_data import SHARED_DATA

DATA = SHARED_DATA / "screening"
HERE = Path(__file__).resolve().parent
ASREVIEW_RUNS = HERE / "asreview_runs"
OUR_RUNS = HERE.parent / "var" / "ranking_runs"


@dataclass(frozen=True)
class Candidate:
    features: FeatureSettings
    model: ModelSettings


CANDIDATES = {
    # The plain baseline of ../shared/RANKING.md.
    "logreg": Candidate(FeatureSettings(), ModelSettings("logreg", C=10.0)),
    # ASReview 3's ELAS u4 settings: every term kept, no stop list, LinearSVC C=0.11, the
    # includes weighing 9.8 times the excludes.
    "svm-u4": Candidate(
        FeatureSettings(min_df=1, max_df=0.95, stop_words=None),
        ModelSettings("svm", C=0.11, include_ratio=9.8),
    ),
    "logreg-r5": Candidate(FeatureSettings(), ModelSettings("logreg", C=10.0, include_ratio=5.0)),
    "svm-u4-stop": Candidate(
        FeatureSettings(min_df=1, max_df=0.95), ModelSettings("svm", C=0.11, include_ratio=9.8)
    ),
    "svm": Candidate(FeatureSettings(), ModelSettings("svm", C=0.5)),
    # ASReview 1's default family: naive Bayes on TF-IDF with the includes resampled up.
    "nb": Candidate(FeatureSettings(), ModelSettings("nb", C=0.5, oversample_to=0.5)),
    "logreg-char": Candidate(
        FeatureSettings(char_ngram_max=5, char_weight=0.5), ModelSettings("logreg", C=10.0)
    ),
    "logreg-over": Candidate(FeatureSettings(), ModelSettings("logreg", C=10.0, oversample_to=0.5)),
}
CHOSEN = "logreg"


def _key(name: str, candidate: Candidate, refit: int) -> str:
    text = json.dumps([asdict(candidate), refit], sort_keys=True)
    return f"{name}-{hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:8]}"


def dataset_read(path: Path) -> tuple[list[str], list[int]]:
    """Texts (title, abstract, keywords) and `label_included`, in file order."""
    csv.field_size_limit(sys.maxsize)
    texts, labels = [], []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            texts.append(reference_text(row["title"], row["abstract"], row.get("keywords", "")))
            labels.append(int(row["label_included"]))
    return texts, labels


def our_run(
    name: str, path: Path, texts: list[str], labels: list[int], seed: int, refit: int
) -> dict | None:
    """One simulated screening by a candidate, from the cache in var/ when it is there."""
    candidate = CANDIDATES[name]
    cache = OUR_RUNS / _key(name, candidate, refit) / f"{path.stem}-seed{seed}.json"
    if cache.exists() and os.environ.get("RANKING_FRESH") != "1":
        return json.loads(cache.read_text())
    if os.environ.get("RANKING_CACHED_ONLY") == "1":
        return None
    priors = priors_draw(labels, seed)
    if name == CHOSEN and candidate == Candidate(FeatureSettings(), ModelSettings()):
        order, seconds = command_run(path, priors, seed, refit)
        by = "manage.py simulate_ranking"
    else:
        if name == CHOSEN:
            print(
                f"{name}: its settings are not the app's defaults, so simulate_ranking (which "
                "serves those) is not used; screening_simulate is called directly",
                file=sys.stderr,
            )
        started = time.perf_counter()
        steps = screening_simulate(
            texts,
            labels,
            priors=priors,
            features=candidate.features,
            model=candidate.model,
            refit_every=refit,
        )
        order = [step.row for step in steps]
        seconds = round(time.perf_counter() - started, 1)
        by = "screening_simulate"
    run = {
        "model": name,
        "settings": asdict(candidate),
        "refit_every": refit,
        "dataset": path.stem,
        "seed": seed,
        "priors": list(priors),
        "seconds": seconds,
        "by": by,
        "order": order,
    }
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(run, separators=(",", ":")) + "\n")
    return run


def command_run(path: Path, priors: tuple[int, int], seed: int, refit: int) -> tuple[list, float]:
    """The order (every row once) and the replay's seconds from `manage.py simulate_ranking`."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "order.json"
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "simulate_ranking",
                str(path),
                "--prior-idx",
                str(priors[0]),
                str(priors[1]),
                "--seed",
                str(seed),
                "--refit-every",
                str(refit),
                "--out",
                str(out),
            ],
            cwd=HERE.parent,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        document = json.loads(out.read_text())
    return document["order"], round(document["seconds"], 1)


def asreview_run(path: Path, labels: list[int], seed: int) -> dict | None:
    """ASReview's stored run for this set and seed, if it is there and used our priors."""
    stored = ASREVIEW_RUNS / f"{path.stem}-seed{seed}.json"
    if not stored.exists():
        return None
    run = json.loads(stored.read_text())
    if tuple(run["priors"]) != priors_draw(labels, seed):
        print(f"{stored.name}: priors {run['priors']} are not ours; ignored", file=sys.stderr)
        return None
    return run


def _measures(run: dict, labels: list[int]) -> Metrics:
    return metrics_compute(
        [labels[row] for row in run["order"]], records=len(labels), included=sum(labels)
    )


def _mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def _cell(value: float) -> str:
    return "-" if value != value else f"{value:.3f}"


def timing(repeats: int = 5) -> list[tuple[int, int, float, float]]:
    """Refit + score + sort of a 10,000-reference pool, the chosen model (median of repeats).

    The pool is Hall 2012 and the first PTSD records, as in ../shared/RANKING.md; the labels are
    the first `labelled` rows' own, so the includes are as rare as in a real review.
    """
    texts, labels = dataset_read(DATA / "hall_2012.csv")
    more_texts, more_labels = dataset_read(DATA / "van_de_schoot_2017_ptsd.csv")
    texts, labels = (texts + more_texts)[:10_000], (labels + more_labels)[:10_000]
    candidate = CANDIDATES[CHOSEN]
    started = time.perf_counter()
    pool = features_build(texts, candidate.features)
    build = time.perf_counter() - started
    label_array = np.asarray(labels)
    # Spread the labelled rows over the pool so each size holds includes.
    order = np.random.default_rng(0).permutation(len(texts))
    rows_out = []
    for labelled in (100, 500, 2_000, 5_000):
        rows = order[:labelled]
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            scores = model_scores(
                model_fit(pool.matrix, rows, label_array[rows], candidate.model), pool.matrix
            )
            ranking_order(scores, order[labelled:])
            times.append(time.perf_counter() - started)
        rows_out.append((labelled, pool.matrix.shape[1], statistics.median(times), build))
    assert isinstance(pool.matrix, sp.csr_matrix)
    return rows_out


def run() -> str:
    if not DATA.is_dir():
        return f"### Prioritised screening (issue 18)\n\n{DATA} is absent: skipped.\n"
    sets = sorted(DATA.glob("*.csv"))
    if os.environ.get("RANKING_SETS"):
        wanted = set(os.environ["RANKING_SETS"].split(","))
        sets = [p for p in sets if p.stem in wanted]
    seeds = [int(s) for s in os.environ.get("RANKING_SEEDS", "0,1,2,3,4").split(",")]
    models = os.environ.get("RANKING_MODELS", CHOSEN).split(",")
    refit = int(os.environ.get("RANKING_REFIT", "1"))
    columns = [*models, "asreview"]
    per_set: dict[str, dict[str, list[Metrics]]] = {}
    seconds: dict[str, list[float]] = {c: [] for c in columns}
    missing: dict[str, int] = dict.fromkeys(columns, 0)
    for path in sets:
        texts, labels = dataset_read(path)
        per_set[path.stem] = {c: [] for c in columns}
        for seed in seeds:
            runs = {name: our_run(name, path, texts, labels, seed, refit) for name in models}
            runs["asreview"] = asreview_run(path, labels, seed)
            for name, one in runs.items():
                missing[name] += one is None
            # Side by side means the same seeds: a seed counts only where the first model and
            # ASReview both have it (and for the others only when they have it too).
            if runs[models[0]] is None or runs["asreview"] is None:
                continue
            for name, one in runs.items():
                if one is not None:
                    per_set[path.stem][name].append(_measures(one, labels))
                    seconds[name].append(one["seconds"])
                    print(f"{path.stem} seed {seed} {name}: {per_set[path.stem][name][-1]}")
    lines = [
        "### Prioritised screening (issue 18): our ranker against ASReview LAB's default",
        "",
        "`.venv/bin/python -m benchmarks ranking` (`make bench-ranking`), seeds "
        f"{','.join(map(str, seeds))}, refit every {refit} label(s); ASReview 3's ELAS u4 from "
        "benchmarks/asreview_runs/ on the same priors and seeds (`make bench-asreview`). "
        "n = runs (seeds with both our run and ASReview's); mean over seeds.",
        "",
    ]
    for measure, label in (
        ("wss95", "WSS@95"),
        ("recall10", "recall@10 %"),
        ("recall25", "recall@25 %"),
        ("atd", "ATD (lower is better)"),
    ):
        lines += [f"{label}:", ""]
        lines.append("| set | " + " | ".join(columns) + " |")
        lines.append("| --- |" + " ---: |" * len(columns))
        means: dict[str, list[float]] = {c: [] for c in columns}
        for stem, results in per_set.items():
            cells = []
            for c in columns:
                value = _mean([getattr(m, measure) for m in results[c]])
                if results[c]:
                    means[c].append(value)
                cells.append(f"{_cell(value)} (n={len(results[c])})")
            lines.append(f"| {stem} | " + " | ".join(cells) + " |")
        lines.append(
            "| **mean** | "
            + " | ".join(f"{_cell(_mean(means[c]))} ({len(means[c])} sets)" for c in columns)
            + " |"
        )
        lines.append("")
    lines.append(
        "Wall-clock seconds per simulated screening (mean; runs share the machine's two cores "
        "with each other and other work, so compare within a run only): "
        + ", ".join(f"{c} {_mean(seconds[c]):.0f} s" for c in columns if seconds[c])
        + "."
    )
    if any(missing.values()):
        lines.append(
            f"Runs missing (of {len(sets) * len(seeds)} each): "
            + ", ".join(f"{c} {n}" for c, n in missing.items() if n)
            + "; a seed without both the first model's and ASReview's run is left out."
        )
    if os.environ.get("RANKING_TIMING", "1") == "1" and (DATA / "hall_2012.csv").exists():
        lines += [
            "",
            f"Refit + score + sort, {CHOSEN}, 10,000-reference pool (Hall 2012 + PTSD), median "
            "of 5, one process:",
            "",
            "| labelled | features | seconds |",
            "| ---: | ---: | ---: |",
        ]
        built = 0.0
        for labelled, n_features, median, build in timing():
            lines.append(f"| {labelled:,} | {n_features:,} | {median:.3f} |")
            built = build
        lines.append(f"\nTF-IDF built once for the pool: {built:.1f} s.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
