"""Exports read by their consumers (rispy, bibtexparser, pandas) and re-imported into a new
project through the import service: the same records and fields come back (issue 16)."""

# ruff: noqa: RUF001 - Greek letters in titles on purpose.

from __future__ import annotations

import io
import re

import bibtexparser
import pandas
import pytest
import rispy
from django.core.files.uploadedfile import SimpleUploadedFile

from screening.exporters import bibtex as bibtex_writer
from screening.exporters import ris as ris_writer
from screening.importers import Author, Citation, bibtex, csvfile, ris
from screening.models import Record, Reference
from screening.reports import reference_exports
from screening.selectors.statuses import decided_references
from screening.services.imports import SearchDetails, search_import
from tests.factories import ProjectFactory

# One record per kind the round trip must carry: a chapter with an editor and an ISBN, a
# journal article by a corporate author with markup-like text, a conference abstract.
SOURCE = """TY  - CHAP
AU  - Müller, Jörg
AU  - Médecins Sans Frontières,
A2  - Okafor, Ngozi
TI  - Cholera & oral rehydration: p < 0.05 in ≥ 3 camps
T2  - Field epidemiology
PY  - 2019
VL  - 2
SP  - 101
EP  - 118
DO  - 10.1000/book.2019.7
SN  - 978-0-19-852663-6
AN  - 2019-12345-007
AB  - Über die Behandlung; résumé in Ελληνικά.
KW  - cholera
KW  - rehydration
LA  - English
M3  - Book Chapter
ER  -

TY  - JOUR
AU  - World Health Organization,
TI  - COVID-19 and MRI use in primary care
T2  - Bulletin of Things
J2  - Bull Things
PY  - 2021
VL  - 99
IS  - 4
SP  - 221
EP  - 228
DO  - 10.1000/bull.2021.4
SN  - 0042-9686
AN  - 33000001
DB  - MEDLINE
N1  - PMID: 33000001
KW  - imaging
M3  - Journal Article
ER  -

TY  - ABST
AU  - Tanaka, Yui
TI  - Microcredentials for nurses
T2  - Nursing Congress Abstracts
PY  - 2022
SN  - 1234-5679
M3  - Conference Abstract
ER  -
"""

FIELDS = (
    "title",
    "abstract",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "issn",
    "isbn",
    "keywords",
    "publication_type",
    "language",
)


def _import(project: object, data: str, filename: str) -> list[Record]:
    search_import(
        project=project,
        data=data.encode(),
        filename=filename,
        details=SearchDetails(database="Test"),
        user=None,
    )
    return list(Record.objects.filter(project=project).order_by("position"))


def _fields(record: Record, names: tuple[str, ...] = FIELDS) -> dict[str, object]:
    people = [(a["family"], a["given"]) for a in record.authors]
    editors = [(a["family"], a["given"], a["role"]) for a in record.contributors]
    return {name: getattr(record, name) for name in names} | {
        "authors": people,
        "editors": editors,
    }


def _exported(project: object) -> list[Reference]:
    return list(Reference.objects.filter(project=project).prefetch_related("records__search"))


@pytest.mark.django_db
def test_ris_round_trip_keeps_every_field_and_rispy_reads_types_isbn_and_editors() -> None:
    first, second = ProjectFactory(slug="first"), ProjectFactory(slug="second")
    before = _import(first, SOURCE, "source.ris")
    text = reference_exports.references_ris(_exported(first))
    after = _import(second, text, "again.ris")
    assert [_fields(r) for r in after] == [_fields(r) for r in before]

    read = rispy.loads(text)
    assert [e["type_of_reference"] for e in read] == ["CHAP", "JOUR", "ABST"]
    assert read[0]["issn"] == "9780198526636"
    assert read[0]["secondary_authors"] == ["Okafor, Ngozi"]
    # Written as held, not HTML-escaped.
    assert read[0]["title"] == "Cholera & oral rehydration: p < 0.05 in ≥ 3 camps"
    assert "&amp;" not in text
    assert "&lt;" not in text


@pytest.mark.django_db
def test_csv_round_trip_keeps_corporate_authors_and_pandas_reads_them_whole() -> None:
    first, second = ProjectFactory(slug="first"), ProjectFactory(slug="second")
    before = _import(first, SOURCE, "source.ris")
    text = reference_exports.references_csv(_exported(first))
    after = _import(second, text, "again.csv")
    # Every field, as the RIS and BibTeX round trips compare them, and every column of the
    # template (csvfile.TEMPLATE_COLUMNS; authors and editors are compared by `_fields`).
    template = tuple(c for c in csvfile.TEMPLATE_COLUMNS if c not in ("authors", "editors"))
    assert set(FIELDS) <= set(template)
    assert [_fields(r, template) for r in after] == [_fields(r, template) for r in before]
    assert after[0].contributors[0]["family"] == "Okafor"
    frame = pandas.read_csv(io.StringIO(text))
    assert frame["authors"][1] == "World Health Organization"
    assert "Médecins Sans Frontières" in frame["authors"][0]
    assert [r.authors[1]["family"] for r in after[:1]] == ["Médecins Sans Frontières"]


