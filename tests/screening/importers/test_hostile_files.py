"""Hostile exports (issue 19): deep nesting, XML entities, NUL bytes past the binary check, a
record with 100,000 authors or a 10 MB abstract. Each is read or refused with the importer's
own clear error, never another exception."""

from __future__ import annotations

import pytest

from screening import importers
from screening.importers import ExportFormatError

PUBMED_HEAD = (
    "<?xml version='1.0'?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation>"
    "<PMID>1</PMID><Article><ArticleTitle>{title}</ArticleTitle>{more}"
)
PUBMED_TAIL = "</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"


def _pubmed(title: str = "A title", more: str = "", doctype: str = "") -> bytes:
    head = PUBMED_HEAD.format(title=title, more=more)
    if doctype:
        head = head.replace("\n", f"\n{doctype}\n", 1)
    return (head + PUBMED_TAIL).encode()


def _endnote(title: str, doctype: str = "") -> bytes:
    return (
        f"<?xml version='1.0'?>\n{doctype}\n<xml><records><record><ref-type name='Journal "
        f"Article'>17</ref-type><titles><title>{title}</title></titles></record></records></xml>"
    ).encode()


# --- nesting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        _pubmed(more="<X>" * 1200 + "deep" + "</X>" * 1200),
        (
            "<?xml version='1.0'?>\n<PubmedArticleSet>"
            + "<PubmedArticle>" * 1200
            + "</PubmedArticle>" * 1200
            + "</PubmedArticleSet>"
        ).encode(),
    ],
    ids=["elements", "records"],
)
def test_a_pubmed_file_nested_1200_levels_deep_is_refused_clearly(data: bytes) -> None:
    with pytest.raises(ExportFormatError, match="more than 256 levels deep") as refused:
        importers.parse(data, filename="deep.xml")
    assert refused.value.line == 2


def test_an_endnote_file_nested_1200_levels_deep_is_refused_clearly() -> None:
    data = _endnote("T").replace(b"</titles>", b"</titles>" + b"<x>" * 1200 + b"</x>" * 1200)
    with pytest.raises(ExportFormatError, match="levels deep"):
        importers.parse(data, format="endnote_xml", filename="deep.xml")


def test_markup_nested_deep_inside_an_abstract_is_still_its_text() -> None:
    abstract = "<Abstract><AbstractText>" + "<i>" * 1200 + "deep" + "</i>" * 1200
    result = importers.parse(_pubmed(more=abstract + "</AbstractText></Abstract>"))
    assert result.citations[0].abstract == "deep"


# --- entities --------------------------------------------------------------------------------

XXE = '<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">'
        for n in range(1, 10)
    )
    + "]>"
)
QUADRATIC = f'<!DOCTYPE PubmedArticleSet [<!ENTITY a "{"A" * 100_000}">]>'


def test_an_external_entity_in_pubmed_xml_is_never_read() -> None:
    result = importers.parse(_pubmed(title="T &xxe;", doctype=XXE), format="pubmed_xml")
    citation = result.citations[0]
    assert citation.title == "T &xxe;"
    assert "root:" not in citation.raw + citation.title


def test_an_external_entity_in_endnote_xml_is_never_read() -> None:
    result = importers.parse(_endnote("T &xxe;", XXE), format="endnote_xml")
    assert result.citations[0].title == "T &xxe;"


@pytest.mark.parametrize(
    ("doctype", "use"), [(LAUGHS, "&lol9;"), (QUADRATIC, "&a;" * 20_000)], ids=["laughs", "quad"]
)
@pytest.mark.parametrize("format_name", ["pubmed_xml", "endnote_xml"])
def test_entity_expansion_is_refused_as_an_attack(doctype: str, use: str, format_name: str) -> None:
    data = (
        _pubmed(title=use, doctype=doctype)
        if format_name == "pubmed_xml"
        else _endnote(use, doctype)
    )
    with pytest.raises(ExportFormatError, match="entity-expansion attack"):
        importers.parse(data, format=format_name, filename="laughs.xml")


# --- NUL past the first 4 KiB ------------------------------------------------------------------

FILLER = {
    "ris": "TY  - JOUR\nTI  - Title {n}\nAU  - Smith, J\nER  - \n\n",
    "medline": "PMID- {n}\nTI  - Title {n}\nFAU - Smith, Jane\n\n",
    "csv": 'Title {n},"Smith, J",2020\n',
    "bibtex": "@article{{k{n},\n  title = {{Title {n}}},\n  author = {{Smith, J}},\n}}\n\n",
}
BAD = {
    "ris": "TY  - JOUR\nTI  - Bad\x00 title\nAU  - Do\x00e, J\nER  - \n",
    "medline": "PMID- 99999\nTI  - Bad\x00 title\nFAU - Do\x00e, Jane\n",
    "csv": 'Bad\x00 title,"Do\x00e, J",2020\n',
    "bibtex": "@article{bad,\n  title = {Bad\x00 title},\n  author = {Do\x00e, J},\n}\n",
}


@pytest.mark.parametrize("format_name", sorted(FILLER))
def test_a_nul_after_the_first_4_kib_is_removed_with_a_warning_naming_line_and_field(
    format_name: str,
) -> None:
    head = "title,authors,year\n" if format_name == "csv" else ""
    filler = "".join(FILLER[format_name].format(n=n) for n in range(200))
    assert len(filler) > 4096
    data = (head + filler + BAD[format_name]).encode()
    result = importers.parse(data, format=format_name, filename="nul.txt")
    bad = result.citations[-1]
    assert len(result.citations) == 201
    assert bad.title == "Bad title"
    assert bad.authors[0].family == "Doe"
    assert "\x00" not in bad.raw
    # The NUL's own line: the record's first in CSV, its title's (the second) in the others.
    line = (head + filler).count("\n") + (1 if format_name == "csv" else 2)
    [warning] = [w for w in result.warnings if "NUL" in w.message]
    assert (warning.line, warning.field) == (line, "title, authors")


def test_a_nul_in_the_first_4_kib_is_still_a_binary_file() -> None:
    with pytest.raises(ExportFormatError):
        importers.parse(b"TY  - JOUR\nTI  - x\x00\nER  - \n", filename="nul.ris")


# --- enormous records --------------------------------------------------------------------------

AUTHORS = 100_000
ABSTRACT = "word " * 2_000_000  # 10 MB


def test_a_ris_record_with_100000_authors_and_a_10_mb_abstract_imports_whole() -> None:
    authors = "".join(f"AU  - Author{n}, A\n" for n in range(AUTHORS))
    data = f"TY  - JOUR\nTI  - Many\n{authors}AB  - {ABSTRACT}\nER  - \n".encode()
    [citation] = importers.parse(data, filename="many.ris").citations
    assert len(citation.authors) == AUTHORS
    assert citation.authors[-1].family == f"Author{AUTHORS - 1}"
    assert len(citation.abstract) == len(ABSTRACT.strip())


def test_a_pubmed_record_with_100000_authors_and_a_10_mb_abstract_imports_whole() -> None:
    people = "".join(
        f"<Author><LastName>A{n}</LastName><Initials>B</Initials></Author>" for n in range(AUTHORS)
    )
    more = (
        f"<Abstract><AbstractText>{ABSTRACT}</AbstractText></Abstract>"
        f"<AuthorList>{people}</AuthorList>"
    )
    [citation] = importers.parse(_pubmed(more=more), filename="many.xml").citations
    assert len(citation.authors) == AUTHORS
    assert len(citation.abstract) == len(ABSTRACT.strip())
