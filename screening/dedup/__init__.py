"""Pure deduplication core: normalise, block, compare, cluster. No Django, no database.

`find_duplicates(records)` returns every pair worth showing (auto or candidate) with a score and
readable reasons, and the clusters merged automatically.

* Blocking (block.py): same DOI, same PMID, first/last 24 characters of the folded title, pairs
  of the rarest title words, first author + year (and year + 1). Large blocks are pruned to
  title-similar pairs with `rapidfuzz.process.cdist`; each pair is compared once.
* Comparison (compare.py): automatic only with strong evidence (same DOI/PMID and a similar
  title; or title >= 0.95, authors agreeing and a corroborating journal/volume/pages/abstract)
  and no contradiction: different DOIs or PMIDs, years more than one apart, different first
  pages or volumes, different part/phase markers or numbers in the titles, erratum/comment/
  protocol against the article, a generic title without agreeing authors, different trial
  registrations, and the signs of another report of the study (study.py): a meeting abstract
  or preprint against the article, an author list too short to be a cut (1 vs 3) or of another
  length a year apart. One contradiction leaves a candidate for a person; two make the pair
  distinct.
* Clustering (cluster.py): complete linkage over automatic pairs, strongest first. Automatic
  pairs it refuses (they would chain A~B~C without A~C) are demoted to candidates;
  `DedupResult.to_review()` asks once per pair of clusters.
"""

from __future__ import annotations

from collections.abc import Iterable

from .block import candidate_pairs
from .cluster import complete_linkage, union
from .compare import compare
from .records import (
    AUTO,
    CANDIDATE,
    DISTINCT,
    DedupRecord,
    DedupResult,
    PairDecision,
    features,
)

__all__ = [
    "AUTO",
    "CANDIDATE",
    "DISTINCT",
    "DedupRecord",
    "DedupResult",
    "PairDecision",
    "blocked_pairs",
    "compare_pairs",
    "complete_linkage",
    "decide",
    "find_duplicates",
    "union",
]


def find_duplicates(records: list[DedupRecord]) -> DedupResult:
    """Compare the blocked pairs of `records`; return auto and candidate pairs and auto clusters."""
    decisions = compare_pairs(records, blocked_pairs(records))
    return decide([r.id for r in records], decisions)


def blocked_pairs(records: list[DedupRecord]) -> list[tuple[str, str]]:
    """The pairs worth comparing (by id), found by blocking: never all pairs."""
    prepared = [features(i, record) for i, record in enumerate(records)]
    return [(records[i].id, records[j].id) for i, j in sorted(candidate_pairs(prepared))]


def compare_pairs(
    records: list[DedupRecord], pairs: Iterable[tuple[str, str]]
) -> list[PairDecision]:
    """Decide each pair; return those not distinct. `records` need hold only the pairs' records,
    so that chunks of pairs can be compared apart (by several workers) and joined after."""
    prepared = {record.id: features(i, record) for i, record in enumerate(records)}
    decisions = []
    for a, b in pairs:
        decision = compare(prepared[a], prepared[b])
        if decision.outcome != DISTINCT:
            decisions.append(decision)
    return decisions


def decide(ids: Iterable[str], decisions: list[PairDecision]) -> DedupResult:
    """Cluster the automatic pairs without chaining; demote the links clustering refused."""
    clusters, refused = complete_linkage(
        ids, ((d.score, d.a, d.b) for d in decisions if d.outcome == AUTO)
    )
    cluster_of = {member: n for n, cluster in enumerate(clusters) for member in cluster}
    # A refused link whose records met in one cluster through other links stays automatic.
    refused_set = {
        (a, b) for a, b in refused if a not in cluster_of or cluster_of.get(b) != cluster_of[a]
    }
    for decision in decisions:
        if decision.outcome == AUTO and (decision.a, decision.b) in refused_set:
            decision.outcome = CANDIDATE
            decision.reasons.append("but not linked to every member of the other's cluster")
    return DedupResult(pairs=decisions, clusters=clusters)
