"""Deduplication (pure core in screening/dedup) on the labelled sets of ../shared/data/dedup.

Goals: automatic pairwise precision >= 0.999; automatic recall at least ASySD's and bib-dedupe's;
recall >= 0.99 once every candidate is answered truthfully, with at most 3 candidates per 100
records; at least 10x faster than ASySD. Thresholds were tuned on asysd_diabetes and
bibdedupe_respiratory only; the other sets are checks.
"""

from __future__ import annotations

import csv
import random
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from screening.dedup import AUTO, DedupRecord, find_duplicates, normalise, union
from screening.dedup.block import candidate_pairs
from screening.dedup.normalise import split_authors
from screening.dedup.records import features
from tests.shared_data import SHARED_DATA

DEDUP = SHARED_DATA / "dedup"
RUNS = 3  # best of, for the time
TUNED_ON = ("asysd_diabetes", "bibdedupe_respiratory")
# Errors inspected after tuning, which led to two parser fixes (names printed "Given, Family";
# "[published erratum appears in ...]" notes): no longer an untouched check.
SEEN = ("bibdedupe_stroke",)
SETS = (
    "asysd_diabetes",
    "bibdedupe_respiratory",
    "bibdedupe_stroke",
    "bibdedupe_cytology_screening",
    "bibdedupe_haematology",
    "bibdedupe_digital_work",
)
# Automatic recall and seconds reported for ASySD and bib-dedupe (the issue's figures).
PEERS = {
    "asysd_diabetes": (0.993, 1.000, 25.0),
    "bibdedupe_respiratory": (0.900, 0.925, 12.0),
    "bibdedupe_stroke": (0.969, 0.996, 13.0),
}


def load(path: Path) -> tuple[list[DedupRecord], dict[str, str]]:
    """Records of one benchmark.csv and each record's true group id."""
    records, group = [], {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            records.append(
                DedupRecord(
                    id=row["record_id"],
                    title=row["title"],
                    authors=split_authors(row["author"]),
                    year=int(row["year"]) if row["year"].isdigit() else None,
                    journal=row["journal"],
                    volume=row["volume"],
                    issue=row["number"],
                    pages=row["pages"],
                    doi=row["doi"],
                    issn=[row["isbn"]] if row["isbn"] else [],
                    abstract=row["abstract"],
                    publication_type=row["entrytype"],
                )
            )
            group[row["record_id"]] = row["group_id"]
    return records, group


def _pairs(clusters: list[list[str]]) -> set[tuple[str, str]]:
    return {(a, b) for cluster in clusters for a, b in combinations(sorted(cluster), 2)}


def _cold_caches() -> None:
    """Forget normalised names and titles, so each timed run starts as the first one did."""
    for value in vars(normalise).values():
        if hasattr(value, "cache_clear"):
            value.cache_clear()


def evaluate(name: str, seed: int = 7, runs: int = RUNS) -> dict[str, float]:
    """Run find_duplicates on a shuffled set and score it against the true groups."""
    records, group = load(DEDUP / name / "benchmark.csv")
    random.Random(seed).shuffle(records)
    seconds = float("inf")
    for _ in range(runs):
        _cold_caches()
        started = time.perf_counter()
        result = find_duplicates(records)
        seconds = min(seconds, time.perf_counter() - started)

    members = defaultdict(list)
    for record_id, group_id in group.items():
        members[group_id].append(record_id)
    true_pairs = _pairs([m for m in members.values() if len(m) > 1])

    auto_pairs = _pairs(result.clusters)
    auto_tp = len(auto_pairs & true_pairs)
    shown = result.to_review()
    confirmed = [(p.a, p.b) for p in shown if group[p.a] == group[p.b]]
    # Blocking alone, outside the timing: how many pairs are compared, how many true ones reached.
    index = [r.id for r in records]
    blocked = {
        tuple(sorted((index[i], index[j])))
        for i, j in candidate_pairs([features(i, r) for i, r in enumerate(records)])
    }
    # A person's yes answers join clusters by union; auto clusters stay as they are.
    after = _pairs(union(group, [*auto_pairs, *confirmed]))
    return {
        "records": len(records),
        "true_pairs": len(true_pairs),
        "auto_pairs": len(auto_pairs),
        "auto_precision": auto_tp / len(auto_pairs) if auto_pairs else 1.0,
        "auto_recall": auto_tp / len(true_pairs) if true_pairs else 1.0,
        "after_recall": len(after & true_pairs) / len(true_pairs) if true_pairs else 1.0,
        "candidates_per_100": 100 * len(shown) / len(records),
        "auto_decisions": sum(p.outcome == AUTO for p in result.pairs),
        "compared_share": len(blocked) / (len(records) * (len(records) - 1) / 2),
        "blocking_recall": len(blocked & true_pairs) / len(true_pairs) if true_pairs else 1.0,
        "seconds": seconds,
    }


def run() -> str:
    """The benchmark section: one row per labelled set."""
    lines = [
        "### Deduplication (screening/dedup)",
        "",
        "`.venv/bin/python -m benchmarks bench_dedup` — records shuffled (seed 7); pairwise "
        "figures over all pairs inside true groups; *auto* = every pair inside an automatic "
        "cluster; seconds = best of 3 runs of `find_duplicates` alone (CSV reading excluded), one process. "
        "*Recall after candidates* = pairs in the union of auto clusters and the candidate "
        "pairs a truthful person confirms; candidates = `DedupResult.to_review()`, one question "
        f"per pair of auto clusters. Tuned on {', '.join(TUNED_ON)}; errors of "
        f"{', '.join(SEEN)} inspected afterwards (two parser fixes); the others are untouched "
        "checks.",
        "",
    ]
    if not DEDUP.is_dir():
        return "\n".join([*lines, f"skipped: {DEDUP} is absent (a clone outside the workplace)."])
    lines += [
        "| set | records | true pairs | auto precision | auto recall (ASySD / bib-dedupe) "
        "| recall after candidates | candidates / 100 records | seconds (ASySD) | speed-up vs ASySD "
        "| pairs compared (% of all) | true pairs reached by blocking |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in SETS:
        path = DEDUP / name / "benchmark.csv"
        if not path.exists():
            lines.append(f"| {name} | skipped: no benchmark.csv | | | | | | | | | |")
            continue
        m = evaluate(name)
        asysd, bib, asysd_s = PEERS.get(name, (None, None, None))
        peers = f" ({asysd:.3f} / {bib:.3f})" if asysd is not None else ""
        speed = f"{asysd_s / m['seconds']:.0f}x" if asysd_s else "—"
        tuned = " (tuned)" if name in TUNED_ON else " (seen)" if name in SEEN else " (check)"
        lines.append(
            f"| {name}{tuned} | {m['records']:,} | {m['true_pairs']:,} | "
            f"{m['auto_precision']:.4f} | {m['auto_recall']:.3f}{peers} | "
            f"{m['after_recall']:.3f} | {m['candidates_per_100']:.2f} | "
            f"{m['seconds']:.2f}{f' ({asysd_s:.0f})' if asysd_s else ''} | {speed} | "
            f"{100 * m['compared_share']:.2f}% | {m['blocking_recall']:.4f} |"
        )
    return "\n".join(lines)
