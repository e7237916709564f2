"""The stopping aid (issue 18) in simulation: recall at the proposed stop and the records saved.

Goal (issue 18): over at least 20 runs per set, recall at the proposed stop at least 0.95 in at
least 95 % of runs, with the share of records saved reported.

For each of the six labelled sets of ../shared/data/screening and each seed, a ranked screening
order is simulated once (priors: 1 include + 1 exclude drawn from the seed) and then screened as
a team would, under each procedure below. The random samples are drawn several times per order
(`BENCH_STOPPING_DRAWS`), so a set's runs are seeds x draws.

- **sample at the knee**: screen in ranked order; every 1 % of the
  records, ask Cormack & Grossman's knee rule; when it fires, screen the proposed random sample
  of the unscreened (`proposed_sample_size`: the smallest sample that can show recall >= 0.95 at
  alpha 0.05 if it holds no include), labelled from the truth, and test (`recall_test`). Stop
  when the test rejects "recall < 0.95"; otherwise screen on in ranked order, and draw again at
  the next trigger after at least 5 % more of the records.
- **alpha spent or each at 0.05**: a run may draw several samples, each a new chance of a
  wrong stop; spent, the j-th sample is sized and tested at `sample_alpha(j)` (6 alpha /
  (pi^2 j^2): 0.030, 0.0076, ...), so that they add up to 0.05 over the run.
- **sample at a plain knee**: the same with the knee's fixed slope ratio of 6 instead of the
  adjusted 156 - min(found, 150): an earlier, cheaper trigger; the guarantee is the test's.
- **sample every 5 %**: the same, triggered after every 5 % of the records screened in ranked
  order, whatever the curve: the naive schedule, for comparison.
- **sample after 5 % without an include**: the same, triggered when the last 5 % of the records
  screened in ranked order held no include: the rule of thumb teams use, as a trigger only.
- **knee alone**: stop when the knee rule fires, with no sample: Cormack & Grossman's rule by
  itself, with no guarantee.
- **ranked tail read as the sample**: stop when `recall_test_ranked` (buscar's reading: the last
  references screened in ranked order taken as a random sample) rejects, with no sample; its
  guarantee holds only while the ranking beats chance.

A sample is screened in its random order and given up at its first include: the proposed size
can then no longer reject (it was sized for none), and the rest of it goes back to the ranked
queue; `BENCH_STOPPING_ABANDON=0` screens every sample whole instead.

Records saved = records never screened (the samples count as screened) / records. The sampled
references are skipped when the ranked order reaches them; the model is not refitted on them
(in the app it would be: a small, conservative difference).

The ranked order comes from `screening.ranking.simulate` (the ranker the app serves) or, with
`BENCH_STOPPING_RANKER=standin`, from a TF-IDF + logistic regression written here (RANKING.md's
baseline). Both refit every `BENCH_STOPPING_REFIT` labels (10 by default, not after every label
as the ranking benchmark does, to keep 120 simulations under half an hour on one core). Orders
are cached under var/bench_stopping/ (`BENCH_STOPPING_FRESH=1` recomputes them).
"""

from __future__ import annotations

import csv
import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from screening.ranking.stopping import (
    KNEE_MIN_SCREENED,
    knee_of,
    proposed_sample_size,
    recall_test,
    recall_test_ranked,
    sample_alpha,
)
from tests.shared_data import SHARED_DATA

