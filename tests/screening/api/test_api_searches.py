"""Importing exports through the API: provenance, clear refusals that store nothing, round trips."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from screening.models import AuditEvent, Record, Reference, Search
from tests.screening.exports import (
    MEDLINE_TWO_RECORDS,
    RIS_TRUNCATED,
    XML_CUT_OFF,
    XML_DAMAGED,
)

PATH = "/projects/microcredentials/searches"


def _import(client, data: bytes, name: str = "export.txt", **form: str) -> object:
    body = {"file": SimpleUploadedFile(name, data), "database": "PubMed", **form}
    return client.upload(PATH, body)


@pytest.mark.django_db
def test_an_import_keeps_database_date_query_and_file(api, lead) -> None:
    response = _import(
        api(as_=lead),
        MEDLINE_TWO_RECORDS,
        "pubmed.nbib",
        searched_on="2026-10-01",
        query="microcredential*[tiab]",
        platform="PubMed.gov",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["database"] == "PubMed"
    assert body["records"] == 2
    assert body["format"] == "medline"
    search = Search.objects.get(pk=body["id"])
    assert str(search.searched_on) == "2026-10-01"
    assert search.query == "microcredential*[tiab]"
    assert search.platform == "PubMed.gov"
    with search.file.open("rb") as handle:
        assert handle.read() == MEDLINE_TWO_RECORDS
    record = Record.objects.get(search=search, pmid="31000001")
    assert record.doi == "10.1000/badges.2020.1"
    assert (record.start_page, record.end_page) == ("221", "228")
    assert record.raw.startswith("PMID- 31000001")
    assert AuditEvent.objects.filter(verb="search.import", actor=lead).exists()


@pytest.mark.django_db
def test_members_list_searches_with_their_record_counts(api, lead, reviewer_a) -> None:
    _import(api(as_=lead), MEDLINE_TWO_RECORDS, database="PubMed")
    body = api(as_=reviewer_a).get(PATH).json()
    assert body["count"] == 1
    assert body["items"][0]["records"] == 2
    assert body["items"][0]["database"] == "PubMed"


@pytest.mark.django_db
def test_the_same_file_twice_is_409_unless_it_is_a_new_search(api, lead) -> None:
    client = api(as_=lead)
    assert _import(client, MEDLINE_TWO_RECORDS).status_code == 201
    again = _import(client, MEDLINE_TWO_RECORDS)
    assert again.status_code == 409
    assert "imported into this project already" in again.json()["detail"]
    assert Record.objects.count() == 2
    assert _import(client, MEDLINE_TWO_RECORDS, new_search="true").status_code == 201
    assert Record.objects.count() == 4


BAD_FILES = [
    pytest.param(XML_DAMAGED, "damaged.xml", 6, id="XML damaged inside"),
    pytest.param(b"", "empty.ris", 1, id="an empty file"),
    pytest.param(b"   \n\n  \n", "blank.txt", 1, id="a file of blank lines"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "image.ris", 1, id="a binary file"),
    pytest.param(b"Dear colleague,\nplease find attached.\n", "letter.txt", 1, id="no format"),
    pytest.param(
        b'<?xml version="1.0"?>\n<PubmedArticleSet>\n<PubmedArticle>\n<MedlineCitation>\n'
        b"<ArticleTitle>Unclosed</Article>\n",
        "broken.xml",
        5,
        id="XML that is not well formed",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "name", "line"), BAD_FILES)
def test_a_bad_file_is_400_naming_file_and_line_and_stores_nothing(
    api, lead, data, name, line
) -> None:
    response = _import(api(as_=lead), data, name)
    assert response.status_code == 400
    body = response.json()
    assert name in body["detail"]
    assert body["detail"].count(name) == 1, body["detail"]  # named once, not "x.ris: x.ris is …"
    assert body["line"] == line
    assert Search.objects.count() == Record.objects.count() == Reference.objects.count() == 0


@pytest.mark.django_db
def test_a_ris_file_cut_off_at_the_end_imports_every_record_and_names_the_cut_one(
    api, lead
) -> None:
    response = _import(api(as_=lead), RIS_TRUNCATED, "cut.ris")
    assert response.status_code == 201
    body = response.json()
    assert body["records"] == 2
    assert any(w.startswith("line 7, field ER") for w in body["warnings"]), body["warnings"]
    titles = set(Record.objects.values_list("title", flat=True))
    assert titles == {"A complete record", "A record cut off by a broken download"}


@pytest.mark.django_db
def test_a_file_over_the_upload_limit_is_413(api, lead, settings) -> None:
    settings.UPLOAD_MAX_BYTES = 100
    response = _import(api(as_=lead), MEDLINE_TWO_RECORDS)
    assert response.status_code == 413
    assert Search.objects.count() == 0


@pytest.mark.django_db
def test_an_import_without_a_database_name_is_400(api, lead) -> None:
    response = api(as_=lead).upload(
        PATH, {"file": SimpleUploadedFile("p.nbib", MEDLINE_TWO_RECORDS), "database": " "}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "database"


@pytest.mark.django_db
def test_a_forced_format_that_does_not_fit_is_400(api, lead) -> None:
    response = _import(api(as_=lead), MEDLINE_TWO_RECORDS, format="bibtex")
    assert response.status_code == 400
    assert Search.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["reviewer_a", "outsider"])
def test_reviewers_and_outsiders_cannot_import(api, request, project, persona) -> None:
    response = _import(api(as_=request.getfixturevalue(persona)), MEDLINE_TWO_RECORDS)
    assert response.status_code == (403 if persona == "reviewer_a" else 404)
    assert Search.objects.count() == 0


@pytest.mark.django_db
def test_a_record_found_by_citation_searching_enters_as_its_own_reference(api, lead) -> None:
    response = api(as_=lead).post(
        "/projects/microcredentials/records",
        {
            "title": "Badges in practice",
            "authors": ["Okafor, Adaeze", "Lindqvist M"],
            "year": 2022,
            "journal": "Nurse Education Today",
            "doi": "https://doi.org/10.1000/XYZ.1",
            "method": "citation searching",
        },
    )
    assert response.status_code == 201
    body = response.json()
    record = Record.objects.get(pk=body["id"])
    assert record.reference_id == body["reference"]
    assert record.search is None
    assert record.method == "citation searching"
    assert record.doi == "10.1000/xyz.1"
    assert [a["family"] for a in record.authors] == ["Okafor", "Lindqvist"]
    assert Reference.objects.get(pk=body["reference"]).source == "other"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x", "method": "telepathy"}, "method"),
        ({"title": " ", "method": "websites"}, "title"),
        ({"title": "x", "method": "websites", "year": 20222}, "year"),
    ],
)
def test_a_bad_other_method_record_is_400(api, lead, body, field) -> None:
    response = api(as_=lead).post("/projects/microcredentials/records", body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert Record.objects.count() == 0


@pytest.mark.django_db
def test_reviewers_cannot_add_records(api, reviewer_a) -> None:
    response = api(as_=reviewer_a).post(
        "/projects/microcredentials/records", {"title": "x", "method": "websites"}
    )
    assert response.status_code == 403


FIELDS = ["title", "abstract", "year", "journal", "volume", "issue", "doi", "pmid", "keywords"]


def _snapshot(search_id: int) -> list[tuple]:
    rows = Record.objects.filter(search_id=search_id).order_by("position")
    return [
        (*[getattr(r, f) for f in FIELDS], [(a["family"], a["given"]) for a in r.authors])
        for r in rows
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("export_format", ["ris", "csv"])
def test_import_export_import_gives_the_same_records(api, lead, export_format) -> None:
    client = api(as_=lead)
    first = _import(client, MEDLINE_TWO_RECORDS, "pubmed.nbib").json()["id"]
    exported = client.get("/projects/microcredentials/export", format=export_format)
    assert exported.status_code == 200
    assert exported["Content-Disposition"].endswith(f'.{export_format}"')
    second = _import(client, exported.content, f"again.{export_format}", database="Re-import")
    assert second.status_code == 201, second.json()
    assert _snapshot(first) == _snapshot(second.json()["id"])


@pytest.mark.django_db
def test_reviewers_cannot_export(api, reviewer_a) -> None:
    assert api(as_=reviewer_a).get("/projects/microcredentials/export").status_code == 403


@pytest.mark.django_db
def test_a_refused_file_leaves_no_stored_file_behind(api, lead, settings) -> None:
    assert _import(api(as_=lead), XML_DAMAGED, "damaged.xml").status_code == 400
    stored = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert stored == []


@pytest.mark.django_db
def test_a_large_file_is_stored_in_pieces_with_every_record_in_order(
    api, lead, monkeypatch
) -> None:
    from screening import importers
    from screening.importers import Citation, medline

    citations = [
        Citation(raw="", line=0, title=f"Study {i}", pmid=str(1000 + i)) for i in range(250)
    ]
    monkeypatch.setattr(importers, "PIECE_CHARS", 2000)
    response = _import(api(as_=lead), medline.dump(citations).encode(), "big.nbib")
    assert response.status_code == 201
    assert response.json()["records"] == 250
    stored = Record.objects.filter(search_id=response.json()["id"]).order_by("position")
    assert [r.pmid for r in stored] == [str(1000 + i) for i in range(250)]
    assert [r.position for r in stored] == list(range(250))
    assert stored[249].line == 249 * 3 + 1


@pytest.mark.django_db
def test_a_file_cut_off_after_many_pieces_keeps_every_record_and_names_the_line(
    api, lead, monkeypatch
) -> None:
    from screening import importers

    records = "".join(f"TY  - JOUR\nTI  - Study {i}\nER  - \n" for i in range(200))
    data = (records + "TY  - JOUR\nTI  - Cut off here\n").encode()
    monkeypatch.setattr(importers, "PIECE_CHARS", 500)
    response = _import(api(as_=lead), data, "cut.ris")
    assert response.status_code == 201
    assert response.json()["records"] == 201
    assert response.json()["warnings"][-1].startswith(f"line {200 * 3 + 1}, field ER")
    assert Record.objects.get(position=200).title == "Cut off here"


def test_a_book_chapter_keeps_its_editors_and_translator_on_the_record(api, lead) -> None:
    chapter = (
        b"TY  - CHAP\r\nAU  - Nguyen, An\r\nA1  - Osei, Kofi\r\n"
        b"TI  - Badges in nursing\r\nT2  - Digital credentials in practice\r\n"
        b"A2  - Rossi, Maria\r\nED  - World Health Organization\r\nA4  - Dubois, Jean\r\n"
        b"SP  - 12\r\nEP  - 30\r\nPY  - 2021\r\nER  - \r\n"
    )
    response = _import(api(lead), chapter, name="chapter.ris", database="CINAHL")
    assert response.status_code == 201, response.content
    record = Record.objects.get()
    assert [a["printed"] for a in record.authors] == ["Nguyen, An", "Osei, Kofi"]
    assert [(c["printed"], c["role"]) for c in record.contributors] == [
        ("Rossi, Maria", "editor"),
        ("World Health Organization", "editor"),
        ("Dubois, Jean", "translator"),
    ]
    assert record.contributors[1]["given"] == ""  # a group name kept whole


def test_a_value_longer_than_its_field_is_cut_and_said(api, lead) -> None:
    journal = "Proceedings " + "of the very long meeting " * 30
    export = (
        b"TY  - JOUR\r\nTI  - A first record\r\nPY  - 2020\r\nER  - \r\n\r\n"
        b"TY  - JOUR\r\nTI  - A second record\r\nT2  - " + journal.encode() + b"\r\n"
        b"PY  - 2021\r\nER  - \r\n"
    )
    response = _import(api(lead), export, name="long.ris", database="Embase")
    assert response.status_code == 201, response.content
    [warning] = [w for w in response.json()["warnings"] if "journal" in w]
    assert warning.startswith("line 6, field journal:")
    assert f"{len(journal.strip())} characters" in warning
    record = Record.objects.get(title="A second record")
    assert len(record.journal) == 500
    assert journal.strip() in record.raw


@pytest.mark.django_db
def test_an_xml_file_cut_off_at_the_end_imports_its_records_and_names_the_cut(api, lead) -> None:
    response = _import(api(as_=lead), XML_CUT_OFF, "cut.xml")
    assert response.status_code == 201, response.content
    assert response.json()["records"] == 1
    [warning] = response.json()["warnings"]
    assert warning.startswith("line 7:")
    assert "cut off before its end" in warning
    record = Record.objects.get()
    assert (record.pmid, record.abstract) == ("31000009", "Cut off in the mid")
    assert record.raw.endswith("Cut off in the mid")
