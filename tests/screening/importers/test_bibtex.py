"""BibTeX: Scopus, Web of Science and JabRef layouts, macros, LaTeX, recovery, real exports."""

from __future__ import annotations

import pytest

from screening.importers import bibtex
from screening.importers.citation import ExportFormatError
from screening.importers.text import decode
from tests.shared_data import requires_shared_data, shared_file

SCOPUS_STYLE = """
@ARTICLE{Vermeer2021,
author={Vermeer, L. and De Jong, P.K. and Mbeki, T.},
title={Bicycle lanes and commuter injuries: an interrupted time series},
journal={Invented Journal of Transport Safety},
year={2021},
volume={14},
number={2},
pages={221-228},
doi={10.5555/IJTS.2021.014},
art_number={e0042},
note={cited By 3},
url={https://www.scopus.com/inward/record.uri?eid=2-s2.0-85000000001&doi=10.5555%2fIJTS.2021.014&partnerID=40},
abstract={Injuries fell after lanes opened. {\\copyright} 2021 The Authors.},
author_keywords={cycling;  injury prevention;  time series},
keywords={Bicycling; Accidents, Traffic},
funding_details={Invented Fund, 123},
funding_details={Second Fund, 456},
funding_text 1={We thank the city.},
issn={12345679},
language={English},
abbrev_source_title={Invent. J. Transp. Saf.},
document_type={Article},
source={Scopus},
}
"""

JABREF_STYLE = r"""% Encoding: UTF-8
@Preamble{ "\newcommand{\noopsort}[1]{}" }
@String{ijp = "Invented Journal of Physiology"}
@string(vol = {7})

@Article{Muller2019,
  author    = {M{\"u}ller, J{\"o}rg and Garc\'{\i}a, Ana and {\O}stergaard, S{\o}ren and {Invented Consortium for Sleep} and others},
  title     = "{C}ircadian rhythm in {\c{C}}ukurova: a \emph{pilot} study -- part~1",
  journal   = ijp,
  year      = 2019,
  month     = jan,
  volume    = vol # "a",
  pages     = {1--10},
  doi       = {https://doi.org/10.5555/ijp.2019.7},
  pmid      = {30000011},
  pmcid     = {PMC6000011},
  keywords  = {sleep, circadian rhythm},
  issn      = {1111-2222},
  isbn      = {978-3-16-148410-0},
  url       = {https://example.org/a\_b?x=1\&y=2},
}

@InProceedings{ WOS:000123456700001,
Author = {Writerone, Julia and Writertwo, Paul},
Title = {A workshop paper&apos;s title},
Booktitle = {Proceedings of the Invented Workshop},
Year = {2017},
Pages = {48-98},
Unique-ID = {WOS:000123456700001},
}

@Comment{jabref-meta: databaseType:bibtex;}
@misc(pubmedlink, title = {Eprint style}, eprint = {30000012}, eprinttype = {pubmed})
"""


def test_scopus_entry_maps_every_field() -> None:
    (citation,), warnings = bibtex.parse(SCOPUS_STYLE)
    assert warnings == []
    assert citation.line == 2
    assert citation.raw.startswith("@ARTICLE{Vermeer2021,")
    assert citation.raw.endswith("source={Scopus},\n}")
    assert citation.title == "Bicycle lanes and commuter injuries: an interrupted time series"
    assert [(a.family, a.given) for a in citation.authors] == [
        ("Vermeer", "L."),
        ("De Jong", "P.K."),
        ("Mbeki", "T."),
    ]
    assert citation.journal == "Invented Journal of Transport Safety"
    assert citation.journal_abbrev == "Invent. J. Transp. Saf."
    assert citation.year == 2021
    assert (citation.volume, citation.issue) == ("14", "2")
    assert (citation.pages, citation.start_page, citation.end_page) == ("221-228", "221", "228")
    assert citation.doi == "10.5555/ijts.2021.014"
    assert citation.accession == "2-s2.0-85000000001"
    assert citation.abstract == "Injuries fell after lanes opened. © 2021 The Authors."
    assert citation.keywords == [
        "Bicycling",
        "Accidents, Traffic",
        "cycling",
        "injury prevention",
        "time series",
    ]
    assert citation.issn == ["1234-5679"]
    assert citation.language == "English"
    assert citation.publication_type == "Article"
    assert citation.source_database == "Scopus"
    # A repeated field keeps both values; a field name with a space is one name.
    assert citation.fields["funding_details"] == ["Invented Fund, 123", "Second Fund, 456"]
    assert citation.fields["funding_text 1"] == ["We thank the city."]
    assert citation.fields["ID"] == ["Vermeer2021"]
    assert citation.fields["ENTRYTYPE"] == ["article"]


