"""Ovid tagged and field-label readers: own fixtures for each layout and quirk, then real exports."""

from __future__ import annotations

import re

import pytest

from screening.importers import ovid
from screening.importers.citation import Citation
from screening.importers.text import decode
from tests.shared_data import requires_shared_data, shared_file

JOURNALS = """<4. >
VN  - Ovid Technologies
DB  - Journals@Ovid
AN  - 00011111-201901000-00007.
AU  - Hollow, Ivy MD, PhD 1,2,*
AU  - Bramble, Rowan 2
IN  - (1)Dept of Hedges, Somewhere; (2)Dept of Paths, Elsewhere.
TI  - Hedgerow width and the nesting of small birds.  [Article]
SO  - Journal of Field Margins March 2019;21(3):101-9
IS  - 1111-2222
LG  - English.
KW  - hedgerows;  nesting;  farmland birds
DI  - 10.5555/JFM.0000000000000123
XL  - http://ovidsp.ovid.com/ovidweb.cgi?T=JS&AN=00011111-201901000-00007

<9. >
VN  - Ovid Technologies
DB  - PsycINFO
AN  - Peer Reviewed Journal: 2020-11111-004.
TI  - Counting sheep before sleep. [References].
YR  - 2020
AU  - Dozer, Nap
AB  - Participants counted sheep. Some slept.
DO  - https://dx.doi.org/10.5555/sleep.2020.4
PM  - 32000001
IS  - 2222-3333
IT  - 3333-4444
ID  - sleep onset, counting, imagery
MH  - *Sleep Onset
MH  - Imagery
SO  - Journal of Bedtime Studies. Vol.8(2), Feb 2020, pp. 44-51.
JN  - Journal of Bedtime Studies
VO  - 8
IP  - 2
PG  - 44-51
PT  - Journal
PT  - Peer Reviewed Journal
DT  - Journal Article
"""


def test_tagged_journals_record() -> None:
    citations, warnings = ovid.parse(JOURNALS)
    assert warnings == []
    first = citations[0]
    assert first.line == 1
    assert first.title == "Hedgerow width and the nesting of small birds."
    assert [a.display() for a in first.authors] == ["Hollow, Ivy", "Bramble, Rowan"]
    assert first.journal == "Journal of Field Margins"
    assert (first.volume, first.issue, first.pages) == ("21", "3", "101-9")
    assert (first.start_page, first.end_page) == ("101", "109")
    assert first.year == 2019
    assert first.doi == "10.5555/jfm.0000000000000123"
    assert first.accession == "00011111-201901000-00007"
    assert first.issn == ["1111-2222"]
    assert first.language == "English"
    assert first.keywords == ["hedgerows", "nesting", "farmland birds"]
    assert first.source_database == "Journals@Ovid"
    assert first.url.startswith("http://ovidsp.ovid.com/")
    assert first.fields["IN"] == ["(1)Dept of Hedges, Somewhere; (2)Dept of Paths, Elsewhere."]


def test_tagged_psycinfo_record_prefers_explicit_fields() -> None:
    second = ovid.parse(JOURNALS)[0][1]
    assert second.line == JOURNALS.split("\n").index("<9. >") + 1
    assert second.title == "Counting sheep before sleep."
    assert second.accession == "2020-11111-004"
    assert second.doi == "10.5555/sleep.2020.4"
    assert second.pmid == "32000001"
    assert second.issn == ["2222-3333", "3333-4444"]
    assert second.journal == "Journal of Bedtime Studies"
    assert (second.volume, second.issue, second.pages, second.year) == ("8", "2", "44-51", 2020)
    assert second.keywords == ["sleep onset", "counting", "imagery", "Sleep Onset", "Imagery"]
    assert second.publication_type == "Journal; Peer Reviewed Journal"
    assert second.abstract == "Participants counted sheep. Some slept."


def test_raw_keeps_the_record_without_trailing_blank_lines() -> None:
    first = ovid.parse(JOURNALS)[0][0]
    assert first.raw.startswith("<4. >\nVN  - Ovid Technologies\n")
    assert first.raw.endswith("AN=00011111-201901000-00007")


