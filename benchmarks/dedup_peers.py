"""The peers the dedup benchmark runs beside ours on the same shuffled records: bib-dedupe (the
optional `bench` extra) and a recordlinkage-style baseline of simple rules written here."""

from __future__ import annotations

import contextlib
import io
import time
from collections import defaultdict
from itertools import combinations

from rapidfuzz.distance import JaroWinkler

from screening.dedup import DedupRecord
from screening.dedup.normalise import ascii_fold, author

from .dedup_sets import (
    DEDUP,
    RUNS,
    cluster_pairs,
    rows_of,
    score,
    shuffled,
    true_pairs,
)


def simple_rules(records: list[DedupRecord]) -> list[list[str]]:
    """A recordlinkage-style baseline, simple and transparent, with no tuning.

    Titles folded (lower case, accents and punctuation gone); blocks = first 3 letters of the
    folded title + year; a pair is a duplicate when the Jaro-Winkler similarity of the folded
    titles is >= 0.9 (same year by the block) and that of the first authors' surnames (our name
    parser) is >= 0.8; a record without a year, title or author is never paired. Union-find
    turns the pairs into clusters.
    """
    keys = [
        (
            ascii_fold(r.title),
            r.year,
            author(r.authors[0])[0] if r.authors else "",
        )
        for r in records
    ]
    blocks = defaultdict(list)
    for i, (title, year, surname) in enumerate(keys):
        if title and year is not None and surname:
            blocks[(title.replace(" ", "")[:3], year)].append(i)
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for members in blocks.values():
        for i, j in combinations(members, 2):
            (title_i, _, surname_i), (title_j, _, surname_j) = keys[i], keys[j]
            if (
                JaroWinkler.similarity(title_i, title_j) >= 0.9
                and JaroWinkler.similarity(surname_i, surname_j) >= 0.8
            ):
                parent[find(i)] = find(j)
    clusters = defaultdict(list)
    for i, record in enumerate(records):
        clusters[find(i)].append(record.id)
    return [c for c in clusters.values() if len(c) > 1]


def bib_dedupe_missing() -> str | None:
    """None when bib-dedupe can be imported here, else the reason it cannot."""
    try:
        import bib_dedupe.bib_dedupe  # noqa: F401
    except ImportError as error:
        return f"{error}; install it with pip install -e '.[bench]'"
    return None


def bib_dedupe_clusters(records: list[DedupRecord], rows: dict[str, dict[str, str]]) -> list:
    """bib-dedupe's automatic clusters (prep, block, match, cluster; `maybe` pairs left out).

    It is given the raw CSV fields, in the shuffled order, to parse itself; an empty entry type
    (asysd_diabetes has none) becomes `article`, bib-dedupe's own default when the column is
    absent. It runs on every core (cpu=-1).
    """
    import pandas as pd
    from bib_dedupe.bib_dedupe import block, cluster, match, prep

    fields = ("author", "title", "year", "journal", "volume", "number", "pages", "doi", "abstract")
    frame = pd.DataFrame(
        [
            {
                "ID": r.id,
                "ENTRYTYPE": rows[r.id]["entrytype"] or "article",
                **{f: rows[r.id][f] for f in fields},
            }
            for r in records
        ]
    )
    with contextlib.redirect_stdout(io.StringIO()):
        prepared = prep(frame, verbosity_level=0)
        matched = match(block(prepared, verbosity_level=0), verbosity_level=0)
        return cluster(matched, verbosity_level=0)


def evaluate_peers(
    name: str, seed: int = 7, runs: int = RUNS, with_bib_dedupe: bool = True
) -> dict[str, dict[str, float] | str]:
    """The peers on the records `evaluate` sees (same set, same shuffle): precision, recall, time.

    Simple rules: best of `runs`. bib-dedupe: one run (it takes seconds); a string says why it
    has no figures.
    """
    records, group = shuffled(name, seed)
    truth = true_pairs(group)
    out: dict[str, dict[str, float] | str] = {}

    seconds = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        clusters = simple_rules(records)
        seconds = min(seconds, time.perf_counter() - started)
    precision, recall = score(cluster_pairs(clusters), truth)
    out["simple rules"] = {"auto_precision": precision, "auto_recall": recall, "seconds": seconds}

    missing = bib_dedupe_missing()
    if missing:
        out["bib-dedupe"] = f"not available ({missing})"
    elif not with_bib_dedupe:
        out["bib-dedupe"] = "not run"
    else:
        rows = rows_of(DEDUP / name / "benchmark.csv")
        try:
            started = time.perf_counter()
            clusters = bib_dedupe_clusters(records, rows)
            seconds = time.perf_counter() - started
        except Exception as error:  # noqa: BLE001 - a peer's failure is reported, not fatal
            out["bib-dedupe"] = f"not available ({type(error).__name__}: {error})"
        else:
            precision, recall = score(cluster_pairs(clusters), truth)
            out["bib-dedupe"] = {
                "auto_precision": precision,
                "auto_recall": recall,
                "seconds": seconds,
            }
    return out
