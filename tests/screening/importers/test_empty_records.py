"""A record with nothing in it is not imported but reported by its line; the rest of the file
imports, and a file of nothing but empty records is refused (issue 15)."""

from __future__ import annotations

import pytest

from screening import importers
from screening.importers import ExportFormatError, pubmed_xml

PUBMED = b"""<?xml version="1.0"?>
<PubmedArticleSet>
<PubmedArticle></PubmedArticle>
<PubmedArticle><MedlineCitation><PMID>11</PMID><Article>
<ArticleTitle>A real article</ArticleTitle></Article></MedlineCitation></PubmedArticle>
<PubmedBookArticle><BookDocument><Book/></BookDocument></PubmedBookArticle>
</PubmedArticleSet>
"""


def test_empty_pubmed_articles_and_book_articles_are_warnings_naming_their_lines() -> None:
    result = importers.parse(PUBMED, filename="pubmed.xml")
    assert [c.title for c in result.citations] == ["A real article"]
    assert [w.line for w in result.warnings] == [3, 6]
    assert "PubmedArticle" in result.warnings[0].message
    assert "PubmedBookArticle" in result.warnings[1].message


def test_the_pubmed_xml_reader_itself_skips_an_empty_article() -> None:
    citations, warnings = pubmed_xml.parse(PUBMED.decode())
    assert [c.pmid for c in citations] == ["11"]
    assert [w.line for w in warnings] == [3, 6]


def test_an_empty_record_of_any_format_is_a_warning_and_the_rest_imports() -> None:
    data = (
        b"TY  - JOUR\nTI  - First\nER  - \n\nTY  - JOUR\nER  - \n\nTY  - JOUR\nTI  - Last\nER  - \n"
    )
    result = importers.parse(data, filename="x.ris")
    assert [c.title for c in result.citations] == ["First", "Last"]
    assert [(w.line, "nothing in it" in w.message) for w in result.warnings] == [(5, True)]


def test_a_record_with_only_an_identifier_is_kept() -> None:
    result = importers.parse(b"TY  - JOUR\nDO  - 10.1000/only.a.doi\nER  - \n")
    assert [c.doi for c in result.citations] == ["10.1000/only.a.doi"]


def test_a_file_of_nothing_but_empty_records_is_refused() -> None:
    with pytest.raises(ExportFormatError) as caught:
        importers.parse(b"TY  - JOUR\nER  - \n\nTY  - BOOK\nER  - \n", filename="empty.ris")
    assert "no records" in str(caught.value)
