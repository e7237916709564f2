"""Bulk inserts (screening.services.bulk): every value stored as given, on PostgreSQL's binary COPY too."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from screening.models import Record, Reference, Search
from screening.services.bulk import insert_rows
from screening.services.imports import SearchDetails, search_import

pytestmark = pytest.mark.django_db

AUTHORS = [
    {"family": "Ødegård", "given": "Åse", "printed": "Ødegård, Åse"},
    {"family": "O'Neil", "given": 'J "Jo"', "printed": 'O\'Neil, J "Jo"'},
]


def test_insert_rows_stores_each_value_with_the_shared_ones_and_the_defaults(project) -> None:
    search = Search.objects.create(project=project, database="PubMed", filename="a.nbib")
    raw = "TI  - Tabs\tand\nnewlines \\ backslashes"
    [reference_id] = insert_rows(
        Reference, [{"title": "Ünïcode title", "year": 2021}], common={"project_id": project.pk}
    )
    [record_id] = insert_rows(
        Record,
        [
            {
                "reference_id": reference_id,
                "position": 0,
                "line": 1,
                "raw": raw,
                "authors": AUTHORS,
                "keywords": [],
                "issn": ["1234-5678"],
                "year": None,
            }
        ],
        common={"project_id": project.pk, "search_id": search.pk},
    )
    record = Record.objects.get(pk=record_id)
    assert (record.raw, record.authors, record.keywords, record.issn) == (
        raw,
        AUTHORS,
        [],
        ["1234-5678"],
    )
    assert (record.year, record.isbn, record.doi, record.search_id) == (None, [], "", search.pk)
    assert record.created_at is not None  # auto_now_add, as the ORM fills it
    reference = Reference.objects.get(pk=reference_id)
    assert (reference.title, reference.year, reference.authors) == ("Ünïcode title", 2021, [])


def test_an_import_leaves_the_foreign_keys_deferred_as_django_declares_them(project, lead) -> None:
    """During an import they are checked per statement; after it, at the commit again."""
    if connection.vendor != "postgresql":
        pytest.skip("deferred foreign keys are PostgreSQL's")
    with transaction.atomic():
        search_import(
            project=project,
            data=b"PMID- 1\nTI  - One\n\nPMID- 2\nTI  - Two\n",
            filename="two.nbib",
            details=SearchDetails(database="PubMed"),
            user=lead,
        )
        record = Record.objects.filter(project=project).first()
        # Deferred: a dangling key is accepted for now ...
        Record.objects.filter(pk=record.pk).update(reference_id=record.reference_id + 10**9)
        # ... and refused when the constraints are checked, as at the commit.
        with pytest.raises(IntegrityError), transaction.atomic():
            connection.check_constraints()
        transaction.set_rollback(True)
