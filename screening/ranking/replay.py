"""Replay a labelled review through the ranker the app serves: the core of `manage.py
simulate_ranking`, of `make bench-ranking`'s chosen model and of a lead's replay of a project.

ASReview's `simulate` is the model: one include and one exclude as priors (given, or drawn with
the seed by `priors_draw`), the model refitted after every label (or every `refit_every`), the
highest-scored unscreened record next, until every record has been met once. The measures are
screening.ranking.metrics' (after removing the priors), on the order found.

The labelled file (`dataset_read`) is CSV, UTF-8 with or without a byte-order mark, with the
columns `title`, `abstract` and `label_included` in any order (names matched without regard to
case or surrounding spaces); `keywords`, when present, is read beside the title and abstract
because the app reads a reference's keywords too; every other column is ignored. An empty
title or abstract is allowed. A label is 1 or 0, also written 1.0/0.0, true/false or yes/no
(any case); anything else, an empty label included, is an error naming the line and the field,
never a guess. Rows are numbered 0, 1, ... in file order (blank lines are not rows), as ASReview
numbers them for --prior-idx.
"""

from __future__ import annotations

import csv
import io
import math
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from screening.ranking.features import FeatureSettings, reference_text
from screening.ranking.metrics import Metrics, atd, metrics_compute, recall_at, wss
from screening.ranking.model import ModelSettings
from screening.ranking.simulate import priors_draw, screening_simulate

REQUIRED = ("title", "abstract", "label_included")
LABELS = {
    "1": 1,
    "1.0": 1,
    "true": 1,
    "yes": 1,
    "0": 0,
    "0.0": 0,
    "false": 0,
    "no": 0,
}


class DatasetError(ValueError):
    """A labelled file the replay cannot read, said with the file, the line and the field."""

    def __init__(
        self, path: str, message: str, *, line: int | None = None, field: str = ""
    ) -> None:
        self.path, self.line, self.field = path, line, field
        where = [path]
        if line is not None:
            where.append(f"line {line}")
        if field:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {message}")


@dataclass(frozen=True)
class Dataset:
    """The records' texts and labels in file order, and the line each record starts on."""

    texts: list[str]
    labels: list[int]
    lines: list[int]

    @property
    def includes(self) -> int:
        return sum(self.labels)


def label_parse(value: str | None) -> int | None:
    """1 or 0 from the spellings the module's docstring lists, else None."""
    if value is None:
        return None
    return LABELS.get(value.strip().lower())


def dataset_parse(text: str, name: str = "<text>") -> Dataset:
    """Read a labelled review from its text (see the module's docstring for the rules)."""
    csv.field_size_limit(sys.maxsize)
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise DatasetError(name, f"not readable as CSV ({error})", line=1) from error
    if header is None or not any(cell.strip() for cell in header):
        raise DatasetError(
            name,
            f"the file is empty: a header line with the columns {', '.join(REQUIRED)} is needed",
            line=1,
        )
    columns = {cell.strip().lower(): i for i, cell in reversed(list(enumerate(header)))}
    for field in REQUIRED:
        if field not in columns:
            raise DatasetError(
                name,
                f"the header has no column {field!r} (it has: "
                f"{', '.join(cell.strip() for cell in header)})",
                line=1,
                field=field,
            )
    keywords = columns.get("keywords")
    texts: list[str] = []
    labels: list[int] = []
    lines: list[int] = []
    ended = reader.line_num
    while True:
        start = ended + 1
        try:
            row = next(reader, None)
        except csv.Error as error:
            raise DatasetError(name, f"not readable as CSV ({error})", line=start) from error
        if row is None:
            break
        # The record's first line: its quoted cells may run over several lines.
        start = reader.line_num - sum(cell.count("\n") for cell in row)
        ended = reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue

        def cell(field: str, row: list[str] = row) -> str | None:
            index = columns[field]
            return row[index] if index < len(row) else None

        raw = cell("label_included")
        label = label_parse(raw)
        if label is None:
            said = "is empty" if raw is None or not raw.strip() else f"is {raw.strip()!r}"
            raise DatasetError(
                name,
                f"the label {said}: write 1 (include) or 0 (exclude); 1.0/0.0, true/false "
                "and yes/no are read too",
                line=start,
                field="label_included",
            )
        words = ""
        if keywords is not None and keywords < len(row):
            words = row[keywords]
        texts.append(reference_text(cell("title") or "", cell("abstract") or "", words))
        labels.append(label)
        lines.append(start)
    if not labels:
        raise DatasetError(name, "the file has a header but no records", line=2)
    return Dataset(texts=texts, labels=labels, lines=lines)


