"""Issue 15, the general import rule, in every format: a tag the format does not know is reported
once per file with the first line it was seen on; a year, DOI or pages that cannot be read are
kept raw and reported; the record is imported all the same."""

from __future__ import annotations

import pytest

from screening import importers
from screening.importers import fields

# One unreadable year, DOI and pages in one record of each format, and the field each is named by.
UNREADABLE: list[tuple[str, str, list[str]]] = [
    (
        "ris",
        "TY  - JOUR\nTI  - A study\nPY  - 20O1\nDO  - not-a-doi\nER  - \n",
        ["PY", "DO"],
    ),
    (
        "medline",
        "PMID- 1\nOWN - NLM\nTI  - A study\nDP  - Spring\nLID - 11.1/x [doi]\nPG  - ??\n",
        ["DP", "LID", "PG"],
    ),
    (
        "pubmed_xml",
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<Journal><JournalIssue><PubDate><Year>20O1</Year></PubDate></JournalIssue></Journal>"
        "<ArticleTitle>A study</ArticleTitle><Pagination><MedlinePgn>??</MedlinePgn></Pagination>"
        '<ELocationID EIdType="doi">11.1/x</ELocationID></Article></MedlineCitation>'
        "</PubmedArticle></PubmedArticleSet>\n",
        ["Year", "ELocationID", "MedlinePgn"],
    ),
    (
        "endnote_xml",
        "<xml><records><record><titles><title>A study</title></titles>"
        "<dates><year>Spring</year></dates><pages>??</pages>"
        "<electronic-resource-num>doi:11.1/x</electronic-resource-num></record></records></xml>\n",
        ["year", "electronic-resource-num", "pages"],
    ),
    (
        "bibtex",
        "@article{a,\n  title = {A study},\n  year = {20O1},\n  doi = {not-a-doi},\n"
        "  pages = {??}\n}\n",
        ["year", "doi", "pages"],
    ),
    (
        "csv",
        "title,year,doi,pages\nA study,20O1,not-a-doi,??\n",
        ["year", "doi", "pages"],
    ),
    (
        "ovid",
        "<1. >\nTI  - A study\nYR  - 20O1\nDO  - 11.1/x\nPG  - ??\nSO  - A Journal\n",
        ["YR", "DO", "PG"],
    ),
    (
        "wos",
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI A study\nPY 20O1\nDI 11.1/x\n"
        "BP ??\nER\nEF\n",
        ["PY", "DI", "BP"],
    ),
    (
        "proquest",
        "Document 1 of 1\n\nA study\n\nTitle: A study\n\nPublication year: Spring\n\n"
        "DOI: 11.1/x\n\nPages: ??\n\n" + "_" * 40 + "\n",
        ["Publication year", "DOI", "Pages"],
    ),
]


@pytest.mark.parametrize(("format", "text", "named"), UNREADABLE, ids=[u[0] for u in UNREADABLE])
def test_an_unreadable_year_doi_or_pages_is_reported_and_the_record_kept(
    format: str, text: str, named: list[str]
) -> None:
    result = importers.parse(text.encode(), format=format)
    assert [c.title for c in result.citations] == ["A study"]
    unread = [w for w in result.warnings if "kept in the raw record" in w.message]
    assert [w.field for w in unread] == named
    assert all(w.line == result.citations[0].line for w in unread)
    assert result.citations[0].raw  # the printed values stay in the raw record


# The same records with readable values give no such warning (the check is no blanket one).
READABLE: list[tuple[str, str]] = [
    ("medline", "PMID- 1\nTI  - A study\nDP  - 2001 Spring\nLID - 10.1000/x [doi]\nPG  - e12\n"),
    ("medline", "PMID- 1\nTI  - A study\nDP  - 2001\nPG  - xii-xv\n"),
    ("csv", "title,year,doi,pages\nA study,2001,https://doi.org/10.1000/x,S1-S4\n"),
    ("ovid", "<1. >\nTI  - A study\nYR  - 2001\nDO  - 10.1000/x\nPG  - 221-8\nSO  - J\n"),
    (
        "wos",
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI A study\nPY 2001\nDI 10.1000/x\n"
        "PS Unpaginated\nER\nEF\n",
    ),
    (
        "endnote_xml",
        "<xml><records><record><titles><title>A study</title></titles>"
        "<electronic-resource-num>S0140-6736(20)30001-1</electronic-resource-num>"
        "<pages>No pagination specified</pages></record></records></xml>\n",
    ),
]


