"""Pair decisions: what is merged automatically, what is shown to a person, and why."""

from __future__ import annotations

import dataclasses

import pytest

from screening.dedup import AUTO, CANDIDATE, DISTINCT, DedupRecord
from screening.dedup.compare import compare, title_similarity
from screening.dedup.records import features

TITLE = "Effects of sitagliptin on coronary atherosclerosis in patients with diabetes"
BASE = DedupRecord(
    id="a",
    title=TITLE,
    authors=["Nozue T.", "Fukui K.", "Koyama Y."],
    year=2016,
    journal="Am J Cardiovasc Dis",
    volume="6",
    issue="4",
    pages="153-162",
)


def decide(a: dict, b: dict) -> tuple[str, str]:
    """Outcome and reasons for BASE changed by `a` against BASE changed by `b`."""
    left = dataclasses.replace(BASE, id="a", **a)
    right = dataclasses.replace(BASE, id="b", **b)
    decision = compare(features(0, left), features(1, right))
    return decision.outcome, decision.summary


# Pairs that must never be merged automatically, each isolating one contradiction.
CONTRADICTIONS = [
    ("different DOIs", {"doi": "10.1000/x.1"}, {"doi": "10.1000/x.2"}),
    ("different PMIDs", {"pmid": "111"}, {"pmid": "222"}),
    ("years two apart", {"year": 2014}, {"year": 2016}),
    ("different pages", {"pages": "153-162"}, {"pages": "201-10"}),
    ("different volumes", {"volume": "6"}, {"volume": "7"}),
    ("part 1 vs part 2", {"title": TITLE + ": part 1"}, {"title": TITLE + ": part 2"}),
    ("part I vs part II", {"title": TITLE + ", part I"}, {"title": TITLE + ", part II"}),
    (
        "phase II vs phase 3",
        {"title": "A phase II trial of X in Y"},
        {"title": "A phase 3 trial of X in Y"},
    ),
    ("type 1 vs type 2", {"title": TITLE + " type 1"}, {"title": TITLE + " type 2"}),
    ("study 1 vs study 2", {"title": "Study 1: " + TITLE}, {"title": "Study 2: " + TITLE}),
    ("protocol vs review (type)", {"publication_type": "Protocol"}, {"publication_type": "Review"}),
    ("protocol vs review (title)", {"title": TITLE + ": a protocol"}, {}),
    ("erratum vs article", {"title": "Erratum: " + TITLE}, {}),
    ("correction vs article", {"title": "Correction to: " + TITLE}, {}),
    ("retraction vs article", {"title": "Retraction notice: " + TITLE}, {}),
    ("erratum by type", {"publication_type": "Erratum"}, {"publication_type": "Journal Article"}),
    ("comment vs article", {"title": "Comment on: " + TITLE}, {}),
    ("reply vs article", {"title": "Reply to: " + TITLE}, {}),
    (
        "conference abstract vs article",
        {
            "journal": "Circulation. Conference: Scientific Sessions",
            "issue": "Suppl 2",
            "pages": "",
        },
        {"journal": "Circulation", "issue": "5", "pages": "401-409"},
    ),
    (
        "abstract in a supplement vs article",
        {"issue": "Suppl 1", "pages": "S12"},
        {"pages": "153-162"},
    ),
    (
        "generic title by different authors",
        {"title": "Editorial", "authors": ["Smith J."]},
        {"title": "Editorial", "authors": ["Jones K."]},
    ),
    (
        "recurring column in another issue",
        {"title": "Editor's Comments", "authors": ["Weber R."], "issue": "1", "pages": ""},
        {"title": "Editor's Comments", "authors": ["Weber R."], "issue": "2", "pages": ""},
    ),
    (
        "single-word title without pages",
        {"title": "Obesity", "pages": ""},
        {"title": "Obesity", "pages": ""},
    ),
]


@pytest.mark.parametrize(("label", "a", "b"), CONTRADICTIONS, ids=[c[0] for c in CONTRADICTIONS])
def test_contradiction_forbids_automatic_merge(label: str, a: dict, b: dict) -> None:
    outcome, reasons = decide(a, b)
    assert outcome != AUTO, f"{label}: {reasons}"


@pytest.mark.parametrize(("label", "a", "b"), CONTRADICTIONS, ids=[c[0] for c in CONTRADICTIONS])
def test_contradiction_is_symmetric(label: str, a: dict, b: dict) -> None:
    assert decide(a, b)[0] == decide(b, a)[0], label