# One leading space on every line, indented continuations with blank lines between them, and an
# unindented line that Ovid wrapped straight below its tag.
INDENTED = """ <7. >
 VN  - Ovid Technologies
 DB  - PsycINFO
 AN  - Book: 2019-22222-001.
 TI  - Moss gardens for small spaces.
 AU  - Garden, Moss
 IN  - Garden, Moss: Town College, Town
 $
       Second address line
 GS  - <b>Sponsor: </b>Moss Society
 <b>Grant: </b>M-1
 $
 RF  - First reference.
 $
       Second reference.
 YR  - 2019
""".replace("$", "")


def test_leading_space_variant_and_continuations() -> None:
    citations, warnings = ovid.parse(INDENTED)
    assert warnings == []
    (record,) = citations
    assert record.title == "Moss gardens for small spaces."
    assert record.accession == "2019-22222-001"
    assert record.fields["IN"] == ["Garden, Moss: Town College, Town Second address line"]
    assert record.fields["GS"] == ["<b>Sponsor: </b>Moss Society <b>Grant: </b>M-1"]
    assert record.fields["RF"] == ["First reference. Second reference."]
    assert record.year == 2019


SINGLE_SPACE = """<53. >
VN - Ovid Technologies
DB - PsycINFO
TI - Lists, lists, lists.

DP - 2014
AU - Planner, Paula
IB - 978-0-306-40615-7 (Paperback), 0-306-40615-2 (PDF)
SCORE  - *****
XP  - XL  - https://ovidsp.ovid.com/ovidweb.cgi?AN=123
"""


def test_single_space_variant_and_odd_tags() -> None:
    (record,) = ovid.parse(SINGLE_SPACE)[0]
    assert record.title == "Lists, lists, lists."
    assert record.year == 2014
    assert record.isbn == ["9780306406157", "0306406152"]
    assert record.fields["SCORE"] == ["*****"]
    assert record.url == "https://ovidsp.ovid.com/ovidweb.cgi?AN=123"


MEDLINE_TAGGED = """<1. >
VN  - Ovid Technologies
DB  - Ovid MEDLINE(R) <1946 to Present>
UI  - 19876543
TI  - Salt intake in retired lighthouse keepers.
AU  - Keeper L
AU  - Lamp BC
SO  - Journal of Coastal Health. 12(3):1998-2005, 2010 Mar.
"""


def test_medline_tagged_unique_identifier_is_the_pmid() -> None:
    (record,) = ovid.parse(MEDLINE_TAGGED)[0]
    assert record.pmid == "19876543"
    assert record.accession == "19876543"
    assert [a.display() for a in record.authors] == ["Keeper, L", "Lamp, BC"]
    assert record.journal == "Journal of Coastal Health"
    assert (record.volume, record.issue) == ("12", "3")
    # The pages look like years; the year is the one after them.
    assert (record.start_page, record.end_page, record.year) == ("1998", "2005", 2010)


FIELD_LABEL = """<1>
Unique Identifier
  21212121
Authors
  Thorn R  Petal S
Title
  Rose pruning in late winter.
Source
  Journal of Garden Science. 30(2):77-84, 2011 Feb.
Digital Object Identifier
  https://dx.doi.org/10.5555/jgs.2011.77
ISSN Print
  3333-5555
Keyword Heading
  roses; pruning
MeSH Subject Headings
  *Rosa
  Seasons
Language
  English
Publication Type
  Journal Article
Year of Publication
  2011
Database
  Ovid MEDLINE(R)
URL
  https://example.org/rose
Abstract
  Roses were pruned in February.
  Most flowered well.

<2>
Accession Number
  00022222-900000000-11111.
Author
  Oak, Quercus MD *;  Ash, Fraxinus PhD +
Institution
  (*)First Place
  (+)Second Place
Title
  Acorns and ash keys.[Review]
Source
  Tree Journal.   5(1):10-20, June 2016.
DOI Number
  10.5555/TJ.0000000000000005
Link to the Ovid Full Text or citation
 http://ovidsp.ovid.com/ovidweb.cgi?AN=00022222-900000000-11111
"""