def dataset_read(path: str | Path) -> Dataset:
    """Read a labelled review from a CSV file (UTF-8, a byte-order mark allowed)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DatasetError(str(path), f"cannot be read ({error.strerror or error})") from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DatasetError(
            str(path),
            f"is not UTF-8 text (byte {error.start}); save it as CSV UTF-8",
            line=line,
        ) from error
    return dataset_parse(text, str(path))


def priors_choose(
    labels: Sequence[int], seed: int, *, n_included: int = 1, n_excluded: int = 1
) -> list[int]:
    """Priors drawn with the seed: includes first, then excludes (0-based rows).

    One of each is `priors_draw`'s draw, the one ASReview's runs in benchmarks/ share; more are
    drawn without replacement with numpy.random.default_rng(seed), includes then excludes.
    """
    if n_included < 1 or n_excluded < 1:
        raise ValueError("at least one prior include and one prior exclude are needed")
    included = [i for i, label in enumerate(labels) if label == 1]
    excluded = [i for i, label in enumerate(labels) if label != 1]
    if len(included) < n_included or len(excluded) < n_excluded:
        raise ValueError(
            f"{n_included} prior include(s) and {n_excluded} prior exclude(s) asked for, the "
            f"file has {len(included)} include(s) and {len(excluded)} exclude(s)"
        )
    if n_included == 1 and n_excluded == 1:
        return list(priors_draw(labels, seed))
    rng = np.random.default_rng(seed)
    chosen = rng.choice(included, n_included, replace=False).tolist()
    chosen += rng.choice(excluded, n_excluded, replace=False).tolist()
    return [int(row) for row in chosen]


def priors_check(labels: Sequence[int], include: int, exclude: int) -> None:
    """A given prior include and exclude: in range, and labelled as said; else ValueError."""
    records = len(labels)
    for what, row in (("include", include), ("exclude", exclude)):
        if not 0 <= row < records:
            raise ValueError(
                f"prior {what} {row} is out of range: rows are numbered 0 to {records - 1} "
                "in file order"
            )
    if labels[include] != 1:
        raise ValueError(f"prior include {include} is labelled 0 (exclude) in the file")
    if labels[exclude] != 0:
        raise ValueError(f"prior exclude {exclude} is labelled 1 (include) in the file")


def replay_metrics(
    labels_in_order: Sequence[int], *, records: int, included: int, priors: int, prior_includes: int
) -> Metrics:
    """The measures of an order, after removing its priors (metrics_compute's for 1 + 1)."""
    if priors == 2 and prior_includes == 1:
        return metrics_compute(labels_in_order, records=records, included=included)
    common = {
        "records": records,
        "included": included,
        "priors": priors,
        "prior_includes": prior_includes,
    }
    return Metrics(
        wss95=wss(labels_in_order, **common),
        recall10=recall_at(labels_in_order, share=0.10, **common),
        recall25=recall_at(labels_in_order, share=0.25, **common),
        atd=atd(labels_in_order, **common),
    )


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """numpy's global generator seeded for the run, and put back after it.

    scikit-learn's liblinear and LinearSVC draw their internal seed from it when the model is
    given no random_state (screening.ranking.model gives none), so seeding it makes a run with
    any of the ranker's models repeatable; ties between scores go to the earlier row.
    """
    state = np.random.get_state()
    np.random.seed(seed % 2**32)
    try:
        yield
    finally:
        np.random.set_state(state)


@dataclass(frozen=True)
class Replay:
    """One replayed screening: every row once, priors first, and its measures."""

    order: list[int]
    labels_in_order: list[int]
    metrics: Metrics
    priors: list[int]
    seed: int
    records: int
    includes: int
    features: FeatureSettings
    model: ModelSettings
    refit_every: int
    seconds: float

    def to_json(self, version: str = "") -> dict[str, Any]:
        """The JSON `simulate_ranking --out` writes (see docs in the command's help)."""
        return {
            "order": self.order,
            "labels_in_order": self.labels_in_order,
            "metrics": asdict(self.metrics),
            "settings": {
                "features": asdict(self.features),
                "model": asdict(self.model),
                "refit_every": self.refit_every,
            },
            "priors": self.priors,
            "seed": self.seed,
            "records": self.records,
            "includes": self.includes,
            "seconds": self.seconds,
            "version": version,
        }


def replay(
    texts: Sequence[str],
    labels: Sequence[int],
    *,
    priors: Sequence[int],
    seed: int,
    refit_every: int = 1,
    features: FeatureSettings | None = None,
    model: ModelSettings | None = None,
) -> Replay:
    """Screen every row in the order the ranker would have shown them, priors first."""
    features = features or FeatureSettings()
    model = model or ModelSettings()
    labels = [int(label) for label in labels]
    if len(texts) != len(labels):
        raise ValueError("one label per text is needed")
    if not any(labels[row] == 1 for row in priors) or not any(labels[row] == 0 for row in priors):
        raise ValueError("the priors need at least one include and one exclude")
    if len(set(priors)) != len(priors):
        raise ValueError("a row is given twice among the priors")
    started = time.perf_counter()
    with _seeded(seed):
        steps = screening_simulate(
            texts,
            labels,
            priors=list(priors),
            features=features,
            model=model,
            refit_every=refit_every,
            until="all",
        )
    seconds = round(time.perf_counter() - started, 3)
    order = [step.row for step in steps]
    in_order = [step.label for step in steps]
    metrics = replay_metrics(
        in_order,
        records=len(labels),
        included=sum(labels),
        priors=len(priors),
        prior_includes=sum(labels[row] for row in priors),
    )
    return Replay(
        order=order,
        labels_in_order=in_order,
        metrics=metrics,
        priors=[int(row) for row in priors],
        seed=seed,
        records=len(labels),
        includes=sum(labels),
        features=features,
        model=model,
        refit_every=refit_every,
        seconds=seconds,
    )


def screened_for_recall(labels_in_order: Sequence[int], recall: float = 0.95) -> int:
    """How many records, from the first (priors included), are screened to find
    ceil(recall * includes) of the includes; 0 when there are none to find."""
    needed = math.ceil(round(recall * sum(labels_in_order), 9))
    if needed == 0:
        return 0
    found = 0
    for position, label in enumerate(labels_in_order, start=1):
        found += label
        if found >= needed:
            return position
    raise ValueError(f"the order finds {found} includes, {needed} needed")


def found_curve(labels_in_order: Sequence[int], points: int = 100) -> list[tuple[int, int]]:
    """(records screened, includes found), downsampled to about `points` points, first and
    last kept, as a chart needs them."""
    total = len(labels_in_order)
    if total == 0:
        return [(0, 0)]
    found = np.cumsum(np.asarray(labels_in_order, dtype=int))
    marks = np.unique(np.linspace(0, total, min(points, total) + 1).round().astype(int))
    return [(int(k), int(found[k - 1]) if k else 0) for k in marks]
