"""EndNote XML: style runs, bare values, single-line files, line-break references, real exports."""

from __future__ import annotations

import pytest

from screening.importers import endnote_xml
from screening.importers.citation import ExportFormatError
from screening.importers.text import decode
from tests.shared_data import requires_shared_data, shared_file

STYLED = """<?xml version="1.0" encoding="UTF-8"?>
<xml>
  <records>
    <record>
      <database name="Invented.enl" path="/tmp/Invented.enl">Invented.enl</database>
      <source-app name="EndNote" version="20.0">EndNote</source-app>
      <rec-number>7</rec-number>
      <ref-type name="Journal Article">17</ref-type>
      <contributors>
        <authors>
          <author><style face="normal" font="default" size="100%">Haverkamp, Ida M.</style></author>
          <author><style face="normal" font="default" size="100%">Osei, K.</style></author>
        </authors>
      </contributors>
      <titles>
        <title><style face="normal" font="default" size="100%">Sleep of </style><style face="italic" font="default" size="100%">night-shift</style><style face="normal" font="default" size="100%"> nurses: a cohort</style></title>
        <secondary-title><style face="normal" font="default" size="100%">Invented Nursing Review</style></secondary-title>
        <alt-title><style face="normal" font="default" size="100%">Invent Nurs Rev</style></alt-title>
      </titles>
      <pages><style face="normal" font="default" size="100%">1043-51</style></pages>
      <volume><style face="normal" font="default" size="100%">31</style></volume>
      <number><style face="normal" font="default" size="100%">2</style></number>
      <keywords>
        <keyword><style face="normal" font="default" size="100%">Sleep</style></keyword>
        <keyword><style face="normal" font="default" size="100%">Shift Work Schedule/*adverse effects</style></keyword>
      </keywords>
      <dates>
        <year><style face="normal" font="default" size="100%">2021</style></year>
        <pub-dates><date><style face="normal" font="default" size="100%">Feb</style></date></pub-dates>
      </dates>
      <isbn><style face="normal" font="default" size="100%">1234-5679 (Electronic)&#xD;0000-0019 (Linking)</style></isbn>
      <accession-num><style face="normal" font="default" size="100%">33000007</style></accession-num>
      <abstract><style face="normal" font="default" size="100%">Nurses on night shifts slept less.&#xD;They also napped more.</style></abstract>
      <electronic-resource-num><style face="normal" font="default" size="100%">doi: 10.5555/INR.2021.7</style></electronic-resource-num>
      <remote-database-name><style face="normal" font="default" size="100%">PubMed</style></remote-database-name>
      <remote-database-provider><style face="normal" font="default" size="100%">NLM</style></remote-database-provider>
      <language><style face="normal" font="default" size="100%">eng</style></language>
      <urls><related-urls><url><style face="normal" font="default" size="100%">https://example.org/inr/7</style></url></related-urls></urls>
    </record>
  </records>
</xml>
"""

BARE_VALUES = """<?xml version="1.0" encoding="UTF-8"?>
<xml>
  <records>
    <record>
      <ref-type name="Book">6</ref-type>
      <contributors><authors><author>Brandt, Noor</author></authors></contributors>
      <titles><title>Gardens that heal</title></titles>
      <periodical><full-title>Series on invented places</full-title><abbr-1>Ser Invent Places</abbr-1></periodical>
      <dates><year>2008</year></dates>
      <isbn>0-306-40615-2</isbn>
      <accession-num>ISI:000111222333</accession-num>
      <keywords><keyword>healing&#xA;gardens</keyword></keywords>
      <urls><pdf-urls><url>internal-pdf://gardens.pdf</url></pdf-urls><web-urls><url>https://doi.org/10.5555/GARDENS</url></web-urls></urls>
    </record>
    <record>
      <ref-type name="Journal Article">17</ref-type>
      <titles><title>No provider given</title></titles>
      <accession-num>33000009</accession-num>
    </record>
  </records>
</xml>
"""