def test_field_label_medline_record() -> None:
    citations, warnings = ovid.parse(FIELD_LABEL)
    assert warnings == []
    first = citations[0]
    assert first.pmid == "21212121"
    assert [a.display() for a in first.authors] == ["Thorn, R", "Petal, S"]
    assert first.title == "Rose pruning in late winter."
    assert first.journal == "Journal of Garden Science"
    assert (first.volume, first.issue, first.pages, first.year) == ("30", "2", "77-84", 2011)
    assert first.doi == "10.5555/jgs.2011.77"
    assert first.issn == ["3333-5555"]
    assert first.keywords == ["roses", "pruning", "Rosa", "Seasons"]
    assert first.language == "English"
    assert first.publication_type == "Journal Article"
    assert first.source_database == "Ovid MEDLINE(R)"
    assert first.url == "https://example.org/rose"
    assert first.abstract == "Roses were pruned in February. Most flowered well."
    assert first.fields["Abstract"] == ["Roses were pruned in February.", "Most flowered well."]


def test_field_label_journals_record() -> None:
    second = ovid.parse(FIELD_LABEL)[0][1]
    assert second.line == FIELD_LABEL.split("\n").index("<2>") + 1
    assert second.accession == "00022222-900000000-11111"
    assert second.pmid == ""
    assert [a.display() for a in second.authors] == ["Oak, Quercus", "Ash, Fraxinus"]
    assert second.title == "Acorns and ash keys."
    assert (second.journal, second.volume, second.issue, second.year) == (
        "Tree Journal",
        "5",
        "1",
        2016,
    )
    assert second.doi == "10.5555/tj.0000000000000005"
    assert second.url == "http://ovidsp.ovid.com/ovidweb.cgi?AN=00022222-900000000-11111"
    assert second.fields["Institution"] == ["(*)First Place", "(+)Second Place"]


def test_search_history_before_the_first_record_is_one_warning() -> None:
    text = "Database: Ovid MEDLINE(R)\nSearch Strategy:\n 1 roses.ti. (12)\n\n" + MEDLINE_TAGGED
    citations, warnings = ovid.parse(text)
    assert len(citations) == 1
    assert citations[0].line == 5
    assert [w.line for w in warnings] == [1]
    assert "3 line(s)" in warnings[0].message


def test_stray_line_after_a_blank_inside_a_tagged_record_is_skipped() -> None:
    text = MEDLINE_TAGGED + "\nLink to the Ovid Full Text or citation: https://example.org/x\n"
    citations, warnings = ovid.parse(text)
    assert len(citations) == 1
    assert "UI" in citations[0].fields
    assert [w.line for w in warnings] == [len(MEDLINE_TAGGED.split("\n")) + 1]


def test_label_without_a_value_is_reported() -> None:
    text = (
        "<1>\nTitle\n  A title\nthis line is not a label\nSource\n  Some Journal. 1(1):1-2, 2001.\n"
    )
    citations, warnings = ovid.parse(text)
    assert citations[0].title == "A title"
    assert citations[0].journal == "Some Journal"
    assert [w.line for w in warnings] == [4]


def test_empty_record_is_skipped_with_a_warning() -> None:
    citations, warnings = ovid.parse("<1. >\n\n" + MEDLINE_TAGGED.replace("<1. >", "<2. >"))
    assert len(citations) == 1
    assert warnings[0].line == 1


@pytest.mark.parametrize(
    "text",
    [JOURNALS, INDENTED, SINGLE_SPACE, FIELD_LABEL, "Search history\n\n<1>\nTitle\n  x\n"],
)
def test_sniff_accepts_ovid_layouts(text: str) -> None:
    assert ovid.sniff(text)


