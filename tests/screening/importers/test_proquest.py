"""ProQuest plain-text report reader: own fixtures for each layout and quirk, then the real file."""

from __future__ import annotations

import re

import pytest

from screening.importers import proquest
from screening.importers.text import decode
from tests.shared_data import requires_shared_data, shared_file

RULE = "_" * 60

REPORT = f"""{RULE}

Report Information from ProQuest
March 03 2021 10:00
{RULE}


{RULE}

Table of contents

1. Pond dipping with children: a diary study

2. Frogs: a thesis

Bibliography

{RULE}

Document 1 of 2

Pond dipping with children: a diary study

Author: Pond, Lily; Newt, Great C

Publication info: Journal of Outdoor Learning 14.2 (2019): 221-8.

Abstract: Teachers kept diaries of pond visits.

Results: children named more animals after each visit.

Conclusions: ponds teach.

Subject: Outdoor education; Ponds

Identifier / keyword: pond dipping; diaries

Funding body: Pond Trust

Title: Pond dipping with children: a diary study

Publication title: Journal of Outdoor Learning

Volume: 14

Issue: 2

Pages: 221-8

Publication year: 2019

Publication date: Apr 2019

ISSN: 1234-5678

e-ISSN: 8765-4321

DOI: https://doi.org/10.5555/JOL.2019.221

Language of publication: English

Document type: Journal Article

ProQuest document ID: 2222222222

Document URL: https://www.proquest.com/docview/2222222222?accountid=1&amp;x=2

Database: Education Database

{RULE}

Document 2 of 2

Frogs: a thesis

Author: Hopper, Ann

http://search.proquest.com/docview/3333333333?accountid=1

Abstract: Frogs were counted.

Links: http://sfx.example.org/link?a=1&amp;b=2

http://sfx.example.org/link?a=1&amp;b=3

Identifier / keyword: Biological sciences, Frogs, Ponds

ISBN: 978-0-306-40615-7

First page: 12

Language: English

ProQuest document ID: 3333333333

Publication year: 2018

Database: ProQuest Dissertations & Theses Global

{RULE}

Bibliography

Citation style: APA 6th - American Psychological Association, 6th Edition

Pond, L., & Newt, G. C. (2019). Pond dipping with children.

{RULE}

Contact us at: http://www.proquest.com/go/contact
"""


def test_journal_article_record() -> None:
    citations, warnings = proquest.parse(REPORT)
    assert warnings == []
    assert len(citations) == 2
    first = citations[0]
    assert first.line == REPORT.split("\n").index("Document 1 of 2") + 1
    assert first.title == "Pond dipping with children: a diary study"
    assert [a.display() for a in first.authors] == ["Pond, Lily", "Newt, Great C"]
    assert first.journal == "Journal of Outdoor Learning"
    assert (first.volume, first.issue, first.pages) == ("14", "2", "221-8")
    assert (first.start_page, first.end_page) == ("221", "228")
    assert first.year == 2019
    assert first.issn == ["1234-5678", "8765-4321"]
    assert first.doi == "10.5555/jol.2019.221"
    assert first.language == "English"
    assert first.publication_type == "Journal Article"
    assert first.accession == "2222222222"
    assert first.source_database == "Education Database"
    assert first.url == "https://www.proquest.com/docview/2222222222?accountid=1&x=2"
    assert first.keywords == ["Outdoor education", "Ponds", "pond dipping", "diaries"]


def test_abstract_runs_over_paragraphs_until_the_next_known_label() -> None:
    first = proquest.parse(REPORT)[0][0]
    assert first.abstract == (
        "Teachers kept diaries of pond visits. Results: children named more animals after each "
        "visit. Conclusions: ponds teach."
    )
    assert "Results" not in first.fields
    # An unknown label after a single-line field is a field of its own.
    assert first.fields["Funding body"] == ["Pond Trust"]


def test_raw_and_fields_keep_the_record_as_read() -> None:
    first, second = proquest.parse(REPORT)[0]
    assert first.raw.startswith("Document 1 of 2\n\nPond dipping with children")
    assert first.raw.endswith("Database: Education Database")
    assert first.fields["Heading"] == ["Pond dipping with children: a diary study"]
    assert second.fields["Links"] == [
        "http://sfx.example.org/link?a=1&amp;b=2",
        "http://sfx.example.org/link?a=1&amp;b=3",
    ]