SINGLE_LINE = (
    '<?xml version="1.0" encoding="UTF-8" ?><xml><records><record><ref-type name="Journal Article">'
    '17</ref-type><titles><title><style face="normal" font="default" size="100%">One </style>'
    '<style face="bold" font="default" size="100%">line</style></title></titles>'
    '<accession-num><style face="normal" font="default" size="100%">33000010</style></accession-num>'
    '<urls><related-urls><url><style face="normal" font="default" size="100%">'
    "https://www.ncbi.nlm.nih.gov/pubmed/33000010</style></url></related-urls></urls>"
    "</record><record><titles><title>Second</title></titles></record></records></xml>"
)


def test_style_runs_are_concatenated_and_fields_mapped() -> None:
    (citation,), warnings = endnote_xml.parse(STYLED)
    assert warnings == []
    assert citation.line == 4
    assert citation.raw.startswith("<record>")
    assert citation.raw.endswith("</record>")
    assert citation.title == "Sleep of night-shift nurses: a cohort"
    assert [(a.family, a.given) for a in citation.authors] == [
        ("Haverkamp", "Ida M."),
        ("Osei", "K."),
    ]
    assert citation.journal == "Invented Nursing Review"
    assert citation.journal_abbrev == "Invent Nurs Rev"
    assert (citation.volume, citation.issue) == ("31", "2")
    assert (citation.pages, citation.start_page, citation.end_page) == ("1043-51", "1043", "1051")
    assert citation.year == 2021
    assert citation.keywords == ["Sleep", "Shift Work Schedule/*adverse effects"]
    assert citation.issn == ["1234-5679", "0000-0019"]
    assert citation.isbn == []
    assert citation.abstract == "Nurses on night shifts slept less. They also napped more."
    assert citation.doi == "10.5555/inr.2021.7"
    assert citation.accession == citation.pmid == "33000007"
    assert citation.source_database == "PubMed"
    assert citation.language == "eng"
    assert citation.publication_type == "Journal Article"
    assert citation.url == "https://example.org/inr/7"
    assert citation.fields["titles/title"] == ["Sleep of night-shift nurses: a cohort"]
    assert citation.fields["ref-type@name"] == ["Journal Article"]
    assert not any("style" in name for name in citation.fields)


def test_values_without_style_wrappers() -> None:
    (book, bare), warnings = endnote_xml.parse(BARE_VALUES)
    assert warnings == []
    assert book.title == "Gardens that heal"
    assert book.journal == "Series on invented places"
    assert book.journal_abbrev == "Ser Invent Places"
    assert book.isbn == ["0306406152"]
    assert book.issn == []
    assert book.accession == "ISI:000111222333"
    assert book.pmid == ""
    assert book.keywords == ["healing", "gardens"]
    assert book.url == "https://doi.org/10.5555/GARDENS"
    assert book.doi == "10.5555/gardens"
    assert book.publication_type == "Book"
    # A numeric accession number with nothing saying it came from PubMed is not a PMID.
    assert (bare.accession, bare.pmid) == ("33000009", "")


def test_single_line_file_and_pubmed_link_confirms_the_pmid() -> None:
    (first, second), _ = endnote_xml.parse(SINGLE_LINE)
    assert (first.line, second.line) == (1, 1)
    assert first.title == "One line"
    assert first.pmid == "33000010"
    assert second.raw == "<record><titles><title>Second</title></titles></record>"


def test_record_without_title_is_kept_with_a_warning() -> None:
    text = "<xml><records>\n<record><accession-num>1</accession-num></record>\n</records></xml>"
    citations, warnings = endnote_xml.parse(text)
    assert len(citations) == 1
    assert [(w.line, w.field) for w in warnings] == [(2, "title")]


def test_not_well_formed_xml_names_the_line() -> None:
    broken = "<xml>\n<records>\n<record><titles><title>A</titles>\n</record></records></xml>"
    with pytest.raises(ExportFormatError) as caught:
        endnote_xml.parse(broken)
    assert caught.value.line == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (STYLED, True),
        (BARE_VALUES, True),
        (SINGLE_LINE, True),
        ("<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>", False),
        ("title,abstract\n<xml><records>,x\n", False),
    ],
)
def test_sniff(text: str, expected: bool) -> None:
    assert endnote_xml.sniff(text) is expected


# --- the real exports in ../shared/data/exports/endnote_xml (README table counts) ------------

