"""A book chapter keeps its own title, its book as the container, its pages and editors
(issue 15), in every format that writes chapters."""

from __future__ import annotations

from screening.importers import medline, ovid, pubmed_xml

MEDLINE_CHAPTER = """PMID- 21249755
DP  - 2009
TI  - Peutz-Jeghers Syndrome
BTI - Cancer Syndromes
PG  - 101-9
FED - Riegert-Johnson, Douglas L
ED  - Riegert-Johnson DL
FED - Boardman, Lisa A
ED  - Boardman LA
FAU - Westra, Wytske
AU  - Westra W
PT  - Book Chapter
"""

MEDLINE_BOOK = """PMID- 20301295
DP  - 1993
BTI - GeneReviews
ED  - Adam MP
PT  - Book
"""


def test_a_medline_chapter_keeps_title_book_pages_and_editors() -> None:
    [chapter] = medline.parse(MEDLINE_CHAPTER)[0]
    assert (chapter.title, chapter.journal) == ("Peutz-Jeghers Syndrome", "Cancer Syndromes")
    assert (chapter.start_page, chapter.end_page) == ("101", "109")
    assert [a.display() for a in chapter.authors] == ["Westra, Wytske"]
    assert [(e.display(), e.role) for e in chapter.editors] == [
        ("Riegert-Johnson, Douglas L", "editor"),
        ("Boardman, Lisa A", "editor"),
    ]


def test_a_medline_whole_book_is_its_own_title_with_short_editor_names() -> None:
    [book] = medline.parse(MEDLINE_BOOK)[0]
    assert (book.title, book.journal) == ("GeneReviews", "")
    assert [(e.family, e.given, e.role) for e in book.editors] == [("Adam", "MP", "editor")]


PUBMED_BOOK_CHAPTER = """<PubmedBookArticleSet><PubmedBookArticle><BookDocument>
<PMID Version="1">20301331</PMID>
<Book>
  <BookTitle book="gene">GeneReviews</BookTitle>
  <PubDate><Year>1993</Year></PubDate>
  <AuthorList Type="editors">
    <Author><LastName>Adam</LastName><ForeName>Margaret P</ForeName></Author>
    <Author><CollectiveName>GeneReviews Editorial Board</CollectiveName></Author>
  </AuthorList>
</Book>
<ArticleTitle>Cystic Fibrosis</ArticleTitle>
<Pagination><MedlinePgn>12-30</MedlinePgn></Pagination>
<AuthorList Type="authors">
  <Author><LastName>Ong</LastName><ForeName>Thida</ForeName></Author>
</AuthorList>
</BookDocument></PubmedBookArticle></PubmedBookArticleSet>
"""


def test_a_pubmed_xml_chapter_keeps_title_book_pages_and_editors() -> None:
    [chapter] = pubmed_xml.parse(PUBMED_BOOK_CHAPTER)[0]
    assert (chapter.title, chapter.journal, chapter.pages) == (
        "Cystic Fibrosis",
        "GeneReviews",
        "12-30",
    )
    assert [a.display() for a in chapter.authors] == ["Ong, Thida"]
    assert [(e.display(), e.role) for e in chapter.editors] == [
        ("Adam, Margaret P", "editor"),
        ("GeneReviews Editorial Board", "editor"),
    ]


OVID_PSYCINFO_CHAPTER = """<1. >
VN - Ovid Technologies
DB - PsycINFO
AN - Book: 2011-27892-001.
TI - Understanding and tackling procrastination. [References].
YR - 2012
AU - Neenan, Michael
SO - Neenan, Michael [Ed]; Palmer, Stephen [Ed]. (2012). Cognitive behavioural coaching in \
practice: An evidence based approach. (pp. 11-31). xvii, 254 pp. New York, NY, US: Routledge
DT - Chapter
"""

OVID_BOOKS_CHAPTER = """<1. >
VN  - Ovid Technologies
DB  - Books@Ovid
ED  - McGarry, John W.;  Elsheikha, Hany M.
TI  - Life cycles of nematodes
BT  - Colour Atlas of Companion Animal Parasites
PG  - 45-60
YR  - 2024
"""


def test_an_ovid_psycinfo_chapter_reads_its_book_pages_and_editors_from_the_source() -> None:
    [chapter] = ovid.parse(OVID_PSYCINFO_CHAPTER)[0]
    assert chapter.title.startswith("Understanding and tackling procrastination")
    assert (
        chapter.journal == "Cognitive behavioural coaching in practice: An evidence based approach"
    )
    assert (chapter.start_page, chapter.end_page, chapter.year) == ("11", "31", 2012)
    assert [(e.display(), e.role) for e in chapter.editors] == [
        ("Neenan, Michael", "editor"),
        ("Palmer, Stephen", "editor"),
    ]
    assert [a.display() for a in chapter.authors] == ["Neenan, Michael"]


def test_an_ovid_books_chapter_keeps_its_book_title_pages_and_editors() -> None:
    [chapter] = ovid.parse(OVID_BOOKS_CHAPTER)[0]
    assert (chapter.title, chapter.journal) == (
        "Life cycles of nematodes",
        "Colour Atlas of Companion Animal Parasites",
    )
    assert chapter.pages == "45-60"
    assert [e.display() for e in chapter.editors] == ["McGarry, John W.", "Elsheikha, Hany M."]


def test_a_whole_book_is_not_its_own_container() -> None:
    source = OVID_BOOKS_CHAPTER.replace(
        "TI  - Life cycles of nematodes", "TI  - Colour Atlas of Companion Animal Parasites"
    )
    [book] = ovid.parse(source)[0]
    assert book.journal == ""