@pytest.mark.parametrize(("format", "text"), READABLE, ids=[r[0] for r in READABLE])
def test_readable_values_and_stated_absences_are_not_reported(format: str, text: str) -> None:
    result = importers.parse(text.encode(), format=format)
    assert [str(w) for w in result.warnings if "kept in the raw record" in w.message] == []


# A tag or label each format does not know, in two records; one warning names the first line.
UNKNOWN: list[tuple[str, str, str, int]] = [
    (
        "ris",
        "TY  - JOUR\nTI  - A\nZZ  - odd\nER  - \nTY  - JOUR\nTI  - B\nZZ  - odd\nER  - \n",
        "ZZ",
        1,
    ),
    ("medline", "PMID- 1\nTI  - A\nZZZ - odd\n\nPMID- 2\nTI  - B\nZZZ - odd\n", "ZZZ", 1),
    ("ovid", "<1. >\nTI  - A\nZZ  - odd\n\n<2. >\nTI  - B\nZZ  - odd\n", "ZZ", 1),
    ("ovid", "<1>\nTitle\n  A\nOdd Label\n  x\n<2>\nTitle\n  B\nOdd Label\n  y\n", "Odd Label", 1),
    (
        "wos",
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI A\nZZ odd\nER\nPT J\nTI B\n"
        "ZZ odd\nER\nEF\n",
        "ZZ",
        5,
    ),
    (
        "proquest",
        "Document 1 of 2\n\nA\n\nTitle: A\n\nOdd label: x\n\n" + "_" * 40 + "\n\n"
        "Document 2 of 2\n\nB\n\nTitle: B\n\nOdd label: y\n\n" + "_" * 40 + "\n",
        "Odd label",
        1,
    ),
]


@pytest.mark.parametrize(
    ("format", "text", "tag", "line"), UNKNOWN, ids=[f"{u[0]}-{u[2]}" for u in UNKNOWN]
)
def test_an_unknown_tag_is_reported_once_per_file_with_its_first_line(
    format: str, text: str, tag: str, line: int
) -> None:
    result = importers.parse(text.encode(), format=format)
    assert len(result.citations) == 2
    unknown = [w for w in result.warnings if w.kind == fields.UNKNOWN_TAG]
    assert [(w.field, w.line) for w in unknown] == [(tag, line)]
    assert tag in unknown[0].message


# Tags each format's published list has, but no Citation field reads: kept, never reported.
KNOWN_UNMAPPED: list[tuple[str, str]] = [
    (
        "medline",
        "PMID- 1\nOWN - NLM\nSTAT- MEDLINE\nDCOM- 20010101\nLR  - 20200101\nIS  - 0000-0000\n"
        "TI  - A\nPHST- 2001/01/01 [received]\nEIN - Erratum\nGR  - R01 AB123\nSPIN- Summary\n",
    ),
    (
        "wos",
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI A\nZ9 3\nU1 0\nU2 1\nGA AB1CD\n"
        "WC Ecology\nDL https://doi.org/x\nER\nEF\n",
    ),
    ("ovid", "<1. >\nTI  - A\nUP  - 20010101\nVN  - Ovid Technologies\nCC  - 1234\nSO  - J\n"),
    ("proquest", "Document 1 of 1\n\nA\n\nTitle: A\n\nCopyright: Someone\n\n" + "_" * 40 + "\n"),
]


@pytest.mark.parametrize(("format", "text"), KNOWN_UNMAPPED, ids=[k[0] for k in KNOWN_UNMAPPED])
def test_a_known_tag_with_no_citation_field_is_no_warning(format: str, text: str) -> None:
    result = importers.parse(text.encode(), format=format)
    assert [c.title for c in result.citations] == ["A"]
    assert [w for w in result.warnings if w.kind == fields.UNKNOWN_TAG] == []


def test_an_unknown_medline_tag_is_reported_once_across_the_pieces_of_a_large_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = "PMID- {n}\nTI  - Title {n}\nZZZ - odd\n\n"
    data = "".join(record.format(n=n) for n in range(1, 400)).encode()
    monkeypatch.setattr(importers, "PIECE_CHARS", 500)
    result = importers.parse(data, format="medline")
    assert len(result.citations) == 399
    unknown = [w for w in result.warnings if w.kind == fields.UNKNOWN_TAG]
    assert [(w.field, w.line) for w in unknown] == [("ZZZ", 1)]
