"""References leaving the app again: RIS and the CSV template, read back by the importers."""

from __future__ import annotations

from collections.abc import Iterable

from .importers import Author, Citation, csvfile, ris
from .models import Record, Reference


def reference_citation(reference: Reference, records: list[Record]) -> Citation:
    """A reference as one citation: its summary fields, and identifiers from its records."""
    first = records[0] if records else None

    def from_records(name: str) -> str:
        return next((getattr(r, name) for r in records if getattr(r, name)), "")

    authors = (
        [Author(family=a["family"], given=a["given"], printed=a["printed"]) for a in first.authors]
        if first is not None
        else []
    )
    return Citation(
        raw="",
        line=0,
        title=reference.title,
        abstract=reference.abstract,
        authors=authors,
        year=reference.year,
        journal=reference.journal,
        journal_abbrev=from_records("journal_abbrev"),
        volume=reference.volume,
        issue=reference.issue,
        pages=reference.pages,
        start_page=from_records("start_page"),
        end_page=from_records("end_page"),
        doi=reference.doi,
        pmid=reference.pmid,
        pmcid=from_records("pmcid"),
        accession=from_records("accession"),
        issn=next((r.issn for r in records if r.issn), []),
        keywords=list(reference.keywords),
        language=from_records("language"),
        url=from_records("url"),
        source_database=from_records("source_database"),
    )


def references_as_citations(references: Iterable[Reference]) -> list[Citation]:
    """Citations for references fetched with `prefetch_related("records")`."""
    return [reference_citation(r, list(r.records.all())) for r in references]


def references_ris(references: Iterable[Reference]) -> str:
    return ris.dump(references_as_citations(references))


def references_csv(references: Iterable[Reference]) -> str:
    return csvfile.dump(references_as_citations(references))
