"""ASReview's own loader reads the app's decisions exports: every record, title and label.

Run by `make check-asreview` with the Python of ASReview's own environment (var/asreview-venv),
never the project's: ASReview pins its own pandas, scikit-learn and SQLAlchemy. It imports
nothing of the app and no Django; it takes the files benchmarks/export_samples.py wrote, the
app's labels last:

    python benchmarks/asreview_reads_exports.py DIR/decisions.ris DIR/decisions.csv \
        DIR/decisions.xlsx DIR/expected.json

Each file goes through `asreview.load_dataset`, which picks the reader by the file's suffix (the
RIS reader takes the label from the first `ASReview_relevant/irrelevant/not_seen` N1 note; the
tabular readers, CSV and Excel, from the `included` column), as ASReview LAB does with an
upload. The records it holds are compared, in order, with what the app holds: the count, every
title, and every label (1 included, 0 excluded, undecided as ASReview's "no label": None or
NaN). Prints one line per file and exits 1 on any difference.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import asreview
import pandas


def _label(value: Any) -> int | None:
    """ASReview's label as ours: 1, 0, or None for unlabelled (pandas' NA, NaN or -1 by
    version)."""
    if pandas.isna(value) or value == -1:
        return None
    return int(value)


def check(path: Path, expected: list[dict[str, Any]]) -> list[str]:
    """The differences between what ASReview read from `path` and what the app holds."""
    # Held in a name: the in-memory database goes with the object that made it.
    db = asreview.load_dataset(path)
    frame = db.input[["title", "included"]]
    titles = [str(t) for t in frame["title"]]
    labels = [_label(v) for v in frame["included"].astype(object)]
    ours = [e["included"] for e in expected]
    problems = []
    if len(titles) != len(expected):
        problems.append(f"{len(titles)} records read, {len(expected)} exported")
    problems += [
        f"record {i}: title {theirs!r}, ours {e['title']!r}"
        for i, (theirs, e) in enumerate(zip(titles, expected, strict=False))
        if theirs != e["title"]
    ]
    problems += [
        f"record {i} ({e['title'][:50]!r}): label {theirs}, ours {e['included']}"
        for i, (theirs, e) in enumerate(zip(labels, expected, strict=False))
        if theirs != e["included"]
    ]
    matched = sum(a == b for a, b in zip(labels, ours, strict=False))
    print(
        f"{path.name}: ASReview {asreview.__version__} read {len(titles)} of {len(expected)} "
        f"records; titles equal: {len(titles) - sum('title' in p for p in problems)}; labels "
        f"matched: {matched} of {len(ours)} ({ours.count(1)} included, {ours.count(0)} "
        f"excluded, {ours.count(None)} unlabelled)"
    )
    return problems


def main(argv: list[str]) -> int:
    *exports, expected_file = (Path(arg) for arg in argv)
    expected = json.loads(expected_file.read_text())
    problems = [f"{path.name}: {p}" for path in exports for p in check(path, expected)]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