# Pairs that are the same paper printed differently: merged automatically.
SAME_PAPER = [
    ("identical", {}, {}),
    (
        "DOI as URL vs bare, other case",
        {"doi": "http://dx.doi.org/10.1000/ABC.1"},
        {"doi": "10.1000/abc.1"},
    ),
    (
        "title case, punctuation, period",
        {"title": TITLE.upper() + "."},
        {"title": TITLE.replace(" on ", " on: ")},
    ),
    ("HTML tags in title", {"title": TITLE.replace("coronary", "<i>coronary</i>")}, {}),
    ("translated title in brackets", {"title": f"[{TITLE}]"}, {}),
    ("language note", {"title": TITLE + ". [Japanese]"}, {}),
    (
        "author forms",
        {"authors": ["Nozue, Tsuyoshi", "Fukui, Kazuki", "Koyama, Yasushi"]},
        {"authors": ["Nozue T", "Fukui K", "Koyama Y"]},
    ),
    (
        "names printed given-name first",
        {"authors": ["Tsuyoshi, Nozue", "Kazuki, Fukui", "Yasushi, Koyama"]},
        {"authors": ["Nozue, T.", "Fukui, K.", "Koyama, Y."]},
    ),
    ("erratum note on the article", {"title": TITLE + ".[Erratum appears in Lancet 2017]"}, {}),
    (
        "phase II vs phase 2",
        {"title": "A phase II trial of " + TITLE},
        {"title": "A phase 2 trial of " + TITLE},
    ),
    ("short page range", {"pages": "153-62"}, {"pages": "153-162"}),
    ("journal abbreviation", {"journal": "American Journal of Cardiovascular Disease"}, {}),
    ("epub vs print year", {"year": 2015}, {"year": 2016}),
    (
        "same DOI, title reworded",
        {"doi": "10.1000/x", "title": TITLE + " and obesity"},
        {"doi": "10.1000/x"},
    ),
    ("same DOI, one title missing", {"doi": "10.1000/x", "title": ""}, {"doi": "10.1000/x"}),
    (
        "author list as one concatenated string",
        {"authors": ["Nozue T.Fukui K.Koyama Y."]},
        {"authors": ["Nozue, Tsuyoshi", "Fukui, Kazuki", "Koyama, Yasushi"]},
    ),
    ("same PMID", {"pmid": "123"}, {"pmid": "00123", "pages": ""}),
    ("article number vs e-page", {"pages": "e0137960"}, {"pages": "137960"}),
    ("spreadsheet-mangled pages", {"pages": "Nov-19"}, {"pages": "11-19"}),
]


@pytest.mark.parametrize(("label", "a", "b"), SAME_PAPER, ids=[c[0] for c in SAME_PAPER])
def test_same_paper_is_merged_automatically(label: str, a: dict, b: dict) -> None:
    outcome, reasons = decide(a, b)
    assert outcome == AUTO, f"{label}: {reasons}"


def test_reasons_are_readable() -> None:
    outcome, reasons = decide(
        {"year": 2015, "doi": "10.1000/x"}, {"doi": "https://doi.org/10.1000/X"}
    )
    assert outcome == AUTO
    assert "same DOI" in reasons
    assert "year ±1 (epub vs print)" in reasons
    assert "3/3 authors" in reasons
    assert "same pages 153-162" in reasons


def test_contradiction_is_named_in_reasons() -> None:
    outcome, reasons = decide({"doi": "10.1000/x"}, {"doi": "10.1000/y"})
    assert outcome == CANDIDATE
    assert "but different DOIs" in reasons


def test_same_doi_on_a_different_title_is_not_merged() -> None:
    # A DOI given to a whole supplement of abstracts: the titles must still be alike.
    outcome, _ = decide(
        {"doi": "10.1000/suppl", "pages": "S12"},
        {"doi": "10.1000/suppl", "title": "Metformin and stroke in older adults", "pages": "S88"},
    )
    assert outcome != AUTO


def test_different_titles_are_distinct() -> None:
    outcome, _ = decide(
        {}, {"title": "Metformin and stroke outcomes in older adults", "pages": "88-95"}
    )
    assert outcome == DISTINCT


def test_two_contradictions_are_not_shown() -> None:
    outcome, _ = decide({"doi": "10.1000/x", "year": 2010}, {"doi": "10.1000/y", "year": 2016})
    assert outcome == DISTINCT


def test_translated_title_with_same_citation() -> None:
    outcome, reasons = decide(
        {"title": "Antibiotic prophylaxis in pulmonary surgery: a double-blind study"},
        {"title": "[Comparison of amoxicillin and cefamandole in pulmonary surgery]"},
    )
    # Same authors, year, volume and first page, but the titles share little: a person decides.
    assert outcome == CANDIDATE, reasons


@pytest.mark.parametrize(
    "notice",
    [
        TITLE + " (vol 6, pg 153, 2016)",  # Web of Science
        TITLE + " (American Journal of Cardiovascular Disease (2016) 6 (153-162))",  # Embase
        "Erratum: " + TITLE,
    ],
)
def test_a_correction_notice_is_shown_with_the_article_it_corrects(notice: str) -> None:
    """Printed on a page of its own, in a later issue: still a question for a person (the
    labelled sets count a notice as a duplicate of its article), never an automatic merge."""
    outcome, reasons = decide({"title": notice, "issue": "5", "pages": "411"}, {})
    assert outcome == CANDIDATE
    assert "erratum/correction vs article" in reasons