def test_older_dissertation_layout() -> None:
    second = proquest.parse(REPORT)[0][1]
    assert second.title == "Frogs: a thesis"
    assert [a.display() for a in second.authors] == ["Hopper, Ann"]
    assert second.url == "http://search.proquest.com/docview/3333333333?accountid=1"
    assert second.keywords == ["Biological sciences", "Frogs", "Ponds"]
    assert second.isbn == ["9780306406157"]
    assert (second.pages, second.start_page) == ("12", "12")
    assert second.language == "English"
    assert second.year == 2018
    assert second.journal == ""


def test_bibliography_and_footer_are_not_records() -> None:
    citations, _warnings = proquest.parse(REPORT)
    assert all("Bibliography" not in c.raw for c in citations)


def test_stray_line_after_a_single_line_field_is_skipped_with_a_warning() -> None:
    text = REPORT.replace("Volume: 14\n", "Volume: 14\n\n%% stray %%\n")
    citations, warnings = proquest.parse(text)
    assert citations[0].volume == "14"
    assert [w.line for w in warnings] == [text.split("\n").index("%% stray %%") + 1]


def test_report_cut_short_is_reported() -> None:
    text = REPORT[: REPORT.index("Document 2 of 2")]
    citations, warnings = proquest.parse(text)
    assert len(citations) == 1
    assert "2 documents but 1" in warnings[0].message


def test_report_without_separators() -> None:
    text = "Document 1 of 1\n\nA title\n\nAuthor: Solo, Han\n\nPublication year: 1977\n"
    (citation,) = proquest.parse(text)[0]
    assert (citation.title, citation.year, citation.authors[0].family) == ("A title", 1977, "Solo")


def test_sniff() -> None:
    assert proquest.sniff(REPORT)
    assert proquest.sniff(REPORT[REPORT.index("Document 1 of 2") :])
    assert not proquest.sniff("TY  - JOUR\nT1  - Document 1 of 2\nER  - \n")
    assert not proquest.sniff("Document 1 of 2\n\nnothing labelled here\n")
    assert not proquest.sniff("FN Clarivate Analytics Web of Science\nVR 1.0\n")


# ---------------------------------------------------------------------------------------------
# The real report in ../shared/data/exports/proquest (count from the README's file table)
# ---------------------------------------------------------------------------------------------

REAL_FILE = "metaknowledge_ProQuest_TestFile.txt"
REAL_COUNT = 100


def _read_real() -> str:
    text, _encoding, _warnings = decode(shared_file("exports", "proquest", REAL_FILE).read_bytes())
    return text


@requires_shared_data
@pytest.mark.shared_data
def test_readme_count_matches() -> None:
    readme = shared_file("exports", "README.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| `proquest/([^`]+\.txt)` \|[^|]*\|[^|]*\| (\d+) \|", readme, re.MULTILINE
    )
    assert rows == [(REAL_FILE, str(REAL_COUNT))]


@requires_shared_data
@pytest.mark.shared_data
def test_real_report_count_and_fields() -> None:
    text = _read_real()
    assert proquest.sniff(text)
    citations, warnings = proquest.parse(text)
    assert warnings == []
    assert len(citations) == REAL_COUNT
    assert all(c.title and c.authors and c.abstract and c.accession and c.url for c in citations)
    first, last = citations[0], citations[-1]
    assert first.title == "Entrenchment and the Kripke-Wittgenstein paradox"
    assert [a.display() for a in first.authors] == ["Dorst, Chris"]
    assert first.accession == "1548716365"
    assert first.isbn == ["9781303940095"]
    assert first.year == 2014
    assert first.source_database == "ProQuest Dissertations & Theses Global"
    assert first.publication_type == "Dissertation/Thesis"
    assert first.url.endswith("/docview/1548716365?accountid=14906")
    assert first.doi == ""
    assert (
        last.title == "Anthrobiota: Human-microbe relationships on the edge of biological science"
    )
    assert last.accession == "1501476590"
    assert last.line == text.split("\n").index("Document 100 of 100") + 1
