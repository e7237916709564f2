"""MEDLINE / .nbib reader: PubMed, PubMed Central's MEDLARS display, ERIC's .nbib, and quirks."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.importers import medline, text
from screening.importers.citation import Author, Citation
from screening.importers.fields import collapse_space
from tests.shared_data import requires_shared_data, shared_file

# Fixtures in our own words, laid out as PubMed, PMC and ERIC write them.
PUBMED = """\
PMID- 31000001
OWN - NLM
STAT- MEDLINE
IS  - 1234-5678 (Electronic)
IS  - 1234-5678 (Linking)
IS  - 8765-432X (Print)
VI  - 12
IP  - 3
DP  - 2019 Nov 15
TI  - Walking programmes for older adults with knee pain: a randomised
      trial in primary care.
PG  - 221-8
LID - 10.1000/Knee.2019.001 [doi]
LID - S0000-0000(19)00001-1 [pii]
AB  - BACKGROUND: Knee pain limits walking. METHODS: We randomised 200
      adults. RESULTS: Pain fell. CONCLUSIONS: Walk more.
FAU - Smith, Jane Anne
AU  - Smith JA
AD  - Department of Things, Somewhere University, Sometown.
FAU - van der Berg, Piet
AU  - van der Berg P
AU  - Lone AB
CN  - Knee Trialists Group
LA  - eng
PT  - Randomized Controlled Trial
PT  - Journal Article
TA  - Knee Res
JT  - Knee research
MH  - Aged
MH  - Knee Joint/*physiopathology
OT  - walking
PMC - PMC6000001
AID - S0000-0000(19)00001-1 [pii]
AID - 10.1000/knee.2019.001 [doi]
SO  - Knee Res. 2019 Nov 15;12(3):221-8. doi: 10.1000/knee.2019.001.

PMID- 31000002
OWN - NLM
TI  - A second record.
DP  - 2020
"""

PMC_MEDLARS = """\
PMC - PMC7000001
PMID- 32000001
TI  - Sleep and screens in teenagers.
DP  - 2020 Mar
FAU - Ng, Kim
AU  - Ng K

PMC - PMC7000002
PMID- 32000002
TI  - Screens and sleep in children.
DP  - 2021
"""

ERIC_NBIB = """\

OWN - ERIC
TI  - Reading Aloud in Early Grades: A Field Study
AU  - Okafor, Ada N.
AU  - Lind, Sven
OT  - Reading Aloud to Others
OT  - Primary Education
JT  - Journal of Early Reading
SO  - v14 n2 p33-47 Apr 2019
AID - http://dx.doi.org/10.1000/jer.2019.14
OID - EJ1200001
VI  - 14
IP  - 2
PG  - 33-47
DP  - Apr 2019
LID - http://eric.ed.gov/?id=EJ1200001
AB  - Children read aloud more when the teacher does.
ISSN - ISSN-1111-2222
LA  - English
PT  - Journal Articles
PT  - Reports - Research


OWN - ERIC
TI  - Test Preparation and Retest Scores. Research Report 2019-2
AU  - Moreau, Lea
JT  - Testing Institute
AID - www.example.org/reports/retest-2019.pdf
OID - ED600001
DP  - 2019
LID - http://eric.ed.gov/?id=ED600001
ISBN - ISBN-978-1-5985-7192-9
ISSN - EISSN-
PT  - Reports - Research
"""


def read(source: str) -> tuple[list[Citation], list]:
    return medline.parse(source)


# --- PubMed ------------------------------------------------------------------------------


def test_pubmed_record_fields() -> None:
    citations, warnings = read(PUBMED)
    assert warnings == []
    assert len(citations) == 2
    first = citations[0]
    assert first.title == (
        "Walking programmes for older adults with knee pain: a randomised trial in primary care."
    )
    assert first.abstract.startswith("BACKGROUND: Knee pain limits walking. METHODS: We")
    assert first.abstract.endswith("CONCLUSIONS: Walk more.")
    assert first.year == 2019
    assert (first.journal, first.journal_abbrev) == ("Knee research", "Knee Res")
    assert (first.volume, first.issue) == ("12", "3")
    assert (first.pages, first.start_page, first.end_page) == ("221-228", "221", "228")
    assert first.doi == "10.1000/knee.2019.001"
    assert first.pmid == "31000001"
    assert first.pmcid == "PMC6000001"
    assert first.accession == "31000001"
    assert first.issn == ["1234-5678", "8765-432X"]
    assert first.keywords == ["Aged", "Knee Joint/*physiopathology", "walking"]
    assert first.language == "eng"
    assert first.publication_type == "Randomized Controlled Trial"
    assert first.source_database == "PubMed"


def test_pubmed_authors_pair_fau_with_au_and_keep_lone_au_and_groups() -> None:
    authors = read(PUBMED)[0][0].authors
    assert authors == [
        Author(family="Smith", given="Jane Anne", printed="Smith, Jane Anne"),
        Author(family="van der Berg", given="Piet", printed="van der Berg, Piet"),
        Author(family="Lone", given="AB", printed="Lone AB"),
        Author(family="Knee Trialists Group", printed="Knee Trialists Group"),
    ]


def test_raw_line_and_fields_keep_the_entry_as_read() -> None:
    first, second = read(PUBMED)[0]
    assert first.line == 1
    assert first.raw.startswith("PMID- 31000001\nOWN - NLM")
    assert first.raw.endswith(
        "SO  - Knee Res. 2019 Nov 15;12(3):221-8. doi: 10.1000/knee.2019.001."
    )
    assert first.fields["TI"] == [
        "Walking programmes for older adults with knee pain: a randomised trial in primary care."
    ]
    assert first.fields["IS"] == [
        "1234-5678 (Electronic)",
        "1234-5678 (Linking)",
        "8765-432X (Print)",
    ]
    assert first.fields["AU"] == ["Smith JA", "van der Berg P", "Lone AB"]
    assert second.line == first.raw.count("\n") + 3
    assert second.raw == "PMID- 31000002\nOWN - NLM\nTI  - A second record.\nDP  - 2020"


def test_leading_blank_line_legacy_layout() -> None:
    citations, warnings = read("\n" + PUBMED)
    assert [c.pmid for c in citations] == ["31000001", "31000002"]
    assert citations[0].line == 2
    assert warnings == []


def test_no_final_newline_keeps_the_last_record() -> None:
    source = PUBMED.rstrip("\n")
    assert not source.endswith("\n")
    citations, _ = read(source)
    assert [c.pmid for c in citations] == ["31000001", "31000002"]
    assert citations[-1].year == 2020


def test_new_pmid_line_starts_a_record_without_a_blank_line() -> None:
    source = "PMID- 1\nTI  - One.\nPMID- 2\nTI  - Two.\n"
    citations, _ = read(source)
    assert [(c.pmid, c.title, c.line) for c in citations] == [("1", "One.", 1), ("2", "Two.", 3)]


def test_doi_from_aid_only_and_from_so_when_no_tagged_doi() -> None:
    tagged_in_aid = "PMID- 5\nAID - 10.2000/ABC [doi]\n"
    assert read(tagged_in_aid)[0][0].doi == "10.2000/abc"
    only_source = "PMID- 6\nSO  - PeerJ. 2018;6:e5082. doi: 10.7717/peerj.5082. eCollection 2018.\n"
    assert read(only_source)[0][0].doi == "10.7717/peerj.5082"
    prefixed = "PMID-22664220\nAID - doi:10.1016/j.cpr.2005.02.002\n"
    assert read(prefixed)[0][0].doi == "10.1016/j.cpr.2005.02.002"
    pii_only = "PMID- 7\nAID - S0092-8674(93)90676-H [pii]\n"
    assert read(pii_only)[0][0].doi == ""


def test_et_al_is_not_an_author() -> None:
    source = "PMID- 8\nFAU - Gout, I\nAU  - Gout I\nAU  - et al.\n"
    assert [a.family for a in read(source)[0][0].authors] == ["Gout"]


def test_crlf_and_cr_line_ends_through_decode() -> None:
    for ending in ("\r\n", "\r"):
        data = PUBMED.replace("\n", ending).encode()
        decoded, _, _ = text.decode(data)
        citations, _ = read(decoded)
        assert [c.pmid for c in citations] == ["31000001", "31000002"]
        assert citations[0].title.endswith("a randomised trial in primary care.")


# --- PubMed Central and ERIC ------------------------------------------------------------


def test_pmc_medlars_records_start_with_pmc_then_pmid() -> None:
    citations, warnings = read(PMC_MEDLARS)
    assert warnings == []
    assert [(c.pmcid, c.pmid) for c in citations] == [
        ("PMC7000001", "32000001"),
        ("PMC7000002", "32000002"),
    ]
    assert citations[0].authors == [Author(family="Ng", given="Kim", printed="Ng, Kim")]


def test_pmc_line_repeats_start_a_record_without_a_blank_line() -> None:
    source = PMC_MEDLARS.replace("AU  - Ng K\n\n", "AU  - Ng K\n")
    assert [c.pmid for c in read(source)[0]] == ["32000001", "32000002"]


def test_eric_nbib() -> None:
    citations, warnings = read(ERIC_NBIB)
    assert warnings == []
    article, report = citations
    assert article.line == 2
    assert article.source_database == report.source_database == "ERIC"
    assert article.accession == "EJ1200001"
    assert article.pmid == ""
    assert article.doi == "10.1000/jer.2019.14"
    assert article.url == "http://eric.ed.gov/?id=EJ1200001"
    assert article.issn == ["1111-2222"]
    assert article.year == 2019
    assert article.pages == "33-47"
    assert article.keywords == ["Reading Aloud to Others", "Primary Education"]
    assert [a.display() for a in article.authors] == ["Okafor, Ada N.", "Lind, Sven"]
    assert article.publication_type == "Journal Articles"
    assert article.fields["ISSN"] == ["ISSN-1111-2222"]
    assert report.accession == "ED600001"
    assert report.url == "www.example.org/reports/retest-2019.pdf"
    assert report.doi == ""
    assert report.isbn == ["9781598571929"]
    assert report.issn == []
    assert report.journal == "Testing Institute"


# --- Noise and damage ---------------------------------------------------------------------


def test_garbage_line_between_records_is_skipped_with_a_warning() -> None:
    source = "PMID- 1\nTI  - One.\n\nThis line should be omitted by the importer.\n\nPMID- 2\n"
    citations, warnings = read(source)
    assert [c.pmid for c in citations] == ["1", "2"]
    assert len(warnings) == 1
    assert warnings[0].line == 4
    assert "This line should be omitted" in warnings[0].message


def test_untagged_line_inside_a_record_continues_the_value_with_a_warning() -> None:
    source = "PMID- 1\nTI  - A title that lost\nits indentation.\nDP  - 2001\n"
    citations, warnings = read(source)
    assert citations[0].title == "A title that lost its indentation."
    assert citations[0].year == 2001
    assert [(w.line, w.field) for w in warnings] == [(3, "TI")]


def test_jabref_style_odd_tags() -> None:
    source = "PMC -22664230\nTI-\nFAU -\nBTI -    \nAB  - Old\nAB  - new\n\nPMID-22664238\n"
    citations, warnings = read(source)
    assert warnings == []
    first, second = citations
    assert first.pmcid == "PMC22664230"
    assert first.title == ""
    assert first.authors == []
    assert first.abstract == "Old new"
    assert first.fields["TI"] == [""]
    assert second.pmid == "22664238"


def test_sniff() -> None:
    assert medline.sniff(PUBMED)
    assert medline.sniff("\n\n" + PUBMED)
    assert medline.sniff(ERIC_NBIB)
    assert medline.sniff(PMC_MEDLARS)
    assert not medline.sniff("TY  - JOUR\nTI  - A title\nER  - \n")
    assert not medline.sniff("<?xml version='1.0'?><PubmedArticleSet/>")
    assert not medline.sniff("@article{key, title={T}}")
    assert not medline.sniff("")


# --- dump ---------------------------------------------------------------------------------


def test_dump_round_trip_of_a_parsed_file() -> None:
    original = read(PUBMED)[0] + read(ERIC_NBIB)[0]
    again, warnings = read(medline.dump(original))
    assert warnings == []
    assert len(again) == len(original)
    for before, after in zip(original, again, strict=True):
        assert _essentials(after) == _essentials(before)
    assert again[-1].source_database == "ERIC"
    assert again[-1].accession == "ED600001"


def test_dump_wraps_long_values_like_pubmed() -> None:
    citation = Citation(raw="", line=1, title="word " * 60, pmid="1")
    dumped = medline.dump([citation])
    assert all(len(line) <= 82 for line in dumped.splitlines())
    assert "\n      word" in dumped
    assert read(dumped)[0][0].title == collapse_space("word " * 60)


def test_dump_of_a_record_with_nothing_still_reads_back_as_one_record() -> None:
    assert len(read(medline.dump([Citation(raw="", line=1)] * 2))[0]) == 2


def _essentials(citation: Citation) -> tuple:
    return (
        citation.title,
        citation.abstract,
        [(a.family, a.given) for a in citation.authors],
        citation.year,
        citation.journal,
        citation.volume,
        citation.issue,
        citation.pages,
        citation.doi,
        citation.pmid,
        citation.keywords,
    )


_WORD_CHARS = st.characters(categories=("L", "N", "P", "S"), exclude_characters="\x85")
_TEXT = st.text(st.one_of(_WORD_CHARS, st.just(" ")), max_size=300).map(collapse_space)
_NAME = st.text(st.characters(categories=("Lu", "Ll")), min_size=1, max_size=12)


@st.composite
def citations(draw: st.DrawFn) -> Citation:
    first_page = draw(st.integers(1, 5000))
    authors = [
        Author(family=draw(_NAME), given=draw(st.sampled_from(["", "J", "Ann B", "Jo-Ann"])))
        for _ in range(draw(st.integers(0, 5)))
    ]
    return Citation(
        raw="",
        line=1,
        title=draw(_TEXT),
        abstract=draw(_TEXT),
        authors=authors,
        year=draw(st.one_of(st.none(), st.integers(1500, 2099))),
        journal=draw(_TEXT),
        volume=draw(st.from_regex(r"[0-9]{0,3}", fullmatch=True)),
        issue=draw(st.from_regex(r"[0-9]{0,2}", fullmatch=True)),
        pages=f"{first_page}-{first_page + draw(st.integers(1, 40))}",
        doi=draw(st.from_regex(r"10\.[0-9]{4,6}/[a-z0-9.]{1,12}[a-z0-9]", fullmatch=True)),
        pmid=draw(st.from_regex(r"[1-9][0-9]{0,8}", fullmatch=True)),
        keywords=draw(st.lists(_TEXT.filter(bool), max_size=4)),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(citations(), min_size=1, max_size=3))
def test_hypothesis_dump_then_parse_round_trips(originals: list[Citation]) -> None:
    again, warnings = read(medline.dump(originals))
    assert warnings == []
    assert [_essentials(c) for c in again] == [_essentials(c) for c in originals]


# --- the real exports in ../shared/data/exports --------------------------------------------

# Counts from the README's table. JabRef's test file is the one exception: the README counts
# its `PMID-` lines (5), but it also holds a `PMC -22664230` record and a `PMCR-` record
# separated by blank lines, which JabRef's own test expects as 7 entries, and so do we.
CORPUS = {
    "pubmed_medline/biopython_pubmed_result1.txt": 1,
    "pubmed_medline/biopython_pubmed_result2.txt": 4,
    "pubmed_medline/biopython_pubmed_result3.txt": 1,
    "pubmed_medline/citation-file-formatting_baseline_pubmed.ris": 50,
    "pubmed_medline/jabref_MedlinePlainImporterTestMultipleEntries.txt": 7,
    "pubmed_medline/jabref_NbibImporterTest.nbib": 1,
    "pubmed_medline/metaknowledge_medline_test.medline": 175,
    "pubmed_medline/nbib_pmc_medlars.txt": 5,
    "pubmed_medline/nbib_pubmed-balloongui-set.nbib": 75,
    "pubmed_medline/nbib_single.nbib": 1,
    "pubmed_medline/revtools_restoration_pubmed.nbib": 104,
    "pubmed_medline/synthesisr_PubMed_example.txt": 3,
    "pubmed_medline/synthesisr_res_synth_methods.txt": 2,
    "pubmed_medline/zotero_MEDLINEnbib_case1.nbib": 2,
    "pubmed_medline/zotero_MEDLINEnbib_case2.nbib": 1,
    "pubmed_medline/zotero_MEDLINEnbib_case3.nbib": 1,
    "pubmed_medline/zotero_MEDLINEnbib_case5.nbib": 1,
    "pubmed_medline/zotero_MEDLINEnbib_case8.nbib": 1,
    "eric/colrev_eric_nbib.nbib": 1,
    "eric/zotero_MEDLINEnbib_case4_eric.nbib": 3,
    "eric/zotero_MEDLINEnbib_case6_eric.nbib": 4,
    "eric/zotero_MEDLINEnbib_case7_eric.nbib": 2,
}


def read_shared(path: str) -> tuple[list[Citation], list]:
    decoded, _, _ = text.decode(shared_file("exports", path).read_bytes())
    assert medline.sniff(decoded)
    return medline.parse(decoded)


@requires_shared_data
@pytest.mark.shared_data
@pytest.mark.parametrize(("path", "count"), sorted(CORPUS.items()))
def test_corpus_record_counts(path: str, count: int) -> None:
    citations, _ = read_shared(path)
    assert len(citations) == count
    assert all(c.raw and c.line >= 1 for c in citations)


@requires_shared_data
@pytest.mark.shared_data
def test_corpus_jabref_garbage_line_is_a_warning() -> None:
    citations, warnings = read_shared(
        "pubmed_medline/jabref_MedlinePlainImporterTestMultipleEntries.txt"
    )
    assert [(w.line, "omitted by the importer" in w.message) for w in warnings] == [(53, True)]
    assert citations[0].title.startswith("From danger and motherhood to health and beauty")
    assert [a.display() for a in citations[0].authors] == ["Long, Vicky", "Marland, Hilary"]
    assert citations[3].doi == "10.1016/j.cpr.2005.02.002"


@requires_shared_data
@pytest.mark.shared_data
def test_corpus_spot_checks() -> None:
    biopython = read_shared("pubmed_medline/biopython_pubmed_result2.txt")[0][0]
    assert (biopython.pmid, biopython.pmcid, biopython.line) == ("16403221", "PMC1373603", 2)
    assert biopython.doi == "10.1186/1471-2105-7-10"
    assert biopython.pages == "10"

    pmc = read_shared("pubmed_medline/nbib_pmc_medlars.txt")[0][1]
    assert (pmc.pmcid, pmc.pmid, pmc.doi) == ("PMC6088416", "30123504", "10.1186/s40337-018-0207-1")

    no_final_newline = read_shared("pubmed_medline/synthesisr_PubMed_example.txt")[0][-1]
    assert (no_final_newline.pmid, no_final_newline.doi) == ("29967742", "10.7717/peerj.5082")

    eric = read_shared("eric/zotero_MEDLINEnbib_case6_eric.nbib")[0]
    assert [c.accession for c in eric] == ["ED576982", "EJ1208101", "ED562752", "EJ410320"]
    assert eric[1].doi == "10.1007/s11423-019-09653-8"
    assert eric[1].issn == ["1042-1629"]
    assert eric[0].url == "www.oecd.org/pisa/pisa-for-development/16-Findings-from-in-school-FT.pdf"

    eric_isbn = read_shared("eric/zotero_MEDLINEnbib_case7_eric.nbib")[0]
    assert eric_isbn[0].isbn == ["9798209887621"]
    assert eric_isbn[1].isbn == ["9781598571929"]
