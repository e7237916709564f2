"""Duplicate sets made directly in the database, for the duplicates page's tests: each set two
references, each with one record from a search (its database and file named) or found by another
method."""

from __future__ import annotations

from screening.models import DuplicateCandidate, Project, Record, Reference, Search
from screening.services.merges import duplicate_decide


def search(project: Project, database: str, filename: str) -> Search:
    return Search.objects.create(
        project=project,
        database=database,
        filename=filename,
        file=f"searches/{filename}",
        sha256=filename,
        format="ris",
    )


def reference(
    project: Project,
    title: str,
    *,
    source: Search | None = None,
    method: str = "",
    authors: list[str] | None = None,
    doi: str = "",
) -> Reference:
    """A reference and its one record, found in `source` or by `method`."""
    found = Reference.objects.create(project=project, title=title, authors=authors or [], doi=doi)
    Record.objects.create(
        project=project,
        search=source,
        method="" if source else (method or "citation searching"),
        reference=found,
        title=title,
        authors=authors or [],
        doi=doi,
    )
    return found


def pairs(
    project: Project, count: int, *, status: str = "pending", title: str = "Badges study"
) -> list[DuplicateCandidate]:
    """`count` sets of two references (from PubMed and Embase), scores falling with their number,
    left waiting, merged or marked not duplicates through the services."""
    from screening.models import Membership

    pubmed = Search.objects.filter(project=project, database="PubMed").first() or search(
        project, "PubMed", "pubmed.nbib"
    )
    embase = Search.objects.filter(project=project, database="Embase").first() or search(
        project, "Embase", "embase.ris"
    )
    lead = Membership.objects.filter(project=project, role="lead").first().user
    made = []
    for n in range(count):
        first = reference(project, f"{title} {n}", source=pubmed)
        second = reference(project, f"{title} {n}.", source=embase)
        candidate = DuplicateCandidate.objects.create(
            project=project, references=[first.pk, second.pk], score=0.99 - n / 1000
        )
        if status != "pending":
            action = "merge" if status == "merged" else "reject"
            duplicate_decide(candidate=candidate, action=action, actor=lead)
        made.append(candidate)
    return made
