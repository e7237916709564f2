"""Deduplication (pure core in screening/dedup) on the labelled sets of ../shared/data/dedup.

Goals: automatic pairwise precision >= 0.999; automatic recall at least ASySD's and bib-dedupe's;
recall >= 0.99 once every candidate is answered truthfully, with at most 3 candidates per 100
records; at least 10x faster than ASySD. Thresholds were tuned on asysd_diabetes and
bibdedupe_respiratory only; the other sets are checks.

Two peers run on the same shuffled records in the same run: bib-dedupe (the optional `bench`
extra; reported as not available when it is absent) and a recordlinkage-style baseline of simple
rules written here (`simple_rules`).
"""

from __future__ import annotations

import os
import time
from importlib import metadata

from screening.dedup import AUTO, find_duplicates, union
from screening.dedup.block import candidate_pairs
from screening.dedup.compare import compare
from screening.dedup.records import features

from .abstracts_then_articles import evaluate_reports
from .dedup_peers import bib_dedupe_missing, evaluate_peers
from .dedup_sets import (
    BIB_DEDUPE_SETS,
    DEDUP,
    PEERS,
    RUNS,
    SEEN,
    SETS,
    TUNED_ON,
    cluster_pairs,
    cold_caches,
    shuffled,
    true_pairs,
)


def evaluate(name: str, seed: int = 7, runs: int = RUNS) -> dict[str, float]:
    """Run find_duplicates on a shuffled set and score it against the true groups."""
    records, group = shuffled(name, seed)
    seconds = float("inf")
    for _ in range(runs):
        cold_caches()
        started = time.perf_counter()
        result = find_duplicates(records)
        seconds = min(seconds, time.perf_counter() - started)

    truth = true_pairs(group)
    auto_pairs = cluster_pairs(result.clusters)
    auto_tp = len(auto_pairs & truth)
    shown = result.to_review()
    confirmed = [(p.a, p.b) for p in shown if group[p.a] == group[p.b]]
    # Blocking alone, outside the timing: how many pairs are compared, how many true ones reached.
    index = [r.id for r in records]
    blocked = {
        tuple(sorted((index[i], index[j])))
        for i, j in candidate_pairs([features(i, r) for i, r in enumerate(records)])
    }
    # A person's yes answers join clusters by union; auto clusters stay as they are.
    after = cluster_pairs(union(group, [*auto_pairs, *confirmed]))
    # True pairs left apart that carry a contradiction the issue names: its rules forbid merging
    # those automatically, whatever the labels say.
    prepared = {r.id: features(i, r) for i, r in enumerate(records)}
    forbidden = sum(
        _names_a_forbidden_contradiction(compare(prepared[a], prepared[b]).reasons)
        for a, b in truth - auto_pairs
    )
    return {
        "records": len(records),
        "true_pairs": len(truth),
        "auto_pairs": len(auto_pairs),
        "auto_precision": auto_tp / len(auto_pairs) if auto_pairs else 1.0,
        "auto_recall": auto_tp / len(truth) if truth else 1.0,
        "forbidden": forbidden,
        # No automatic cluster can hold such a pair (complete linkage: every pair in a cluster is
        # an automatic decision), so this is the highest automatic recall the rules allow.
        "ceiling": (len(truth) - forbidden) / len(truth) if truth else 1.0,
        "after_recall": len(after & truth) / len(truth) if truth else 1.0,
        "candidates_per_100": 100 * len(shown) / len(records),
        "auto_decisions": sum(p.outcome == AUTO for p in result.pairs),
        "compared_share": len(blocked) / (len(records) * (len(records) - 1) / 2),
        "blocking_recall": len(blocked & truth) / len(truth) if truth else 1.0,
        "seconds": seconds,
    }


# The contradictions issue 4 lists as forbidding an automatic merge, as compare.py words them.
FORBIDDING = (
    "but different DOIs",
    "but different PMIDs",
    "but years ",
    "but pages ",
    "but different part/phase markers",
    "but erratum/correction vs article",
    "but comment/reply vs article",
    "but protocol vs review",
    "but conference abstract vs article",
    "but generic title",
    # Issue 15: another report of the study, or another trial.
    "but preprint vs article",
    "but authors ",
    "but different trial registrations",
)


