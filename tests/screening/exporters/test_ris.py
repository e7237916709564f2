"""RIS writer: what it writes, and that our reader reads it back (dialects and generated
citations)."""

from __future__ import annotations

import rispy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.exporters import ris as exporters_ris
from screening.importers import ris as importers_ris
from screening.importers.citation import Author, Citation
from screening.importers.fields import collapse_space
from tests.screening.importers.test_ris import (
    APA,
    COCHRANE,
    EBSCO,
    EMBASE,
    ENDNOTE,
    OVID,
    PROQUEST,
    RAYYAN,
    SCOPUS,
    WOS,
    ZOTERO,
    one,
    read,
)


def test_dump_round_trip_of_parsed_dialects() -> None:
    sources = (EMBASE, OVID, EBSCO, PROQUEST, SCOPUS, WOS, COCHRANE, APA, ENDNOTE, ZOTERO, RAYYAN)
    originals = [c for source in sources for c in read(source)[0]]
    dumped = exporters_ris.dump(originals)
    assert importers_ris.sniff(dumped)
    again, warnings = read(dumped)
    assert warnings == []
    assert [_everything(c) for c in again] == [_everything(c) for c in originals]


def test_dump_writes_text_as_held_without_html_escaping() -> None:
    # Issue 16: escaped fields (`&lt;i&gt;`) were read literally by rispy and reference managers.
    citation = Citation(raw="", line=1, title="Use & and <i>tags</i>: p < 0.05", year=2020)
    text = exporters_ris.dump([citation])
    assert "TI  - Use & and <i>tags</i>: p < 0.05\n" in text
    assert rispy.loads(text)[0]["title"] == citation.title
    # Our reader drops inline tags from any RIS, this one too.
    assert one(text).title == "Use & and tags: p < 0.05"


def _essentials(citation: Citation) -> tuple:
    return (
        citation.title,
        citation.abstract,
        [(a.family, a.given) for a in citation.authors],
        citation.year,
        citation.journal,
        citation.journal_abbrev,
        citation.volume,
        citation.issue,
        citation.pages,
        citation.doi,
        citation.accession,
        citation.keywords,
        citation.issn,
        citation.isbn,
        citation.language,
        citation.url,
    )


def _everything(citation: Citation) -> tuple:
    return (*_essentials(citation), citation.pmid, citation.pmcid, citation.source_database)


_WORD_CHARS = st.characters(categories=("L", "N", "P", "S"), exclude_characters="\x85")
_TEXT = st.text(st.one_of(_WORD_CHARS, st.just(" ")), max_size=300).map(collapse_space)
_NAME = st.text(st.characters(categories=("Lu", "Ll")), min_size=1, max_size=12)


@st.composite
def citations(draw: st.DrawFn) -> Citation:
    first_page = draw(st.integers(1, 5000))
    family = st.one_of(_NAME, st.builds(lambda a, b: f"{a} {b}", _NAME, _NAME))
    authors = [
        Author(family=draw(family), given=draw(st.sampled_from(["", "J", "Ann B", "Jo-Ann"])))
        for _ in range(draw(st.integers(0, 5)))
    ]
    journal = draw(_TEXT)
    return Citation(
        raw="",
        line=1,
        title=draw(_TEXT),
        abstract=draw(_TEXT),
        authors=authors,
        year=draw(st.one_of(st.none(), st.integers(1500, 2099))),
        journal=journal,
        journal_abbrev=draw(_TEXT) if journal else "",
        volume=draw(st.from_regex(r"[0-9]{0,3}", fullmatch=True)),
        issue=draw(st.from_regex(r"[0-9]{0,2}", fullmatch=True)),
        pages=f"{first_page}-{first_page + draw(st.integers(1, 40))}",
        start_page=str(first_page),
        doi=draw(st.from_regex(r"10\.[0-9]{4,6}/[a-z0-9.]{1,12}[a-z0-9]", fullmatch=True)),
        accession=draw(st.from_regex(r"[A-Z0-9:-]{0,12}[A-Z0-9]|", fullmatch=True)),
        keywords=draw(st.lists(_TEXT.filter(bool), max_size=4)),
        issn=draw(
            st.lists(
                st.from_regex(r"[0-9]{4}-[0-9]{3}[0-9X]", fullmatch=True), max_size=2, unique=True
            )
        ),
        language=draw(st.sampled_from(["", "English", "eng"])),
        url=draw(st.sampled_from(["", "https://example.org/a?b=1"])),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(citations(), min_size=1, max_size=3))
def test_hypothesis_dump_then_parse_round_trips(originals: list[Citation]) -> None:
    for citation in originals:
        citation.start_page, citation.end_page = citation.pages.split("-")
    again, warnings = read(exporters_ris.dump(originals))
    assert warnings == []
    assert [_essentials(c) for c in again] == [_essentials(c) for c in originals]