@pytest.mark.parametrize(
    "text",
    [
        "1. \nTY  - JOUR\nDB  - Ovid MEDLINE(R)\nER  - \n",
        "PMID- 12345\nTI  - A title\n",
        "TY  - JOUR\nER  - \n<1>\n",
        "Plain notes with no records.\n",
    ],
)
def test_sniff_rejects_other_formats(text: str) -> None:
    assert not ovid.sniff(text)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "Forest Ecology & Management. 201(2-3):327-334, November 15, 2004.",
            {
                "journal": "Forest Ecology & Management",
                "volume": "201",
                "issue": "2-3",
                "pages": "327-334",
                "year": "2004",
            },
        ),
        (
            "Acta Chirurgica Belgica November/December 2010;6:611-613",
            {
                "journal": "Acta Chirurgica Belgica",
                "volume": "6",
                "pages": "611-613",
                "year": "2010",
            },
        ),
        (
            "Hydrobiologia. 2007 15 June; 433-441.",
            {"journal": "Hydrobiologia", "pages": "433-441", "year": "2007"},
        ),
        (
            "Dissertation Abstracts International Section A: Humanities and Social Sciences. "
            "Vol.75(2-A(E)),2014, pp. No Pagination Specified.",
            {
                "journal": "Dissertation Abstracts International Section A: Humanities and Social "
                "Sciences",
                "volume": "75",
                "issue": "2-A(E)",
                "year": "2014",
            },
        ),
        (
            "Journal of Political Studies 12, Winter 2007: 7-14.",
            {"journal": "Journal of Political Studies", "pages": "7-14", "year": "2007"},
        ),
        ("Journal of Wall Studies. ", {"journal": "Journal of Wall Studies"}),
    ],
)
def test_parse_source(source: str, expected: dict[str, str]) -> None:
    assert ovid.parse_source(source) == expected


def test_book_chapter_source_gives_the_book_as_container_not_a_journal_parse() -> None:
    text = (
        "<1. >\nVN  - Ovid Technologies\nTI  - A chapter.\nAU  - Writer, Wendy\n"
        "SO  - Editor, Ed [Ed]. (2012). A big book. (pp. 11-31). New York: Press.\n"
    )
    (record,) = ovid.parse(text)[0]
    assert record.journal == "A big book"
    assert (record.volume, record.issue) == ("", "")
    assert record.pages == "11-31"
    assert record.year == 2012
    assert [(e.display(), e.role) for e in record.editors] == [("Editor, Ed", "editor")]


# ---------------------------------------------------------------------------------------------
# Real exports in ../shared/data/exports/ovid_tagged and ovid_fieldlabel (README counts)
# ---------------------------------------------------------------------------------------------

EXPECTED_COUNTS = {
    "ovid_tagged/zotero_OVIDTagged_case0_biosis.txt": 4,
    "ovid_tagged/zotero_OVIDTagged_case1_ipsa.txt": 2,
    "ovid_tagged/zotero_OVIDTagged_case2_journalsovid.txt": 4,
    "ovid_tagged/zotero_OVIDTagged_case3_zoorec.txt": 4,
    "ovid_tagged/zotero_OVIDTagged_case5_psycinfo.txt": 2,
    "ovid_tagged/zotero_OVIDTagged_case6_psycinfo.txt": 2,
    "ovid_tagged/zotero_OVIDTagged_case9_booksovid.txt": 2,
    "ovid_fieldlabel/jabref_OvidImporterTest3.txt": 1,
    "ovid_fieldlabel/jabref_OvidImporterTest4.txt": 1,
    "ovid_fieldlabel/jabref_OvidImporterTest6.txt": 1,
}


def _parse_real(path: str) -> list[Citation]:
    text, _encoding, _warnings = decode(shared_file("exports", *path.split("/")).read_bytes())
    citations, warnings = ovid.parse(text)
    assert warnings == []
    return citations


@requires_shared_data
@pytest.mark.shared_data
def test_readme_counts_match_this_table() -> None:
    readme = shared_file("exports", "README.md").read_text(encoding="utf-8")
    pattern = r"^\| `(ovid_(?:tagged|fieldlabel)/[^`]+)` \|[^|]*\|[^|]*\| (\d+) \|"
    rows = re.findall(pattern, readme, re.MULTILINE)
    assert {name: int(count) for name, count in rows} == EXPECTED_COUNTS


@requires_shared_data
@pytest.mark.shared_data
@pytest.mark.parametrize(("path", "count"), sorted(EXPECTED_COUNTS.items()))
def test_real_export_record_count(path: str, count: int) -> None:
    text, _encoding, _warnings = decode(shared_file("exports", *path.split("/")).read_bytes())
    assert ovid.sniff(text)
    citations = _parse_real(path)
    assert len(citations) == count
    assert all(c.title and c.source_database + c.accession for c in citations)


