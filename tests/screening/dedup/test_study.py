"""Reading the signs of a report of a study: publication types, supplements, preprint servers,
trial registration numbers and author counts, as each importer keeps them."""

from __future__ import annotations

import pytest

from screening.dedup import study


@pytest.mark.parametrize(
    ("printed", "kind"),
    [
        ("Conference Abstract", study.ABSTRACT),  # Embase (RIS M3, CSV)
        ("Meeting Abstract", study.ABSTRACT),  # Web of Science DT
        ("Abstract", study.ABSTRACT),  # RIS TY ABST, read as its name
        ("ABST", study.ABSTRACT),
        ("Journal Article", study.ARTICLE),  # MEDLINE PT, RIS TY JOUR
        ("Journal Article; Randomized Controlled Trial", study.ARTICLE),  # PubMed XML
        ("Article", study.ARTICLE),  # Embase, Scopus, WoS
        ("Review", study.ARTICLE),
        ("Article; Proceedings Paper", study.ARTICLE),  # WoS: a journal article given first
        ("Journal Article; Congress", study.ARTICLE),  # MEDLINE
        ("Conference Proceeding", study.CONFERENCE),  # RIS TY CONF
        ("Conference Paper", study.CONFERENCE),  # Scopus, RIS TY CPAPER
        ("inproceedings", study.CONFERENCE),  # BibTeX
        ("Preprint", study.PREPRINT),
        ("Posted Content", study.PREPRINT),  # Crossref's word for a preprint
        ("Published Erratum", study.ERRATUM),
        ("Erratum", study.ERRATUM),
        ("Clinical Trial Protocol", study.PROTOCOL),
        ("Letter", ""),
        ("Book Chapter", ""),
        ("", ""),
    ],
)
def test_publication_kind(printed: str, kind: str) -> None:
    assert study.publication_kind(printed) == kind


@pytest.mark.parametrize(
    ("volume", "issue", "pages", "supplement"),
    [
        ("32", "Suppl 5", "S1120", True),
        ("39", "15_suppl", "9000", True),  # the JCO's meeting supplement
        ("39", "15", "S12", True),
        ("39", "", "abstract no. 9000", True),
        ("16", "", "P63", True),  # a poster
        ("64", "", "S210-S211", True),
        ("33", "", "p. 12-20", False),
        ("119", "Supplement 1", "", True),
        ("33", "2", "210-219", False),
        ("33", "2", "e12345", False),
        ("", "", "", False),
    ],
)
def test_in_supplement(volume: str, issue: str, pages: str, supplement: bool) -> None:
    assert study.in_supplement(volume, issue, pages) is supplement


@pytest.mark.parametrize(
    ("journal", "doi", "preprint"),
    [
        ("medRxiv", "", True),
        ("", "10.1101/2020.03.04.20031047", True),  # bioRxiv and medRxiv
        ("Research Square", "10.21203/rs.3.rs-123/v1", True),
        ("SSRN Electronic Journal", "", True),
        ("The Lancet", "10.1016/S0140-6736(20)30183-5", False),
        ("", "", False),
    ],
)
def test_is_preprint(journal: str, doi: str, preprint: bool) -> None:
    assert study.is_preprint(journal, doi) is preprint


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Trial registration: ClinicalTrials.gov NCT01234567.", {"NCT01234567"}),
        ("ClinicalTrials.gov/NCT02239640", {"NCT02239640"}),  # MEDLINE SI
        ("<AccessionNumber>NCT02239640</AccessionNumber>", {"NCT02239640"}),  # PubMed XML
        ("registered as ISRCTN 12345678", {"ISRCTN12345678"}),
        ("ANZCTR: ACTRN12610000123456", {"ACTRN12610000123456"}),
        ("EudraCT No. 2004-000123-45", {"EUDRACT2004-000123-45"}),
        ("EudraCT number: 2004-000123-45", {"EUDRACT2004-000123-45"}),
        ("(2004-000123-45)", {"EUDRACT2004-000123-45"}),  # printed without its register
        ("DRKS00012345", {"DRKS00012345"}),
        ("ChiCTR-TRC-12002345", {"CHICTRTRC12002345"}),
        ("ChiCTR2000029953", {"CHICTR2000029953"}),
        ("CTRI/2018/05/013722", {"CTRI201805013722"}),
        ("UMIN000012345", {"UMIN000012345"}),
        ("jRCTs031180123", {"JRCTS031180123"}),
        ("PACTR201801002911191", {"PACTR201801002911191"}),
        ("IRCT20100101003012N1", {"IRCT20100101003012N1"}),
        ("NCT01234567 and NCT07654321", {"NCT01234567", "NCT07654321"}),
        # Not registration numbers: too short, a page range, a year range, a DOI.
        ("NCT0123456 was cited", set()),
        ("pages 2004-2010", set()),
        ("doi 10.1000/2004-000123", set()),
        ("", set()),
    ],
)
def test_registrations(text: str, numbers: set[str]) -> None:
    assert study.registrations(text) == numbers


def test_registrations_join_every_text_given() -> None:
    assert study.registrations("NCT01234567 in the title", "", "ISRCTN12345678") == {
        "NCT01234567",
        "ISRCTN12345678",
    }


@pytest.mark.parametrize(
    ("names", "count"),
    [
        (["Garcia M."], 1),
        (["Garcia M.", "Lopez R.", "Chen Y."], 3),
        (["Garcia M.", "Lopez R.", "et al."], None),  # cut short
        (["Garcia M", "Lopez R", "..."], None),
        (["Garcia M.", "XTRA Study Group"], None),  # a group stands for people unnamed
        (["ASCUS-LSIL Triage Study (ALTS) Group"], None),
        (["Writing Committee for the XTRA Investigators"], None),
        ([], None),
    ],
)
def test_author_count(names: list[str], count: int | None) -> None:
    assert study.author_count(names) == count
