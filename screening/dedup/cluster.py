"""Clustering that refuses chains: complete linkage over automatic pairs, strongest first."""

from __future__ import annotations

from collections.abc import Iterable


def complete_linkage(
    ids: Iterable[str], links: Iterable[tuple[float, str, str]]
) -> tuple[list[list[str]], list[tuple[str, str]]]:
    """Clusters (2+ ids) merged along links strongest first, each merge fully linked; and refusals."""
    ordered = sorted(links, key=lambda link: (-link[0], link[1], link[2]))
    linked: set[frozenset[str]] = {frozenset((a, b)) for _, a, b in ordered}
    cluster_of: dict[str, list[str]] = {i: [i] for i in ids}
    refused: list[tuple[str, str]] = []
    for _, a, b in ordered:
        left, right = cluster_of[a], cluster_of[b]
        if left is right:
            continue
        if all(frozenset((x, y)) in linked for x in left for y in right):
            left.extend(right)
            for member in right:
                cluster_of[member] = left
        else:
            refused.append((a, b))
    seen: set[int] = set()
    clusters = []
    for members in cluster_of.values():
        if len(members) > 1 and id(members) not in seen:
            seen.add(id(members))
            clusters.append(sorted(members))
    return sorted(clusters), refused


def union(ids: Iterable[str], links: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Connected components of the links (for pairs a person has confirmed), two or more ids each."""
    parent = {i: i for i in ids}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for i in parent:
        groups.setdefault(root(i), []).append(i)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)