def test_jabref_entry_with_macros_latex_and_parentheses() -> None:
    citations, warnings = bibtex.parse(JABREF_STYLE)
    assert warnings == []
    assert len(citations) == 3
    article = citations[0]
    assert article.line == 6
    assert article.title == "Circadian rhythm in Çukurova: a pilot study \u2013 part 1"
    assert [a.display() for a in article.authors] == [
        "Müller, Jörg",
        "García, Ana",
        "Østergaard, Søren",
        "Invented Consortium for Sleep",
    ]
    assert article.journal == "Invented Journal of Physiology"
    assert article.volume == "7a"
    assert article.year == 2019
    assert article.fields["month"] == ["Jan"]
    assert (article.pages, article.start_page, article.end_page) == ("1-10", "1", "10")
    assert article.doi == "10.5555/ijp.2019.7"
    assert (article.pmid, article.pmcid) == ("30000011", "PMC6000011")
    assert article.keywords == ["sleep", "circadian rhythm"]
    assert article.issn == ["1111-2222"]
    assert article.isbn == ["9783161484100"]
    assert article.url == "https://example.org/a_b?x=1&y=2"
    assert article.publication_type == "article"


def test_web_of_science_key_with_space_and_html_entity() -> None:
    proceedings = bibtex.parse(JABREF_STYLE)[0][1]
    assert proceedings.fields["ID"] == ["WOS:000123456700001"]
    assert proceedings.title == "A workshop paper's title"
    assert proceedings.journal == "Proceedings of the Invented Workshop"
    assert proceedings.accession == "WOS:000123456700001"
    assert proceedings.source_database == "Web of Science"
    assert proceedings.publication_type == "inproceedings"


def test_pubmed_eprint_and_comment_blocks_are_not_records() -> None:
    last = bibtex.parse(JABREF_STYLE)[0][2]
    assert last.title == "Eprint style"
    assert last.pmid == "30000012"
    assert (
        last.line
        == JABREF_STYLE.split("\n").index(
            "@misc(pubmedlink, title = {Eprint style}, eprint = {30000012}, eprinttype = {pubmed})"
        )
        + 1
    )


def test_unbalanced_braces_keep_the_entry_with_a_warning() -> None:
    text = (
        "@article{first,\ntitle = {Fine},\n}\n\n"
        "@article{broken,\n"
        "Title = {Still kept},\n"
        "Keywords = {alpha, {beta, gamma},\n"
        "Year = {2018},\n"
        "}\n"
    )
    citations, warnings = bibtex.parse(text)
    assert [c.title for c in citations] == ["Fine", "Still kept"]
    assert citations[1].year == 2018
    assert citations[1].line == 5
    assert [(w.line, w.field) for w in warnings] == [(5, "Keywords")]


def test_entry_cut_off_at_the_end_names_its_first_line() -> None:
    text = "@article{a,\n  title = {Whole},\n}\n\n@article{b,\n  title = {Cut off\n"
    with pytest.raises(ExportFormatError) as caught:
        bibtex.parse(text)
    assert caught.value.line == 5
    assert "cut off" in caught.value.message


def test_entry_missing_its_final_brace_at_the_end_is_an_error() -> None:
    with pytest.raises(ExportFormatError) as caught:
        bibtex.parse("@article{a,\n  title = {T},\n  year = {2020}\n")
    assert caught.value.line == 1