SHARED_COUNTS = {
    "jabref_EndnoteXmlImporterTestArticle.xml": 1,
    "jabref_EndnoteXmlImporterTestArticle2.xml": 2,
    "jabref_EndnoteXmlImporterTestLabelAndMultiTitle.xml": 3,
    "jabref_EndnoteXmlImporterTest_WithoutUrlStyle.xml": 1,
    "sysrev_Endnote_3_citations.xml": 3,
    "zotero_EndnoteXML_case0.xml": 9,
    "zotero_EndnoteXML_case1.xml": 1,
}


def _shared(name: str) -> list:
    text, _, _ = decode(shared_file("exports", "endnote_xml", name).read_bytes())
    assert endnote_xml.sniff(text)
    return endnote_xml.parse(text)[0]


@requires_shared_data
@pytest.mark.parametrize(("name", "count"), sorted(SHARED_COUNTS.items()))
def test_shared_export_record_counts(name: str, count: int) -> None:
    citations = _shared(name)
    assert len(citations) == count
    assert all(c.title and c.raw.startswith("<record>") for c in citations)


@requires_shared_data
def test_shared_exports_folder_is_fully_covered() -> None:
    names = {p.name for p in shared_file("exports", "endnote_xml").iterdir()}
    assert names == set(SHARED_COUNTS)


@requires_shared_data
def test_shared_spot_checks() -> None:
    (bookends,) = _shared("jabref_EndnoteXmlImporterTestArticle.xml")
    assert bookends.doi == "10.1038/bjc.2014.606"
    assert bookends.accession == bookends.pmid == "25647015"
    assert [a.family for a in bookends.authors] == ["Ahmad", "Ormiston-Smith", "Sasieni"]
    assert bookends.title.startswith("Trends in the lifetime risk of developing cancer")
    assert "  " not in bookends.title

    sysrev = _shared("sysrev_Endnote_3_citations.xml")
    assert [c.pmid for c in sysrev] == ["25215519", "25706626", "19505094"]
    assert sysrev[0].doi == "10.1021/ja507655x"
    assert sysrev[0].issn == ["1520-5126", "0002-7863"]
    assert sysrev[0].authors[0].family == "Alkhabbaz"

    ecology = _shared("jabref_EndnoteXmlImporterTestArticle2.xml")
    assert [c.accession for c in ecology] == ["ISI:000200148800007", "ISI:000200148800014"]
    assert ecology[0].issn == ["0012-9658"]
    assert ecology[0].pmid == ""

    zotero = _shared("zotero_EndnoteXML_case0.xml")
    assert zotero[1].isbn == ["0881929115"]
    assert [a.family for a in zotero[1].authors] == ["Dunnett", "Kingsbury"]

    (styled,) = _shared("zotero_EndnoteXML_case1.xml")
    assert styled.title.startswith("Plain Bold Italics Underline")


def test_editors_and_corporate_authors_keep_their_roles_and_stay_whole() -> None:
    source = (
        "<xml><records><record><ref-type name='Book Section'>5</ref-type><contributors>"
        "<authors><author>World Health Organization,</author><author>Smith, Ann</author>"
        "</authors><secondary-authors><author>Editor, Bob</author></secondary-authors>"
        "<tertiary-authors><author>Series, Cy</author></tertiary-authors></contributors>"
        "<titles><title>A chapter</title><secondary-title>The book</secondary-title></titles>"
        "</record></records></xml>"
    )
    [citation] = endnote_xml.parse(source)[0]
    assert [(a.family, a.given, a.role) for a in citation.authors] == [
        ("World Health Organization", "", "author"),
        ("Smith", "Ann", "author"),
    ]
    assert [(a.family, a.role) for a in citation.editors] == [
        ("Editor", "editor"),
        ("Series", "series editor"),
    ]
    assert citation.journal == "The book"


def test_an_endnote_file_cut_off_keeps_its_records_with_a_warning() -> None:
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<xml><records>\n'
        "<record><titles><title>First</title></titles></record>\n"
        "<record><titles><title>Cut he"
    )
    citations, warnings = endnote_xml.parse(text)
    assert [c.title for c in citations] == ["First", "Cut he"]
    assert [w.line for w in warnings if "cut off" in w.message] == [4]
