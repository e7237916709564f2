"""Blocking: the candidate pairs worth comparing, never all pairs."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

import numpy as np
from rapidfuzz import fuzz, process

from .records import Features

TITLE_PREFIX = 24
# Above this size a block is pruned to title-similar pairs with cdist instead of taken whole.
SMALL_BLOCK = 12
BLOCK_TITLE_CUTOFF = 70
# A key shared by this many records ("Anonymous" in one year) says nothing; the other keys of a
# true duplicate still meet, and skipping it keeps the cost near-linear.
MAX_BLOCK = 2000


def _keys(record: Features, rarity: Counter[str]) -> Iterable[tuple[str, object]]:
    if record.doi:
        yield ("doi", record.doi)
    if record.pmid:
        yield ("pmid", record.pmid)
    for title in record.variants:
        # Each part of "Original title; [English title]" meets its single-language copy.
        compact = title.replace(" ", "")
        yield ("prefix", compact[:TITLE_PREFIX])
        yield ("suffix", compact[-TITLE_PREFIX:])
    if record.title:
        rare = sorted(record.tokens, key=lambda t: (rarity[t], t))[:4]
        # Pairs of the rarest tokens: one misspelt or translated word still leaves a shared key.
        for i in range(len(rare)):
            for j in range(i + 1, len(rare)):
                yield ("rare", tuple(sorted((rare[i], rare[j]))))
        if len(rare) == 1:
            yield ("rare", (rare[0],))
    if record.authors and record.year:
        family = record.authors[0][0][0]
        yield ("author-year", (family, record.year))
        yield ("author-year", (family, record.year + 1))


def candidate_pairs(records: list[Features]) -> set[tuple[int, int]]:
    """Index pairs (i < j) sharing a blocking key; large title blocks pruned by title similarity."""
    rarity: Counter[str] = Counter()
    for record in records:
        rarity.update(record.tokens)
    blocks: dict[tuple[str, object], list[int]] = defaultdict(list)
    for record in records:
        for key in set(_keys(record, rarity)):
            blocks[key].append(record.index)

    pairs: set[tuple[int, int]] = set()
    for (kind, _), members in blocks.items():
        if len(members) < 2 or (len(members) > MAX_BLOCK and kind not in ("doi", "pmid")):
            continue
        if len(members) <= SMALL_BLOCK or kind in ("doi", "pmid"):
            pairs.update(
                (members[i], members[j])
                for i in range(len(members))
                for j in range(i + 1, len(members))
            )
            continue
        titles = [records[m].title for m in members]
        scores = process.cdist(
            titles, titles, scorer=fuzz.ratio, score_cutoff=BLOCK_TITLE_CUTOFF, workers=1
        )
        rows, cols = np.nonzero(np.triu(scores, k=1))
        pairs.update(
            (min(members[r], members[c]), max(members[r], members[c]))
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
        )
    return {(i, j) if i < j else (j, i) for i, j in pairs if i != j}
