"""Every real export in ../shared/data/exports imports through the service the API uses, with the
record count the corpus README gives."""

from __future__ import annotations

import re

import pytest

from screening.models import Record, Reference, Search
from screening.services.imports import SearchDetails, search_import
from tests.shared_data import SHARED_DATA, requires_shared_data

README = SHARED_DATA / "exports" / "README.md"
# Where the README's count (made by counting one marker line) differs from the records in the file.
COUNTED_OTHERWISE = {
    # The README counts `PMID-` lines; the file also holds a `PMC -` entry and a `PMCR-` entry,
    # each separated by blank lines, which JabRef's own test counts as records too (7).
    "pubmed_medline/jabref_MedlinePlainImporterTestMultipleEntries.txt": 7,
}
# The records column may explain its count after the number ("7 (five `PMID-` blocks, ...)").
ROW = re.compile(r"^\| `(?P<path>[^`]+)` \|[^|]*\|[^|]*\| (?P<records>\d+)\b[^|]*\|", re.MULTILINE)


def corpus_table() -> list[tuple[str, int]]:
    if not README.exists():
        return []
    return [
        (m["path"], COUNTED_OTHERWISE.get(m["path"], int(m["records"])))
        for m in ROW.finditer(README.read_text())
    ]


def test_the_corpus_table_is_read_whole() -> None:
    if not README.exists():
        pytest.skip(f"{README} is absent (a clone outside the workplace)")
    table = corpus_table()
    stated = re.search(r"(\d+) files, [\d.]+ MB in all", README.read_text())
    assert stated is not None
    assert len(table) == int(stated.group(1))


@requires_shared_data
@pytest.mark.django_db
@pytest.mark.parametrize(("path", "records"), corpus_table() or [("absent", 0)])
def test_every_real_export_imports_with_its_record_count(project, lead, path, records) -> None:
    data = (SHARED_DATA / "exports" / path).read_bytes()
    search = search_import(
        project=project,
        data=data,
        filename=path.rsplit("/", 1)[-1],
        details=SearchDetails(database=path.split("/", 1)[0]),
        user=lead,
    )
    assert search.record_count == records
    assert Record.objects.filter(search=search).count() == records
    assert Reference.objects.filter(project=project).count() == records
    stored = Record.objects.filter(search=search)
    # Nothing lost: every record keeps its raw entry, and the file itself is kept byte for byte.
    assert all(r.raw.strip() for r in stored)
    with Search.objects.get(pk=search.pk).file.open("rb") as handle:
        assert handle.read() == data
