"""A project whose records were imported twice, and the merges an undisturbed dedup run makes:
what the tests that kill a worker mid-run compare the re-run's merges with."""

from __future__ import annotations

from benchmarks.corpus import medline_bytes
from screening import dedup
from screening.models import Project, Reference
from screening.services.dedup import dedup_records
from screening.services.imports import SearchDetails, search_import


def imported_twice(project: Project, user: object, records: int) -> set[frozenset[int]]:
    """Import the same `records` MEDLINE records twice (as two new searches: `records` certain
    pairs) and give the sets of reference ids an undisturbed run merges."""
    data = medline_bytes(records)
    for name in ("first.nbib", "second.nbib"):
        search_import(
            project=project, data=data, filename=name, user=user,
            details=SearchDetails(database="PubMed", new_search=True),
        )  # fmt: skip
    references = list(Reference.objects.filter(project=project).order_by("pk"))
    expected = dedup.find_duplicates(dedup_records(references))
    return {frozenset(int(m) for m in c) for c in expected.clusters if len(c) > 1}