def test_different_pages_still_separate_two_articles_of_one_title() -> None:
    outcome, _ = decide({"pages": "411", "volume": "7"}, {})
    assert outcome == DISTINCT


def test_a_title_without_its_subtitle_and_the_same_citation_is_the_same_paper() -> None:
    short = {"title": "Effects of sitagliptin on coronary atherosclerosis"}
    full = {"title": "Effects of sitagliptin on coronary atherosclerosis: a randomised trial"}
    outcome, reasons = decide(short, full)
    assert outcome == AUTO
    assert "the same title without its subtitle" in reasons
    # Without the citation agreeing (another volume and pages) it is not merged automatically.
    assert decide(short, {**full, "volume": "7", "pages": "201-210"})[0] != AUTO
    # A main title of fewer than four words says too little (on a single page, where the bar
    # for a reworded title stays high: see the abstract book below).
    assert (
        decide(
            {"title": "Diabetes in children", "pages": "153"},
            {"title": "Diabetes in children: a review", "pages": "153"},
        )[0]
        != AUTO
    )


def test_a_section_heading_before_the_title_and_the_same_citation_is_the_same_paper() -> None:
    outcome, reasons = decide({"title": "MEDICAL PROGRESS " + TITLE}, {"title": TITLE + "."})
    assert outcome == AUTO
    assert "one title inside the other" in reasons
    # Only with the citation agreeing, and only a title of four words or more.
    assert decide({"title": "Review " + TITLE, "pages": "201-210"}, {})[0] != AUTO
    assert (
        decide({"title": "Editorial: Diabetes in children"}, {"title": "Diabetes in children"})[0]
        != AUTO
    )


REWORDED = "Effects of sitagliptin on coronary atheroma in diabetic patients"  # 0.77


def test_a_reworded_title_with_the_same_citation_over_several_pages_is_the_same_paper() -> None:
    assert 0.75 <= _title_score(TITLE, REWORDED) < 0.85
    assert decide({"title": REWORDED}, {})[0] == AUTO  # pages 153-162 on both
    # Another journal, or a single page as in an abstract book where one group's abstracts sit
    # side by side: a person decides, or the pair stays apart.
    assert decide({"title": REWORDED, "journal": "Diabetologia"}, {})[0] != AUTO
    single = {"pages": "153"}
    assert decide({"title": REWORDED, **single}, single)[0] != AUTO


def test_a_retitled_letter_by_the_same_people_in_the_same_journal_is_a_question() -> None:
    bare = {"volume": "", "issue": "", "pages": ""}  # one database printed no citation
    outcome, reasons = decide({"title": REWORDED, **bare}, {})
    assert outcome == CANDIDATE, reasons
    # Other people, or another journal: nothing to ask.
    others = {"authors": ["Smith J.", "Jones K.", "Brown L."]}
    assert decide({"title": REWORDED, **bare, **others}, {})[0] == DISTINCT
    assert decide({"title": REWORDED, **bare, "journal": "Diabetologia"}, {})[0] == DISTINCT


def _title_score(a: str, b: str) -> float:
    from screening.dedup.normalise import title

    return title_similarity(title(a), title(b))


@pytest.mark.parametrize(
    ("a", "b", "merged"),
    [
        ("e12724", "1-6", True),  # PLoS ONE's article number against the PDF's pages
        ("c1804", "1014-1019", True),  # the BMJ's e-locator against the print page
        ("e12724", "e12725", False),  # two article numbers: two articles
        ("S12", "112-118", False),  # a supplement's page is a page
    ],
)
def test_an_article_number_against_a_printed_page_is_no_contradiction(
    a: str, b: str, merged: bool
) -> None:
    outcome, _ = decide({"pages": a}, {"pages": b})
    assert (outcome == AUTO) is merged


def test_the_whole_citation_over_several_pages_outweighs_authors_printed_apart() -> None:
    group = {"authors": ["ASCUS-LSIL Triage Study (ALTS) Group"]}
    outcome, reasons = decide(group, {"authors": ["Solomon D."]})
    assert outcome == AUTO, reasons
    # On a single page, or in another volume, the authors must agree as before.
    single = {"pages": "153"}
    assert decide({**group, **single}, {"authors": ["Solomon D."], **single})[0] != AUTO
    assert decide({**group, "volume": "7"}, {"authors": ["Solomon D."]})[0] != AUTO


def test_a_number_printed_with_a_thousands_separator_is_one_number() -> None:
    title = "A seven-year study of papillomavirus infection among {} women in Costa Rica"
    bare = {"volume": "", "pages": ""}  # nothing else to outweigh a difference
    for printed in ("10 000", "10,000"):
        outcome, reasons = decide(
            {"title": title.format(printed), **bare}, {"title": title.format("10000"), **bare}
        )
        assert outcome == AUTO, (printed, reasons)
