"""Clustering refuses chains: A~B and B~C do not put A with C unless A~C."""

from __future__ import annotations

import dataclasses

from screening.dedup import AUTO, CANDIDATE, DedupRecord, complete_linkage, find_duplicates, union


def test_chain_is_refused() -> None:
    clusters, refused = complete_linkage("ABC", [(0.9, "A", "B"), (0.8, "B", "C")])
    assert clusters == [["A", "B"]]
    assert refused == [("B", "C")]


def test_strongest_link_wins_the_middle_record() -> None:
    clusters, refused = complete_linkage("ABC", [(0.8, "A", "B"), (0.9, "B", "C")])
    assert clusters == [["B", "C"]]
    assert refused == [("A", "B")]


def test_triangle_merges() -> None:
    links = [(0.9, "A", "B"), (0.8, "B", "C"), (0.7, "A", "C")]
    clusters, refused = complete_linkage("ABCD", links)
    assert clusters == [["A", "B", "C"]]
    assert refused == []


def test_cluster_joins_only_when_linked_to_every_member() -> None:
    # D is linked to A and B but not to C: it stays out of {A, B, C}.
    links = [(0.99, "A", "B"), (0.98, "B", "C"), (0.97, "A", "C"), (0.9, "D", "A"), (0.9, "D", "B")]
    clusters, refused = complete_linkage("ABCD", links)
    assert clusters == [["A", "B", "C"]]
    assert set(refused) == {("D", "A"), ("D", "B")}


def test_two_clusters_merge_only_when_fully_linked() -> None:
    links = [(0.9, "A", "B"), (0.9, "C", "D"), (0.8, "A", "C"), (0.8, "A", "D"), (0.8, "B", "C")]
    clusters, _ = complete_linkage("ABCD", links)
    assert clusters == [["A", "B"], ["C", "D"]]
    clusters, _ = complete_linkage("ABCD", [*links, (0.8, "B", "D")])
    assert clusters == [["A", "B", "C", "D"]]


def test_union_joins_confirmed_links() -> None:
    assert union("ABCDE", [("A", "B"), ("B", "C"), ("D", "E")]) == [["A", "B", "C"], ["D", "E"]]


def test_find_duplicates_refuses_a_chain_through_a_record_without_doi() -> None:
    base = DedupRecord(
        id="",
        title="Liraglutide suppresses atherosclerosis in apolipoprotein E-deficient mice",
        authors=["Koshibu M.", "Mori Y.", "Kushima H."],
        year=2018,
        journal="Diabetes",
        volume="67",
        pages="A77",
    )
    # A and C carry different DOIs (so A~C is not automatic); B has none and matches both.
    records = [
        dataclasses.replace(base, id="A", doi="10.2337/db18-289-OR"),
        dataclasses.replace(base, id="B"),
        dataclasses.replace(base, id="C", doi="10.2337/db18-290-OR"),
    ]
    result = find_duplicates(records)
    assert len(result.clusters) == 1
    assert not {"A", "C"} <= set(result.clusters[0])
    outcomes = {(p.a, p.b): p.outcome for p in result.pairs}
    assert outcomes[("A", "C")] == CANDIDATE
    assert sorted(outcomes.values()).count(AUTO) == 1
    demoted = [p for p in result.pairs if "not linked to every member" in p.summary]
    assert len(demoted) == 1
    assert demoted[0].outcome == CANDIDATE
    # The person is asked once per pair of clusters, not once per record pair.
    assert len(result.to_review()) == 1
