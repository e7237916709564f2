"""Hostile exports stored (issue 19): a NUL past the first 4 KiB reaches no database column, an
import that fails late in its file stores nothing, and a refused file is a 400 with its line."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from screening import importers
from screening.errors import InvalidInput
from screening.importers import ris
from screening.models import Job, Record, Reference, Search
from screening.services import import_batches
from screening.services.imports import SearchDetails, search_import, search_import_enqueue

pytestmark = pytest.mark.django_db

RIS = "TY  - JOUR\nTI  - Title {n}\nAU  - Smith, J\nAB  - An abstract\nER  - \n\n"
NUL_RECORD = "TY  - JOUR\nTI  - Bad\x00 title\nAU  - Do\x00e, J\nAB  - x\x00y\nER  - \n"


def _ris_with_a_late_nul() -> bytes:
    return ("".join(RIS.format(n=n) for n in range(200)) + NUL_RECORD).encode()


def test_a_ris_file_with_a_nul_after_4_kib_imports_with_the_nul_removed(project, lead) -> None:
    search = search_import(
        project=project,
        data=_ris_with_a_late_nul(),
        filename="nul.ris",
        details=SearchDetails(database="Embase"),
        user=lead,
    )
    assert search.record_count == 201
    record = Record.objects.get(title="Bad title")
    assert record.abstract == "xy"
    assert "\x00" not in record.raw
    assert Reference.objects.get(pk=record.reference_id).authors == ["Doe, J"]
    assert any("NUL" in w and "field title, abstract, authors" in w for w in search.warnings), (
        search.warnings
    )


def test_a_queued_import_with_a_nul_after_4_kib_is_done_not_failed(
    project, lead, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = search_import_enqueue(
            project=project,
            data=_ris_with_a_late_nul(),
            filename="nul.ris",
            details=SearchDetails(database="Embase"),
            user=lead,
        )
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.result["records"] == 201


def test_a_pubmed_file_nested_1200_levels_is_a_400_with_its_line(api, lead) -> None:
    data = (
        b"<?xml version='1.0'?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1"
        b"</PMID><Article><ArticleTitle>T</ArticleTitle>"
        + b"<X>" * 1200
        + b"</X>" * 1200
        + b"</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    )
    response = api(as_=lead).upload(
        "/projects/microcredentials/searches",
        {"file": SimpleUploadedFile("deep.xml", data), "database": "PubMed"},
    )
    assert response.status_code == 400
    assert response.json()["line"] == 2
    assert "levels deep" in response.json()["detail"]
    assert Search.objects.count() == Record.objects.count() == 0


def test_an_import_that_fails_late_in_its_file_stores_nothing(project, lead, monkeypatch) -> None:
    """Batches stored before the failure are taken back with the transaction, and the kept file
    is deleted."""
    monkeypatch.setattr(importers, "PIECE_CHARS", 2_000)
    real_parse = ris.parse

    def fails_on_the_last_piece(text: str) -> tuple:
        if "LATE FAILURE" in text:
            line = text[: text.index("LATE FAILURE")].count("\n") + 1
            raise importers.ExportFormatError("damaged record", line=line)
        return real_parse(text)

    monkeypatch.setattr(ris, "parse", fails_on_the_last_piece)
    data = "".join(RIS.format(n=n) for n in range(300)) + "TY  - JOUR\nTI  - LATE FAILURE\n"
    stored_batches = []
    real_store = import_batches._store_batch

    def counting_store(search: Search, references: list, records: list) -> None:
        real_store(search, references, records)
        stored_batches.append(len(records))

    monkeypatch.setattr("screening.services.import_batches._store_batch", counting_store)
    with pytest.raises(InvalidInput) as refused:
        search_import(
            project=project,
            data=data.encode(),
            filename="late.ris",
            details=SearchDetails(database="Embase"),
            user=lead,
        )
    assert len(stored_batches) > 1  # the failure came after batches had been written
    assert refused.value.extra["line"] == 300 * 6 + 2
    assert Search.objects.count() == Record.objects.count() == Reference.objects.count() == 0
    assert not default_storage.exists(f"searches/{project.pk}") or not any(
        default_storage.listdir(f"searches/{project.pk}")[1]
    )
    assert not Job.objects.exists()