def test_unclosed_entry_before_another_is_recovered() -> None:
    text = "@article{a,\n  title = {First},\n\n@article{b,\n  title = {Second},\n}\n"
    citations, warnings = bibtex.parse(text)
    assert [c.title for c in citations] == ["First", "Second"]
    assert [w.line for w in warnings] == [1]


def test_entry_without_title_warns() -> None:
    citations, warnings = bibtex.parse("@misc{k, doi = {10.5555/x}}")
    assert citations[0].doi == "10.5555/x"
    assert [(w.line, w.field) for w in warnings] == [(1, "title")]


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"{\"u}ber", "über"),
        (r"\'{e}t\'e", "été"),
        (r"\c{c}a \c c", "ça ç"),
        (r"Dvo\v{r}\'ak", "Dvořák"),
        (r"{\ss}", "ß"),
        (r"50\% \& more", "50% & more"),
        (r"$\alpha$-helix", "\u03b1-helix"),
        (r"\textit{in vivo}", "in vivo"),
        ("a---b", "a\u2014b"),
    ],
)
def test_latex_to_text(latex: str, text: str) -> None:
    assert bibtex.latex_to_text(latex) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SCOPUS_STYLE, True),
        (JABREF_STYLE, True),
        ("  @article(x, title={y})", True),
        ("TY  - JOUR\nTI  - mail me at someone@example.org{x}\n", False),
        ("title,abstract\nA,B\n", False),
    ],
)
def test_sniff(text: str, expected: bool) -> None:
    assert bibtex.sniff(text) is expected


# --- the real exports in ../shared/data/exports/bibtex (README table counts) -----------------

SHARED_COUNTS = {
    "colrev_ebsco_bib.bib": 2,
    "colrev_scopus_bib.bib": 11,
    "colrev_web_of_science_bib.bib": 2,
    "synthesisr_Scopus_bib_example.bib": 3,
}


def _shared(name: str) -> tuple[list, list]:
    text, _, _ = decode(shared_file("exports", "bibtex", name).read_bytes())
    assert bibtex.sniff(text)
    return bibtex.parse(text)


@requires_shared_data
@pytest.mark.parametrize(("name", "count"), sorted(SHARED_COUNTS.items()))
def test_shared_export_record_counts(name: str, count: int) -> None:
    citations, _ = _shared(name)
    assert len(citations) == count
    assert all(c.title and c.raw.startswith("@") for c in citations)


@requires_shared_data
def test_shared_exports_folder_is_fully_covered() -> None:
    names = {p.name for p in shared_file("exports", "bibtex").iterdir()}
    assert names == set(SHARED_COUNTS)


@requires_shared_data
def test_shared_spot_checks() -> None:
    scopus, warnings = _shared("synthesisr_Scopus_bib_example.bib")
    assert warnings == []
    assert scopus[0].line == 2
    assert scopus[0].doi == "10.1080/20964129.2020.1722034"
    assert scopus[0].accession == "2-s2.0-85079532227"
    assert scopus[0].authors[0].display() == "Li, W."
    assert len(scopus[0].authors) == 10
    assert scopus[0].fields["funding_details"][1].startswith("Special Fund")

    ebsco, warnings = _shared("colrev_ebsco_bib.bib")
    assert [c.title for c in ebsco] == ["Paper title.", "When sharing fixes prices."]
    assert ebsco[0].accession == "11111111111111111"
    assert ebsco[0].issn == ["1234-5678"]
    assert [(w.line, w.field) for w in warnings] == [(15, "Keywords")]

    wos, _ = _shared("colrev_web_of_science_bib.bib")
    assert wos[0].doi == "10.1007/999-9-999-99999-9_3"
    assert wos[1].title == "A dummy title's"
    assert [c.accession for c in wos] == ["WOS:000223334444221", "WOS:000444488888888"]

    colrev_scopus, _ = _shared("colrev_scopus_bib.bib")
    assert colrev_scopus[0].doi == "10.1111/88888888.2022.7777777"
    assert [a.family for a in colrev_scopus[0].authors] == [
        "Firstwriter",
        "Secondwriter",
        "Thirdwriter",
    ]