ROOT = Path(__file__).resolve().parent.parent
DATA = SHARED_DATA / "screening"
SETS = (
    "appenzeller_herzog_2020_wilson",
    "bannach_brown_2019_depression",
    "cohen_2006_ace_inhibitors",
    "hall_2012",
    "kwok_2020_virus",
    "van_de_schoot_2017_ptsd",
)
TARGET = 0.95
ALPHA = 0.05
SEEDS = int(os.environ.get("BENCH_STOPPING_SEEDS", "20"))
DRAWS = int(os.environ.get("BENCH_STOPPING_DRAWS", "5"))
REFIT = int(os.environ.get("BENCH_STOPPING_REFIT", "10"))
CHOSEN_SETS = tuple(
    s for s in os.environ.get("BENCH_STOPPING_SETS", ",".join(SETS)).split(",") if s
)
FRESH = os.environ.get("BENCH_STOPPING_FRESH") == "1"
CACHE = ROOT / "var" / "bench_stopping"
CHECK_EVERY = 0.01  # share of the records between two looks at the curve
SAMPLE_GAP = 0.05  # share of the records screened in ranked order between two samples
PLAIN_KNEE_RATIO = 6.0
# A sample is screened in its random order and given up at its first include (1, the default)
# or screened whole (0).
ABANDON = os.environ.get("BENCH_STOPPING_ABANDON", "1") == "1"
RANKERS = {
    "core": "screening.ranking.simulate (the ranker the app serves)",
    "standin": "the stand-in TF-IDF + logistic regression",
}


def _ranker_name() -> str:
    wanted = os.environ.get("BENCH_STOPPING_RANKER", "")
    if wanted in ("core", "standin"):
        return wanted
    try:
        import screening.ranking.simulate  # noqa: F401
    except ImportError:
        return "standin"
    return "core"


# --- the data and the ranked orders ------------------------------------------------------------


