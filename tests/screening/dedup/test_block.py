"""Blocking finds duplicates without comparing all pairs."""

from __future__ import annotations

import random

from screening.dedup import DedupRecord, find_duplicates
from screening.dedup.block import candidate_pairs
from screening.dedup.records import features

WORDS = [
    "insulin",
    "glucose",
    "vascular",
    "cardiac",
    "renal",
    "hepatic",
    "neural",
    "lipid",
    "oxidative",
    "inflammatory",
    "receptor",
    "pathway",
    "mice",
    "rats",
    "humans",
    "trial",
    "cohort",
    "outcome",
    "therapy",
    "inhibitor",
    "agonist",
    "endothelial",
    "smooth",
    "muscle",
    "kidney",
    "stroke",
    "memory",
    "obesity",
    "sodium",
    "channel",
]


def _corpus(n: int, seed: int = 3) -> list[DedupRecord]:
    rng = random.Random(seed)
    records = []
    for i in range(n):
        title = " ".join(rng.sample(WORDS, 8)) + f" {rng.randint(1, 10**6)}x"
        family = rng.choice(["Smith", "Chen", "Kim", "Garcia", "Müller", "Rossi"]) + str(i % 50)
        records.append(
            DedupRecord(
                id=f"r{i}",
                title=title,
                authors=[f"{family} A."],
                year=2000 + i % 20,
                pages=f"{i}-{i + 9}",
            )
        )
    return records


def test_blocking_is_far_from_all_pairs() -> None:
    records = _corpus(2000)
    pairs = candidate_pairs([features(i, r) for i, r in enumerate(records)])
    assert len(pairs) < 2000 * 1999 // 2 // 20
    assert all(i < j for i, j in pairs)


def test_blocking_finds_each_kind_of_duplicate() -> None:
    records = _corpus(500)
    records.append(records[10].__class__(**{**records[10].__dict__, "id": "same-title"}))
    records[20].doi = "10.1000/xyz"
    records.append(DedupRecord(id="same-doi", title="Completely other words", doi="10.1000/XYZ"))
    records[30].pmid = "424242"
    records.append(DedupRecord(id="same-pmid", title="Unrelated", pmid="424242"))
    # One word changed near the start: the prefix key misses, the rare-token keys do not.
    changed = records[40].title.split()
    changed[0] = "zebrafish"
    records.append(DedupRecord(id="one-word", title=" ".join(changed)))
    index = {r.id: i for i, r in enumerate(records)}
    pairs = candidate_pairs([features(i, r) for i, r in enumerate(records)])
    for original, copy in [
        ("r10", "same-title"),
        ("r20", "same-doi"),
        ("r30", "same-pmid"),
        ("r40", "one-word"),
    ]:
        i, j = sorted((index[original], index[copy]))
        assert (i, j) in pairs, copy


def test_each_pair_reported_once() -> None:
    records = _corpus(300)
    records.append(DedupRecord(**{**records[5].__dict__, "id": "dup"}))
    result = find_duplicates(records)
    keys = [tuple(sorted((p.a, p.b))) for p in result.pairs]
    assert len(keys) == len(set(keys))
    assert ["dup", "r5"] in result.clusters or ["r5", "dup"] in result.clusters


def test_empty_and_single() -> None:
    assert find_duplicates([]).pairs == []
    assert find_duplicates([DedupRecord(id="x")]).clusters == []
