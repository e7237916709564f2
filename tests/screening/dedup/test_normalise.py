"""Normalisation tables: DOIs, titles, authors, pages, journals, years, ISSNs."""

from __future__ import annotations

import pytest

from screening.dedup import normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10.1097/MOL.0b013e3282ffaf82", "10.1097/mol.0b013e3282ffaf82"),
        ("http://dx.doi.org/10.1097/MOL.0b013e3282ffaf82", "10.1097/mol.0b013e3282ffaf82"),
        ("https://doi.org/10.1002/dmrr.2604", "10.1002/dmrr.2604"),
        ("doi:10.1002/dmrr.2604.", "10.1002/dmrr.2604"),
        ("DOI 10.1016/S0016-5085(16)30847-2", "10.1016/s0016-5085(16)30847-2"),
        ("http://dx.doi.org/10.1016/S0025-7753%2817%2930624-3", "10.1016/s0025-7753(17)30624-3"),
        ("https://doi.org/10.1371%2Fjournal.pone.0137960", "10.1371/journal.pone.0137960"),
        ("", ""),
        ("not a doi", ""),
    ],
)
def test_doi_from_any_form(raw: str, expected: str) -> None:
    assert normalise.doi(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Intestinal Lipoprotein Overproduction.", "intestinal lipoprotein overproduction"),
        (
            "Exenatide inhibits the K<inf>Ca</inf>3.1 channels",
            "exenatide inhibits the kca3 1 channels",
        ),
        ("<i>In vivo</i> imaging of <sup>68</sup>Ga-NOTA", "in vivo imaging of 68ga nota"),
        ("[Cerebroprotective activity of metformin.]", "cerebroprotective activity of metformin"),
        ("Efficacy of batroxobin. [Chinese]", "efficacy of batroxobin"),
        ("Lung function in smokers (author's transl)", "lung function in smokers"),
        ("Müri's naïve café — résumé", "muri s naive cafe resume"),
        ("Trial of X.[Erratum appears in Chest 1992;101:1]", "trial of x"),
        ("Trial of X.[Erratum appears in J Pediatr Surg. 2009 Sep", "trial of x"),
        ("Trial of X... [corrected][published erratum appears in Brain Inj]", "trial of x"),
        ("Health &amp; safety", "health safety"),
        ("HPV and cervical cancer. [Review] [133 refs]", "hpv and cervical cancer"),
        (
            "Is it time to retire the Pap smear?. [Review] [20 ref",
            "is it time to retire the pap smear",
        ),
        ("Screening in 2008. [Review]", "screening in 2008"),
        (
            "[Aspects of HUS in children]. [Review] [16 refs] [Romanian]",
            "aspects of hus in children",
        ),
        ("Outcomes in 20 refugees [20 refugees]", "outcomes in 20 refugees 20 refugees"),
        ("", ""),
    ],
)
def test_title_folding(raw: str, expected: str) -> None:
    assert normalise.title(raw) == expected


def test_title_variants_split_original_and_translation() -> None:
    variants = normalise.title_variants(
        "Utilidad de los antimicrobianos en la toracostomia cerrada; "
        "Are antimicrobials useful in closed thoracostomy due to trauma?"
    )
    assert "are antimicrobials useful in closed thoracostomy due to trauma" in variants
    assert variants[0].startswith("utilidad de los antimicrobianos")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Smith, John A", ("smith", "ja")),
        ("Smith JA", ("smith", "ja")),
        ("Smith J.A.", ("smith", "ja")),
        ("Smith J. A.", ("smith", "ja")),
        ("Smith, J. A.", ("smith", "ja")),
        ("John A Smith", ("smith", "ja")),
        ("Müller, Jörg", ("muller", "j")),
        ("Kim-Mitsuyama S.", ("kim mitsuyama", "s")),
        ("van der Berg J", ("van der berg", "j")),
        ("Anonymous", ("anonymous", "")),
        ("Si Hyun Kang, null", ("kang", "sh")),
    ],
)
def test_author_family_and_initials(raw: str, expected: tuple[str, str]) -> None:
    assert normalise.author(raw) == expected


