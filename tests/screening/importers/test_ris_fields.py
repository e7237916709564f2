"""RIS keeps every field or says why not: tag spacing, every person tag in order and role,
names with no comma, and what cannot be read reported as a warning (issue 15)."""

from __future__ import annotations

import pytest

from screening import importers
from screening.importers import ris
from screening.importers.citation import Citation


def read(source: str) -> tuple[list[Citation], list]:
    return ris.parse(source)


def one(source: str) -> Citation:
    citations, _ = read(source)
    assert len(citations) == 1
    return citations[0]


# --- tag spacing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "separator",
    ["  - ", " - ", "- ", "\t-\t", " -\t", "   - "],
    ids=["standard", "one space", "no space", "tabs", "space and tab", "three spaces"],
)
def test_every_tag_spacing_real_tools_write_is_read(separator: str) -> None:
    source = "".join(
        f"{tag}{separator}{value}\n"
        for tag, value in [
            ("TY", "JOUR"),
            ("AU", "Smith, John"),
            ("TI", "A title"),
            ("PY", "2004"),
            ("SP", "12"),
            ("EP", "19"),
        ]
    )
    source += "ER" + separator.rstrip(" \t") + "\n"  # ER with no trailing space
    citations, warnings = read(source)
    assert warnings == []
    [citation] = citations
    assert (citation.title, citation.year, citation.pages) == ("A title", 2004, "12-19")
    assert [a.family for a in citation.authors] == ["Smith"]
    assert citation.publication_type == "Journal Article"


def test_a_file_with_one_space_tags_is_detected_as_ris_and_imported_whole() -> None:
    data = b"TY - JOUR\nTI - First\nER - \n\nTY - BOOK\nTI - Second\nER -\n"
    result = importers.parse(data, filename="spaced.ris")
    assert result.format == "ris"
    assert [c.title for c in result.citations] == ["First", "Second"]


def test_a_spacing_variant_of_an_unknown_tag_inside_a_value_stays_text() -> None:
    citation = one("TY  - JOUR\nAB  - Results from a\nUS - based cohort\nER  - \n")
    assert citation.abstract == "Results from a US - based cohort"


# --- every person tag, in order, in its role ---------------------------------------------------


def test_a_record_mixing_a1_and_au_keeps_every_author_in_file_order() -> None:
    citation = one(
        "TY  - JOUR\nA1  - First, Ann\nAU  - Second, Bob\nA1  - Third, Cy\nAU  - Fourth, Di\n"
        "TI  - T\nER  - \n"
    )
    assert [a.family for a in citation.authors] == ["First", "Second", "Third", "Fourth"]
    assert {a.role for a in citation.authors} == {"author"}
    assert citation.editors == []


def test_editors_series_editors_and_translators_keep_their_roles_apart_from_authors() -> None:
    citation = one(
        "TY  - CHAP\nAU  - Writer, Ann\nA2  - Editor, Bob\nED  - Other, Cy\nA3  - Series, Di\n"
        "A4  - Translator, Ed\nTI  - A chapter\nT2  - The book\nER  - \n"
    )
    assert [a.family for a in citation.authors] == ["Writer"]
    assert [(a.family, a.role) for a in citation.editors] == [
        ("Editor", "editor"),
        ("Other", "editor"),
        ("Series", "series editor"),
        ("Translator", "translator"),
    ]
    assert citation.journal == "The book"


def test_a_chapter_in_old_ris_keeps_its_book_title_from_bt() -> None:
    citation = one("TY  - CHAP\nT1  - A chapter\nBT  - The book\nSP  - 11\nEP  - 31\nER  - \n")
    assert (citation.title, citation.journal, citation.pages) == ("A chapter", "The book", "11-31")


def test_ovid_cited_surname_list_in_a2_is_no_editor() -> None:
    citation = one("TY  - JOUR\nA1  - Real, Author\nA2  - Andres, Buote, Byrne, Casati\nER  - \n")
    assert citation.editors == []
    assert citation.fields["A2"] == ["Andres, Buote, Byrne, Casati"]


# --- names with no comma -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "family", "given"),
    [
        ("World Health Organization", "World Health Organization", ""),
        (
            "Regional Educational Laboratory Midwest (ED)",
            "Regional Educational Laboratory Midwest (ED)",
            "",
        ),
        ("EndoReCo", "EndoReCo", ""),
        ("Jianjun Huang", "Jianjun Huang", ""),  # order unknown: kept whole, nothing invented
        ("Smith J", "Smith", "J"),
        ("Adler D.G.", "Adler", "D.G."),
        ("van der Berg JA", "van der Berg", "JA"),
        ("Smith, John", "Smith", "John"),
    ],
)
def test_a_name_with_no_comma_is_a_group_kept_whole_unless_family_initials(
    printed: str, family: str, given: str
) -> None:
    [author] = one(f"TY  - JOUR\nAU  - {printed}\nER  - \n").authors
    assert (author.family, author.given, author.printed) == (family, given, printed)


# --- what cannot be read is reported -----------------------------------------------------------


def test_a_year_that_is_not_a_year_is_kept_raw_and_reported() -> None:
    citations, warnings = read("TY  - JOUR\nTI  - T\nPY  - in press\nER  - \n")
    assert citations[0].year is None
    assert citations[0].fields["PY"] == ["in press"]
    assert [(w.line, w.field) for w in warnings] == [(1, "PY")]


def test_a_malformed_doi_is_kept_raw_and_reported() -> None:
    citations, warnings = read("TY  - JOUR\nTI  - T\nDO  - 11.1000/not-a-doi\nER  - \n")
    assert citations[0].doi == ""
    assert citations[0].fields["DO"] == ["11.1000/not-a-doi"]
    assert [(w.line, w.field) for w in warnings] == [(1, "DO")]


def test_an_unknown_tag_is_reported_once_per_file_with_its_first_line() -> None:
    source = "TY  - JOUR\nZZ  - one\nER  - \n\nTY  - JOUR\nZZ  - two\nER  - \n"
    citations, warnings = read(source)
    assert [c.fields["ZZ"] for c in citations] == [["one"], ["two"]]
    assert [(w.line, w.field) for w in warnings] == [(1, "ZZ")]


def test_known_tags_the_app_does_not_map_are_not_reported() -> None:
    _, warnings = read("TY  - JOUR\nTI  - T\nU3  - 2020-01-01\nLK  - http://x\nER  - \n")
    assert warnings == []