@requires_shared_data
@pytest.mark.shared_data
def test_real_biosis() -> None:
    first, second = _parse_real("ovid_tagged/zotero_OVIDTagged_case0_biosis.txt")[:2]
    assert first.accession == "PREV200400474164"
    assert first.authors[0].display() == "Walsdorf, Neill B."
    assert first.publication_type == "Patent"
    assert second.authors[0].display() == "Werner, S. M."
    assert (second.journal, second.volume, second.issue) == (
        "Forest Ecology & Management",
        "201",
        "2-3",
    )
    assert (second.start_page, second.end_page, second.year) == ("327", "334", 2004)


@requires_shared_data
@pytest.mark.shared_data
def test_real_journals_ovid() -> None:
    citations = _parse_real("ovid_tagged/zotero_OVIDTagged_case2_journalsovid.txt")
    assert citations[0].doi == "10.1249/fit.0b013e3181c6723d"
    assert citations[0].accession == "00135124-201001000-00018"
    assert citations[0].title == "Take Ten: Need-to-Know Facts About Breast Cancer."
    assert [a.family for a in citations[1].authors][:3] == ["Zhang", "Ding", "Chen"]
    assert citations[3].doi == "10.1097/dad.0b013e31820d9c0e"


@requires_shared_data
@pytest.mark.shared_data
def test_real_zoological_record_continuations() -> None:
    first = _parse_real("ovid_tagged/zotero_OVIDTagged_case3_zoorec.txt")[0]
    assert first.accession == "ZOOR14305031738"
    assert first.line == 1
    assert "Walckenaeria vigilax" in first.fields["SY"][0]
    assert first.authors[0].display() == "Marusik, YuM"


@requires_shared_data
@pytest.mark.shared_data
def test_real_psycinfo_leading_space_variant() -> None:
    first, second = _parse_real("ovid_tagged/zotero_OVIDTagged_case5_psycinfo.txt")
    assert first.title.startswith("A comparison of manifestations and impact of reassurance")
    assert first.pmid == "24892981"
    assert first.doi == "10.1017/s1352465814000277"
    assert first.accession == "2015-33942-012"
    assert second.pmid == "24331028"
    assert len(second.authors) == 5


@requires_shared_data
@pytest.mark.shared_data
def test_real_psycinfo_single_space_variant() -> None:
    first, second = _parse_real("ovid_tagged/zotero_OVIDTagged_case6_psycinfo.txt")
    assert first.title.startswith("Academic procrastination as mediated by executive")
    assert first.accession == "2014-99150-257"
    assert first.isbn == ["9781303529245"]
    assert second.title == "Understanding and tackling procrastination."
    assert second.journal == (
        "Cognitive behavioural coaching in practice: An evidence based approach"
    )


@requires_shared_data
@pytest.mark.shared_data
def test_real_books_ovid() -> None:
    first = _parse_real("ovid_tagged/zotero_OVIDTagged_case9_booksovid.txt")[0]
    assert first.title.startswith("Colour Atlas of Companion Animal Parasites")
    assert first.isbn == ["9781800627345"]
    assert first.url.startswith("https://ovidsp.ovid.com/")


@requires_shared_data
@pytest.mark.shared_data
def test_real_field_label_files() -> None:
    (test3,) = _parse_real("ovid_fieldlabel/jabref_OvidImporterTest3.txt")
    assert test3.line == 1
    assert test3.doi == "10.1136/amiajnl-2014-002886"
    assert test3.accession == "00042637-900000000-99667"
    assert [a.display() for a in test3.authors] == [
        "Holstiege, Jakob",
        "Mathes, Tim",
        "Pieper, Dawid",
    ]
    (test4,) = _parse_real("ovid_fieldlabel/jabref_OvidImporterTest4.txt")
    assert (test4.journal, test4.volume, test4.issue) == ("Ecohydrology", "8", "6")
    assert (test4.start_page, test4.end_page, test4.year) == ("1048", "1064", 2015)
    assert len(test4.fields["References"]) > 50
    (test6,) = _parse_real("ovid_fieldlabel/jabref_OvidImporterTest6.txt")
    assert [a.display() for a in test6.authors][2] == "van Vugt, Arie"
    assert test6.doi == "10.1097/bot.0000000000000502"
