"""The 12 hand-made edge cases of bib-dedupe (../shared/data/dedup/bibdedupe_special_cases)."""

from __future__ import annotations

from itertools import combinations

import pytest

from benchmarks.dedup_sets import load
from screening.dedup import AUTO, DedupRecord, find_duplicates
from tests.shared_data import requires_shared_data, shared_file

pytestmark = [requires_shared_data, pytest.mark.shared_data]


def _load() -> tuple[list[DedupRecord], dict[str, str]]:
    path = shared_file("dedup", "bibdedupe_special_cases", "benchmark.csv")
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return load(path)


def _all_pairs(records: list[DedupRecord], group: dict[str, str]) -> list[tuple[str, str, bool]]:
    return [(a.id, b.id, group[a.id] == group[b.id]) for a, b in combinations(records, 2)]


def test_special_cases_expectations() -> None:
    records, group = _load()
    result = find_duplicates(records)
    merged = {frozenset(p) for c in result.clusters for p in combinations(c, 2)}
    for a, b, same in _all_pairs(records, group):
        if same:
            # 1-2 (AMCIS vs its acronym), 5-6 (one abstract missing), 7-11 (one DOI missing)
            assert frozenset((a, b)) in merged, (a, b)
        else:
            # 3-4 and 9-10 (same title, other year and DOI), 12 vs 7/11 (conference a year earlier)
            assert frozenset((a, b)) not in merged, (a, b)


def test_lookalikes_are_never_automatic() -> None:
    records, group = _load()
    result = find_duplicates(records)
    for pair in result.pairs:
        if group[pair.a] != group[pair.b]:
            assert pair.outcome != AUTO, pair
