"""Schemas more than one router answers with: an error, a queued job, a reference."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from ninja import Schema

from ..models import Record, Reference


class Error(Schema):
    detail: str


class JobQueued(Schema):
    job: int


class RecordSource(Schema):
    database: str
    accession: str


class ReferenceOut(Schema):
    id: int
    title: str
    authors: list[str]
    year: int | None
    journal: str
    doi: str
    pmid: str
    abstract: str
    stage: str
    status: str
    records: list[RecordSource]


def reference_out(reference: Reference) -> dict[str, Any]:
    """A reference as `selectors.blinding.as_seen` annotated it for the caller."""
    return {
        "id": reference.pk,
        "title": reference.title,
        "authors": reference.authors,
        "year": reference.year,
        "journal": reference.journal,
        "doi": reference.doi,
        "pmid": reference.pmid,
        "abstract": reference.abstract,
        "stage": reference.shown_stage,
        "status": reference.shown_status,
        "records": [
            {
                "database": record.search.database if record.search_id else record.method,
                "accession": record.accession or record.pmid,
            }
            for record in reference.records.all()
        ],
    }


def record_sources() -> Prefetch:
    """A reference's records, with only what ReferenceOut shows of them: one query."""
    return Prefetch(
        "records",
        queryset=Record.objects.select_related("search")
        .only("reference_id", "method", "accession", "pmid", "search", "search__database")
        .order_by("id"),
    )