@pytest.mark.django_db
def test_bibtex_round_trip_keeps_every_field_and_bibtexparser_reads_every_entry() -> None:
    first, second = ProjectFactory(slug="first"), ProjectFactory(slug="second")
    before = _import(first, SOURCE, "source.ris")
    text = bibtex_writer.dump(reference_exports.references_as_citations(_exported(first)))
    after = _import(second, text, "again.bib")
    assert [_fields(r) for r in after] == [_fields(r) for r in before]

    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert [e.entry_type for e in library.entries] == ["incollection", "article", "inproceedings"]
    assert len({e.key for e in library.entries}) == 3
    who = library.entries[1].fields_dict["author"].value
    assert who == "{World Health Organization}"
    assert library.entries[0].fields_dict["isbn"].value == "9780198526636"


def _citation(**extra: object) -> Citation:
    return Citation(**{"raw": "", "line": 0, "title": "A title", **extra})


@pytest.mark.parametrize(
    ("kind", "journal", "code"),
    [
        ("Journal Article", "J", "JOUR"),
        ("Case Reports", "J", "JOUR"),
        ("Review", "J", "JOUR"),
        ("Book", "", "BOOK"),
        ("Book Chapter", "", "CHAP"),
        ("incollection", "", "CHAP"),
        ("Conference Paper", "", "CPAPER"),
        ("Conference Abstract", "J", "ABST"),
        ("Dissertation", "", "THES"),
        ("Technical Report", "", "RPRT"),
        ("Preprint", "", "UNPB"),
        ("Dataset", "", "DATA"),
        ("Web Page", "", "ELEC"),
        ("", "J", "JOUR"),
        ("", "", "GEN"),
        ("Patent", "", "GEN"),
    ],
)
def test_ris_type_per_publication_type(kind: str, journal: str, code: str) -> None:
    assert ris_writer.ris_type(kind, journal=journal) == code
    assert (
        rispy.loads(ris_writer.dump([_citation(publication_type=kind, journal=journal)]))[0][
            "type_of_reference"
        ]
        == code
    )


def test_ris_writes_every_accession_once_so_rispy_keeps_them_all() -> None:
    text = ris_writer.dump(
        [_citation(accession="2014123456; 33000001", source_database="Embase; MEDLINE")]
    )
    read = rispy.loads(text)[0]
    assert read["accession_number"] == "2014123456; 33000001"
    assert read["name_of_database"] == "Embase; MEDLINE"
    assert ris.parse(text)[0][0].accession == "2014123456"


@pytest.mark.parametrize(
    ("stage", "status", "label", "included"),
    [
        ("full_text", "included", "ASReview_relevant", 1),
        ("full_text", "excluded", "ASReview_irrelevant", 0),
        ("title_abstract", "excluded", "ASReview_irrelevant", 0),
        ("title_abstract", "pending", "ASReview_not_seen", None),
        ("full_text", "not_retrieved", "ASReview_not_seen", None),
    ],
)
def test_decisions_ris_label_is_read_by_asreview_s_rule(
    stage: str, status: str, label: str, included: int | None
) -> None:
    assert reference_exports.asreview_label(stage, status) == label
    citation = _citation(notes=[label, "Vote full_text: lead exclude (wrong population)"])
    notes = rispy.loads(ris_writer.dump([citation]))[0]["notes"]
    # ASReview's RIS reader (asreview/data/ris.py): the first note holding one of its three
    # words gives the label.
    words = {"ASReview_relevant": 1, "ASReview_irrelevant": 0, "ASReview_not_seen": None}
    found = next(words[w] for note in notes for w in words if w in note)
    assert found == included


@pytest.mark.django_db
def test_decisions_ris_round_trip_keeps_records_and_carries_the_label() -> None:
    first, second = ProjectFactory(slug="first"), ProjectFactory(slug="second")
    before = _import(first, SOURCE, "source.ris")
    references = _exported(first)
    for reference, (stage, status) in zip(
        references,
        [("full_text", "included"), ("title_abstract", "excluded"), ("title_abstract", "pending")],
        strict=True,
    ):
        reference.stage, reference.status = stage, status
        reference._prefetched_objects_cache |= {"votes": [], "resolutions": []}
    text = reference_exports.decisions_ris(references)
    after = _import(second, text, "decisions.ris")
    assert [_fields(r) for r in after] == [_fields(r) for r in before]
    assert [e["notes"][0] for e in rispy.loads(text)] == [
        "ASReview_relevant",
        "ASReview_irrelevant",
        "ASReview_not_seen",
    ]