def read_set(name: str) -> tuple[list[str], list[int]]:
    """Title + abstract of every row and its final inclusion label, in file order."""
    texts, labels = [], []
    with (DATA / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            texts.append(" ".join(p for p in (row["title"], row["abstract"]) if p))
            labels.append(int(row["label_included"]))
    return texts, labels


def priors_of(labels: list[int], seed: int) -> tuple[int, int]:
    """1 include + 1 exclude with default_rng(seed), include first (as the ranking benchmark)."""
    rng = np.random.default_rng(seed)
    included = [i for i, label in enumerate(labels) if label == 1]
    excluded = [i for i, label in enumerate(labels) if label != 1]
    return included[rng.integers(len(included))], excluded[rng.integers(len(excluded))]


def order_standin(texts: list[str], labels: list[int], priors: tuple[int, int]) -> list[int]:
    """RANKING.md's baseline: TF-IDF + logistic regression, refit every REFIT labels."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    matrix = TfidfVectorizer(
        ngram_range=(1, 2), stop_words="english", sublinear_tf=True, min_df=2, max_df=0.95
    ).fit_transform(texts)
    y = np.asarray(labels)
    seen = np.zeros(len(y), dtype=bool)
    order = list(priors)
    seen[order] = True
    while not seen.all():
        rows = np.flatnonzero(seen)
        model = LogisticRegression(C=10, class_weight="balanced", solver="liblinear")
        model.fit(matrix[rows], y[rows])
        candidates = np.flatnonzero(~seen)
        scores = model.decision_function(matrix[candidates])
        if y[candidates].sum() == 0:
            # Only excludes left: their order changes no figure, so no more refitting.
            batch = candidates[np.argsort(-scores, kind="stable")]
        else:
            batch = candidates[np.argsort(-scores, kind="stable")[:REFIT]]
        order += [int(r) for r in batch]
        seen[batch] = True
    return order


def order_core(texts: list[str], labels: list[int], priors: tuple[int, int]) -> list[int]:
    """The ranker the app serves, through its own simulation, every row listed once."""
    from screening.ranking.simulate import screening_simulate

    steps = screening_simulate(texts, labels, priors=list(priors), refit_every=REFIT, until="all")
    return [int(step.row) for step in steps]


def ranker_settings(ranker: str) -> str:
    """The ranker's settings as the cached orders were made with them (read when they are)."""
    if ranker == "standin":
        return "TF-IDF 1-2-grams, min_df 2, max_df 0.95; LogisticRegression(C=10, balanced)"
    from screening.ranking.features import FeatureSettings
    from screening.ranking.model import ModelSettings

    return f"{FeatureSettings()}; {ModelSettings()}"


def ranked_order(name: str, seed: int, ranker: str) -> tuple[list[int], float, str]:
    """The order (0-based rows, priors first, every row once), its seconds and its settings."""
    path = CACHE / f"{ranker}-refit{REFIT}" / f"{name}-seed{seed}.json"
    if path.exists() and not FRESH:
        cached = json.loads(path.read_text())
        return cached["order"], cached["seconds"], cached.get("settings", "not recorded")
    texts, labels = read_set(name)
    priors = priors_of(labels, seed)
    started = time.perf_counter()
    simulate = order_core if ranker == "core" else order_standin
    order = simulate(texts, labels, priors)
    seconds = time.perf_counter() - started
    if sorted(order) != list(range(len(labels))):
        raise RuntimeError(f"{name} seed {seed}: the order does not list every row once")
    path.parent.mkdir(parents=True, exist_ok=True)
    cached = {
        "priors": list(priors),
        "settings": ranker_settings(ranker),
        "order": order,
        "seconds": seconds,
    }
    path.write_text(json.dumps(cached))
    return order, seconds, cached["settings"]


# --- screening as a team would -----------------------------------------------------------------


@dataclass(frozen=True)
class Stop:
    """Where one run stopped."""

    recall: float
    saved: float  # share of the records never screened
    samples: int  # random samples drawn (0 for the knee alone)


Trigger = Callable[[np.ndarray, int], bool]


def knee_trigger(ranked_labels: np.ndarray, records: int) -> bool:
    knee = knee_of(ranked_labels)
    return len(ranked_labels) >= KNEE_MIN_SCREENED and knee is not None and knee.reached


def plain_knee_trigger(ranked_labels: np.ndarray, records: int) -> bool:
    knee = knee_of(ranked_labels)
    return (
        len(ranked_labels) >= KNEE_MIN_SCREENED
        and knee is not None
        and knee.slope_ratio >= PLAIN_KNEE_RATIO
    )


def every_5_percent(ranked_labels: np.ndarray, records: int) -> bool:
    return True  # the gap between samples (5 % of the records) is the schedule


def quiet_5_percent(ranked_labels: np.ndarray, records: int) -> bool:
    gap = max(1, round(SAMPLE_GAP * records))
    return len(ranked_labels) >= gap and not ranked_labels[-gap:].any()


def screen_with_samples(
    order: list[int],
    labels: np.ndarray,
    trigger: Trigger,
    rng: np.random.Generator,
    *,
    spend: bool,
) -> Stop:
    """Ranked screening with random samples at the trigger; stop when the test rejects.

    With `spend`, the j-th sample is sized and tested at `sample_alpha(j)`, else each at ALPHA.
    """
    records = len(order)
    included = int(labels.sum())
    check = max(1, round(CHECK_EVERY * records))
    gap = max(1, round(SAMPLE_GAP * records))
    screened = np.zeros(records, dtype=bool)
    ranked: list[int] = []  # labels met in ranked order
    found = 0
    samples = 0
    last_sample_at = 0  # ranked count at the last sample: none before 5 % screened
    for row in order:
        if screened[row]:
            continue  # already screened in a sample
        screened[row] = True
        ranked.append(int(labels[row]))
        found += int(labels[row])
        if len(ranked) % check or len(ranked) - last_sample_at < gap:
            continue
        if not trigger(np.asarray(ranked), records):
            continue
        unscreened = np.flatnonzero(~screened)
        if unscreened.size == 0:
            break
        level = sample_alpha(samples + 1, alpha=ALPHA) if spend else ALPHA
        size = proposed_sample_size(unscreened.size, found, target=TARGET, alpha=level)
        # rng.choice without replacement is a random permutation's head: screened in its order.
        sample = rng.choice(unscreened, size=size, replace=False)
        hits = np.flatnonzero(labels[sample])
        if ABANDON and hits.size:
            # The first include already rules out p < alpha for this sample's size: the rest
            # of it goes back to the ranked queue unscreened.
            sample = sample[: hits[0] + 1]
        in_sample = int(labels[sample].sum())
        p_value = recall_test(found, size, in_sample, unscreened.size, TARGET)
        screened[sample] = True
        found += in_sample
        samples += 1
        last_sample_at = len(ranked)
        if p_value < level:
            break
    return Stop(recall=found / included, saved=1 - screened.sum() / records, samples=samples)


def screen_to_knee(order: list[int], labels: np.ndarray) -> Stop:
    """Ranked screening stopped by the knee rule alone."""
    records = len(order)
    ranked = labels[np.asarray(order)]
    check = max(1, round(CHECK_EVERY * records))
    for screened in range(check, records + 1, check):
        if knee_trigger(ranked[:screened], records):
            return Stop(
                recall=ranked[:screened].sum() / ranked.sum(),
                saved=1 - screened / records,
                samples=0,
            )
    return Stop(recall=1.0, saved=0.0, samples=0)


def screen_to_ranked_test(order: list[int], labels: np.ndarray) -> Stop:
    """Ranked screening stopped when the ranked tail, read as a sample, rejects recall < 0.95."""
    records = len(order)
    ranked = labels[np.asarray(order)]
    check = max(1, round(CHECK_EVERY * records))
    for screened in range(check, records + 1, check):
        if recall_test_ranked(ranked[:screened], records, target=TARGET) < ALPHA:
            return Stop(
                recall=ranked[:screened].sum() / ranked.sum(),
                saved=1 - screened / records,
                samples=0,
            )
    return Stop(recall=1.0, saved=0.0, samples=0)


KNEE_ALONE = "knee alone (no sample)"
RANKED_TAIL = "ranked tail read as the sample (buscar; no sample)"
# name: (the trigger of a random sample, whether successive samples spend alpha); None: no sample.
PROCEDURES: dict[str, tuple[Trigger, bool] | None] = {
    "sample at the knee, alpha spent": (knee_trigger, True),
    "sample at a plain knee (rho >= 6), each at 0.05": (plain_knee_trigger, False),
    "sample at a plain knee (rho >= 6), alpha spent": (plain_knee_trigger, True),
    "sample every 5 %, each at 0.05": (every_5_percent, False),
    "sample after 5 % without an include, each at 0.05": (quiet_5_percent, False),
    "sample after 5 % without an include, alpha spent": (quiet_5_percent, True),
    KNEE_ALONE: None,
    RANKED_TAIL: None,
}


def runs_of(
    name: str, ranker: str, settings: set[str]
) -> tuple[dict[str, list[Stop]], list[float], list[float], int, int]:
    """Every procedure's stops over seeds x draws, the ranker's seconds, and the set's size."""
    _, label_list = read_set(name)
    labels = np.asarray(label_list)
    stops: dict[str, list[Stop]] = {procedure: [] for procedure in PROCEDURES}
    seconds, to_95 = [], []
    for seed in range(SEEDS):
        order, took, made_with = ranked_order(name, seed, ranker)
        settings.add(made_with)
        seconds.append(took)
        gain = np.cumsum(labels[np.asarray(order)])
        to_95.append(int(np.searchsorted(gain, np.ceil(TARGET * labels.sum()))) + 1)
        for procedure, sampling in PROCEDURES.items():
            if sampling is None:
                stop = (screen_to_knee if procedure == KNEE_ALONE else screen_to_ranked_test)(
                    order, labels
                )
                stops[procedure].append(stop)
                continue
            for draw in range(DRAWS):
                rng = np.random.default_rng((seed, draw))
                trigger, spend = sampling
                stops[procedure].append(
                    screen_with_samples(order, labels, trigger, rng, spend=spend)
                )
    return stops, seconds, to_95, len(labels), int(labels.sum())


# --- the report --------------------------------------------------------------------------------


def _reached(stops: list[Stop]) -> float:
    """The share of runs whose recall at the stop reached the target."""
    return float(np.mean([s.recall >= TARGET - 1e-12 for s in stops]))


def _row(name: str, procedure: str, stops: list[Stop]) -> str:
    recalls = np.array([s.recall for s in stops])
    saved = np.array([s.saved for s in stops])
    reached = _reached(stops)
    return (
        f"| {name} | {procedure} | {len(stops)} | {recalls.mean():.3f} | "
        f"{np.percentile(recalls, 5):.3f} | {recalls.min():.3f} | {reached:.0%} | "
        f"{saved.mean():.3f} ({saved.min():.3f}-{saved.max():.3f}) | "
        f"{statistics.mean(s.samples for s in stops):.1f} |"
    )


def run() -> str:
    if not DATA.is_dir():
        return f"### Stopping aid (issue 18)\n\nNot run: {DATA} is absent."
    ranker = _ranker_name()
    started = time.perf_counter()
    lines = [
        "### Stopping aid (issue 18): recall at the proposed stop and records saved",
        "",
        f"`.venv/bin/python -m benchmarks stopping`; ranker: {RANKERS[ranker]} "
        "(the settings each order was made with are listed below the tables), "
        f"refit every {REFIT} labels; {SEEDS} seeds (priors 1 + 1) x {DRAWS} random-sample draws "
        f"per set; target recall {TARGET}, alpha {ALPHA}; the knee looked at every "
        f"{CHECK_EVERY:.0%} of the records, from {KNEE_MIN_SCREENED} screened; a sample "
        f"{'given up at its first include' if ABANDON else 'screened whole'}. "
        f"Goal: recall >= {TARGET} in at least 95 % of runs.",
        "",
        "| set | procedure | runs | recall mean | recall 5th pct | recall min | runs with recall >= 0.95 | records saved mean (min-max) | samples drawn (mean) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    everything: dict[str, list[Stop]] = {procedure: [] for procedure in PROCEDURES}
    worst = dict.fromkeys(PROCEDURES, 1.0)
    settings: set[str] = set()
    context = []
    for name in CHOSEN_SETS:
        stops, seconds, to_95, records, included = runs_of(name, ranker, settings)
        for procedure in PROCEDURES:
            lines.append(_row(name, procedure, stops[procedure]))
            everything[procedure] += stops[procedure]
            worst[procedure] = min(worst[procedure], _reached(stops[procedure]))
        context.append(
            f"| {name} | {records:,} | {included} | {1 - statistics.mean(to_95) / records:.3f} | "
            f"{statistics.median(seconds):.1f} |"
        )
        print(f"{name}: done", flush=True)
    for procedure in PROCEDURES:
        lines.append(_row("**all sets**", procedure, everything[procedure]))
    meeting = [procedure for procedure in PROCEDURES if worst[procedure] >= 0.95]
    lines += [
        "",
        "Recall >= 0.95 in at least 95 % of the runs of every set: "
        + ("; ".join(meeting) if meeting else "no procedure")
        + ". Not in every set: "
        + (
            "; ".join(
                f"{procedure} (worst set {worst[procedure]:.0%})"
                for procedure in PROCEDURES
                if procedure not in meeting
            )
            or "none"
        )
        + ".",
        "",
        "The ranked orders themselves: the share of records a reviewer would not have screened had "
        "they known when 95 % of the includes were found (the best any stopping rule can save at "
        "that recall, WSS@95 + 0.05), and the simulation's seconds per seed (median).",
        "",
        "| set | records | includes | saved at 95 % recall, known in hindsight (mean) | ranker seconds per seed |",
        "| --- | ---: | ---: | ---: | ---: |",
        *context,
        "",
        "Ranker settings of the orders (cached under var/bench_stopping/): "
        + "; and ".join(f"`{made_with}`" for made_with in sorted(settings))
        + ".",
        "",
        f"Whole benchmark: {time.perf_counter() - started:.0f} s (ranked orders read from the cache "
        "where present: their own seconds are in the table above).",
    ]
    return "\n".join(lines)
