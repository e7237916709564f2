"""The duplicate sets a person reviews: each reference's fields side by side, with its sources."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Prefetch, Q

from ..dedup import carry
from ..models import DuplicateCandidate, DuplicateStatus, Project, Record, Reference
from .held_decisions import decisions_of, held_decisions_by_reference

COMPARED_FIELDS = [
    ("title", "Title"),
    ("authors", "Authors"),
    ("year", "Year"),
    ("journal", "Journal"),
    ("volume", "Volume"),
    ("issue", "Issue"),
    ("pages", "Pages"),
    ("doi", "DOI"),
    ("pmid", "PMID"),
]


DUPLICATES_PAGE = 20


def duplicate_set_ids(project: Project, *, status: str, text: str = "") -> Sequence[int]:
    """The ids of a tab's duplicate sets, strongest first, for a Paginator: every set, or those
    holding a reference whose title, authors or DOI contain each word (a number also finds the
    reference with that id)."""
    sets = DuplicateCandidate.objects.filter(project=project, status=status).order_by(
        "-score", "id"
    )
    words = text.split()
    if not words:
        return sets.values_list("pk", flat=True)
    found = Reference.objects.filter(project=project)
    for word in words:
        number = word.removeprefix("#")
        matches = Q(title__icontains=word) | Q(authors__icontains=word) | Q(doi__icontains=word)
        # SQLite keeps JSON with non-ASCII letters escaped ("M\u00fcller"): look for that too.
        escaped = json.dumps(word)[1:-1]
        if escaped != word:
            matches |= Q(authors__icontains=escaped)
        if number.isdigit():
            matches |= Q(pk=int(number))
        found = found.filter(matches)
    wanted = set(found.values_list("pk", flat=True))
    # A set's references are a JSON list, which no lookup searches on both databases alike:
    # read the tab's lists (ids only) and keep the sets that hold a reference found. An EXISTS
    # over jsonb_array_elements was no faster on PostgreSQL (benchmarks/RESULTS.md) and searches
    # the references twice: for the count and the page.
    return [
        pk for pk, members in sets.values_list("pk", "references") if not wanted.isdisjoint(members)
    ]


def duplicate_sets(project: Project, ids: Sequence[int]) -> list[dict[str, Any]]:
    """These duplicate sets (one page of them) for the review page, in this order: each
    reference's fields side by side, differences marked, each record named by its source."""
    order = {pk: position for position, pk in enumerate(ids)}
    candidates = sorted(
        DuplicateCandidate.objects.filter(pk__in=list(ids), project=project).select_related(
            "decided_by"
        ),
        key=lambda c: order[c.pk],
    )
    members_of = {pk for c in candidates for pk in c.references}
    sources = Record.objects.select_related("search").only(
        "reference_id", "method", "search__database", "search__filename"
    )
    references = {
        r.pk: r
        for r in Reference.objects.filter(pk__in=members_of, project=project).prefetch_related(
            Prefetch("records", queryset=sources.order_by("pk"))
        )
    }
    # Decisions already taken on the references: where they differ, the merge must say whose
    # stand. Only waiting sets are merged, so only theirs are read.
    held = held_decisions_by_reference(
        sorted(
            {pk for c in candidates if c.status == DuplicateStatus.PENDING for pk in c.references}
        )
    )
    sets = []
    for candidate in candidates:
        members = [references[pk] for pk in candidate.references if pk in references]
        differences = carry.clashes(decisions_of(held, candidate.references))
        rows = []
        for name, label in COMPARED_FIELDS:
            values = [_shown(getattr(r, name)) for r in members]
            rows.append({"label": label, "values": values, "differs": len(set(values)) > 1})
        sets.append(
            {
                "candidate": candidate,
                "references": members,
                "rows": rows,
                "columns": [(r, _sources_of(r, members, candidate)) for r in members],
                "differences": [str(clash) for clash in differences],
                "survivors": carry.survivors(differences, candidate.references),
            }
        )
    return sets


def _sources_of(
    reference: Reference, members: list[Reference], candidate: DuplicateCandidate
) -> list[str]:
    """The sources of the records a reference brought to its set: in a merged set, the
    survivor holds them all, and the merge's moves say which came from which reference."""
    came_from = {move["record"]: move["from"] for move in candidate.moves if "record" in move}
    records = [
        record
        for member in members
        for record in member.records.all()
        if came_from.get(record.pk, record.reference_id) == reference.pk
    ]
    if not records and reference.merged_into_id is not None:
        return [f"records now in reference {reference.merged_into_id}"]
    return record_sources(records)


def record_sources(records: Iterable[Record]) -> list[str]:
    """Where a reference's records came from, in import order: "PubMed · pubmed.nbib" (the
    database, else "unknown source", and the file), or the other method that found one."""
    counts: dict[str, int] = {}
    for record in records:
        if record.search is None:
            label = record.get_method_display() or "unknown source"
        else:
            database = record.search.database.strip() or "unknown source"
            filename = record.search.filename.strip()
            label = f"{database} · {filename}" if filename else database
        counts[label] = counts.get(label, 0) + 1
    return [f"{label} ({n} records)" if n > 1 else label for label, n in counts.items()]


def _shown(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)