@pytest.mark.parametrize(
    ("source", "title"),
    [
        (r"The $\alpha$ receptor", "The α receptor"),
        (r"$\beta$-blockers after infarction", "β-blockers after infarction"),
        (r"Doses of $10^{-3}$ M at $37^{\circ}$C", "Doses of 10⁻³ M at 37°C"),
        (r"$H_2O$ and $x_1$", "H₂O and x₁"),
        # No small form for a superscript `ab`: kept as printed rather than read as `xab`.
        (r"Growth as $x^{ab}$ in {MRI}", "Growth as $x^{ab}$ in MRI"),
    ],
)
def test_latex_math_is_kept_and_written_back_the_same(source: str, title: str) -> None:
    imported = bibtex.parse(f"@article{{k, title = {{{source}}}, year = {{2020}}}}")[0][0]
    assert imported.title == title
    text = bibtex_writer.dump([imported])
    assert bibtex.parse(text)[0][0].title == title
    read = bibtexparser.parse_string(text).entries[0].fields_dict["title"].value
    # bibtexparser keeps the braces that protect a word's capitals from a style ({MRI}, {H₂O}).
    assert re.sub(r"(?<![\^_])\{([^{}]*)\}", r"\1", read) == title


def test_bibtex_escapes_specials_and_keeps_corporate_and_unicode_names() -> None:
    citation = _citation(
        title="50% & $5_000 {x} ~ #1 \\ ^",
        authors=[Author(family="World Health Organization"), Author(family="Ôtake", given="Ō")],
        year=2020,
    )
    text = bibtex_writer.dump([citation, citation])
    back = bibtex.parse(text)[0]
    assert [c.title for c in back] == [citation.title] * 2
    assert [(a.family, a.given) for a in back[0].authors] == [
        ("World Health Organization", ""),
        ("Ôtake", "Ō"),
    ]
    keys = [e.key for e in bibtexparser.parse_string(text).entries]
    assert keys == ["world2020", "world2020a"]


@pytest.mark.django_db
def test_a_merged_reference_carries_every_record_s_accession_isbn_and_issn() -> None:
    project = ProjectFactory(slug="first")
    chapter, article, _ = _import(project, SOURCE, "source.ris")
    # As a merge leaves them: both records under the chapter's reference.
    Record.objects.filter(pk=article.pk).update(reference=chapter.reference)
    reference = Reference.objects.prefetch_related("records__search").get(pk=chapter.reference_id)
    read = rispy.loads(reference_exports.references_ris([reference]))[0]
    assert read["accession_number"] == "2019-12345-007; 33000001"
    assert read["issn"] == "0042-9686; 9780198526636"
    assert read["name_of_database"] == "MEDLINE"
    assert read["notes"][0] == "Accession numbers: Test: 2019-12345-007; Test: 33000001"


@pytest.mark.django_db
@pytest.mark.parametrize("format", ["bib", "bibtex"])
def test_the_export_endpoint_serves_bibtex_that_imports_back(api, lead, format: str) -> None:
    client = api(as_=lead)
    body = {"file": SimpleUploadedFile("source.ris", SOURCE.encode()), "database": "PsycINFO"}
    assert client.upload("/projects/microcredentials/searches", body).status_code == 201
    exported = client.get("/projects/microcredentials/export", format=format)
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("application/x-bibtex")
    assert exported["Content-Disposition"].endswith('-references.bib"')
    entries = bibtexparser.parse_string(exported.content.decode()).entries
    assert [e.fields_dict["note"].value.split(";")[0] for e in entries] == [
        "ASReview\\_not\\_seen"
    ] * 3
    again = {"file": SimpleUploadedFile("again.bib", exported.content), "database": "Again"}
    assert client.upload("/projects/microcredentials/searches", again).status_code == 201
    records = Record.objects.order_by("search_id", "position")
    assert [_fields(r) for r in records[3:]] == [_fields(r) for r in records[:3]]


@pytest.mark.django_db
@pytest.mark.parametrize("formulas", ["escape", "keep"])
def test_formula_like_text_survives_the_decisions_csv_round_trip(formulas: str) -> None:
    first, second = ProjectFactory(slug="first"), ProjectFactory(slug="second")
    source = (
        "TY  - JOUR\nTI  - -based learning in nursing\nAU  - Ng, A\nPY  - 2020\nER  - \n\n"
        "TY  - JOUR\nTI  - =1+2 is not a formula here\nAU  - @Lee, B\nPY  - 2021\nER  - \n"
    )
    before = _import(first, source, "source.ris")
    text = reference_exports.decisions_csv(list(decided_references(first)), formulas=formulas)
    assert ("'-based" in text) == (formulas == "escape")
    after = _import(second, text, "again.csv")
    assert [(r.title, r.authors[0]["printed"]) for r in after] == [
        (r.title, r.authors[0]["printed"]) for r in before
    ]