def test_author_forms_read_a_swapped_name_both_ways() -> None:
    assert normalise.author_forms("Ching-yi, Wu") == (("ching yi", "w"), ("wu", "cy"))
    assert normalise.author_forms("Wu C. Y.") == (("wu", "cy"),)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Adeli K.Lewis G. F.", ["Adeli K.", "Lewis G. F."]),
        ("Chen R.Wang Y.Liang L.", ["Chen R.", "Wang Y.", "Liang L."]),
        ("Zhai, Q. J. and Yue, X. Y.", ["Zhai, Q. J.", "Yue, X. Y."]),
        ("Smith, J; Jones, K", ["Smith, J", "Jones, K"]),
        ("Smith JA, Jones B, Lee C", ["Smith JA", "Jones B", "Lee C"]),
        ("", []),
    ],
)
def test_split_author_strings(raw: str, expected: list[str]) -> None:
    assert normalise.split_authors(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("221-8", ("221", "228")),
        ("221-228", ("221", "228")),
        ("1001-13", ("1001", "1013")),
        ("47--65", ("47", "65")),
        ("S12-4", ("s12", "s14")),
        ("A254-A255", ("a254", "a255")),
        ("e0137960", ("e137960", "e137960")),
        ("51", ("51", "51")),
        ("106-11; discussion 111", ("106", "111")),
        ("iii--xi", ("iii", "xi")),
        ("Nov-19", ("", "")),  # a spreadsheet's date, not pages
        ("11-Sep", ("", "")),
        ("", ("", "")),
    ],
)
def test_pages_expanded(raw: str, expected: tuple[str, str]) -> None:
    assert normalise.pages(raw) == expected


def test_pages_text() -> None:
    assert normalise.pages_text("221-8") == "221-228"
    assert normalise.pages_text("12") == "12"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Curr Opin Lipidol", "Current Opinion in Lipidology", True),
        ("J Pharmacol Sci", "Journal of Pharmacological Sciences", True),
        ("Dtsch-Med-Wochenschr", "Deutsche Medizinische Wochenschrift", True),
        ("BMJ", "British Medical Journal", True),
        ("JAMA", "Journal of the American Medical Association", True),
        ("Amcis 2017 Proceedings", "Americas Conference on Information Systems", True),
        ("CHEST", "Chest", True),
        ("Trials [Electronic Resource]", "Trials", True),
        ("Diabetes", "Diabetologia", False),
        ("Diabetes Care", "Diabetes", False),
        ("Lancet", "Journal of Clinical Oncology", False),
        ("", "Lancet", None),
    ],
)
def test_journals_match_across_abbreviation(a: str, b: str, expected: bool | None) -> None:
    assert normalise.journals_match(a, b) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (2016, 2016),
        ("2016", 2016),
        ("2016 Mar", 2016),
        ("epub 2015/03/01", 2015),
        ("", None),
        (None, None),
    ],
)
def test_year(raw: object, expected: int | None) -> None:
    assert normalise.year(raw) == expected


def test_issns_and_pmid() -> None:
    assert normalise.issns(["0957-9672 (Print)\n0957-9672", "2160200x"]) == [
        "0957-9672",
        "2160-200X",
    ]
    assert normalise.pmid("PMID: 0012345") == "12345"
    assert normalise.pmid("") == ""


@pytest.mark.parametrize(
    ("title", "notice", "folded"),
    [
        ("Eculizumab for aHUS (vol 360, pg 542, 2009)", True, "eculizumab for ahus"),
        ("Eculizumab for aHUS (N Engl J Med (2009) 360 (542-544))", True, "eculizumab for ahus"),
        ("Erratum: Gain-of-function mutations", True, "gain of function mutations"),
        ("Correction to: Badges in nursing", True, "badges in nursing"),
        # A parenthesis with a year in it is not a citation unless volume and pages follow.
        ("Outcomes (the ABC trial (2009) cohort (n=5))", False, "outcomes the abc trial 2009 cohort n 5"),
        ("Effect of X (2019 update)", False, "effect of x 2019 update"),
    ],
)  # fmt: skip
def test_correction_notices_fold_to_the_title_they_correct(
    title: str, notice: bool, folded: str
) -> None:
    assert normalise.is_correction_notice(title) is notice
    assert normalise.title(title) == folded