def _names_a_forbidden_contradiction(reasons: list[str]) -> bool:
    return any(reason.startswith(FORBIDDING) for reason in reasons)


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
        f"{', '.join(SEEN)} inspected afterwards (stroke: two parser fixes; haematology: "
        "correction notices shown with their articles, section headings, reworded titles under "
        "the whole citation; cytology: group authors under the whole citation); the others are "
        "untouched checks. *Kept apart by the issue's contradictions*: true pairs left apart "
        "whose records differ in DOI, PMID, year (by 2 or more), pages, part/phase, trial "
        "registration, or are an erratum, comment, protocol, conference abstract, preprint or "
        "generic title against the other, or whose author lists differ in the way issue 15 "
        "counts as another report (1 vs 3; another length a year apart); "
        "no automatic cluster may hold one, so one minus their share is the highest automatic "
        "recall the issue's rules allow.",
        "",
    ]
    if not DEDUP.is_dir():
        skipped = f"skipped: {DEDUP} is absent (a clone outside the workplace)."
        return "\n".join([*lines, skipped, *_reports_section()])
    lines += [
        "| set | records | true pairs | auto precision | auto recall (issue's ASySD / bib-dedupe) "
        "| recall after candidates | candidates / 100 records | seconds (ASySD) | speed-up vs ASySD "
        "| pairs compared (% of all) | true pairs reached by blocking "
        "| true pairs the issue's contradictions keep apart | highest auto recall those rules allow |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    missing = bib_dedupe_missing()
    version = "" if missing else f" {metadata.version('bib-dedupe')}"
    side = [
        "",
        f"Side by side, measured in this run on the same shuffled records: ours, bib-dedupe{version} "
        "(`prep`/`block`/`match`/`cluster`, automatic `duplicate` pairs only, `maybe` left out; "
        f"one run, on all {os.cpu_count()} cores) and **simple rules** (recordlinkage-style, "
        "simple and transparent, untuned: block on first 3 letters of the folded title + year; "
        "duplicate when Jaro-Winkler of folded titles >= 0.9, same year, and Jaro-Winkler of "
        "first-author surnames >= 0.8; union-find; best of 3). Precision and recall pairwise, "
        "seconds exclude CSV reading.",
        "",
        "| set | ours: precision | ours: recall | ours: s | bib-dedupe: precision "
        "| bib-dedupe: recall | bib-dedupe: s | simple rules: precision | simple rules: recall "
        "| simple rules: s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def cells(m: dict[str, float] | str) -> str:
        if isinstance(m, str):
            return f"{m} | | "
        return f"{m['auto_precision']:.4f} | {m['auto_recall']:.3f} | {m['seconds']:.2f}"

    for name in SETS:
        path = DEDUP / name / "benchmark.csv"
        if not path.exists():
            lines.append(f"| {name} | skipped: no benchmark.csv | | | | | | | | | | | |")
            side.append(f"| {name} | skipped: no benchmark.csv | | | | | | | | |")
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
            f"{100 * m['compared_share']:.2f}% | {m['blocking_recall']:.4f} | "
            f"{m['forbidden']} | {m['ceiling']:.4f} |"
        )
        other = evaluate_peers(name, with_bib_dedupe=name in BIB_DEDUPE_SETS)
        side.append(
            f"| {name} | {cells(m)} | {cells(other['bib-dedupe'])} | "
            f"{cells(other['simple rules'])} |"
        )
    if missing:
        side.append("")
        side.append(f"bib-dedupe: not available ({missing})")
    return "\n".join([*lines, *side, *_reports_section()])


def _reports_section() -> list[str]:
    """The abstract-then-article case, as table lines."""
    m = evaluate_reports()
    return [
        "",
        f"Abstract then article (issue 15): {m['studies']} trials written by "
        "`abstracts_then_articles` (seed 15), each a 2021 meeting abstract (1-2 authors, in a "
        "journal supplement or printed with the journal alone, typed or not) and the 2022 "
        "article (3-8 authors, mostly the same title, the abstract's text in half, the same "
        "registration number in some), each printed by two databases. *Merged* = pairs of one "
        "study's abstract and article inside an automatic cluster (goal 0); recall and "
        "precision over the true duplicates (each report's two printings); one run.",
        "",
        "| records | true pairs | abstract/article pairs merged automatically (studies) "
        "| abstract/article pairs asked | auto precision | auto recall | candidates | seconds |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {m['records']:,} | {m['true_pairs']:,} | {m['report_pairs_merged']} "
        f"({m['studies_merged']}) | {m['report_pairs_asked']} | {m['auto_precision']:.4f} | "
        f"{m['auto_recall']:.3f} | {m['candidates']} | {m['seconds']:.2f} |",
    ]
