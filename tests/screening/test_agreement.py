"""Agreement statistics against worked examples from the literature, and a hand-computed report."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.agreement import (
    BINARY,
    AgreementReport,
    PairAgreement,
    agreement_report,
    as_binary,
    cohen_kappa,
    fleiss_kappa,
    percent_agreement,
)


def table(cells: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    """Expand a contingency table {(rater 1 label, rater 2 label): count} into pairs."""
    return [pair for pair, count in cells.items() for _ in range(count)]


def items_from_counts(rows: list[list[int]]) -> list[list[str]]:
    """Expand Fleiss-style rows (raters per category) into each item's list of labels."""
    return [[f"c{j + 1}" for j, count in enumerate(row) for _ in range(count)] for row in rows]


# --- votes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vote", "expected"),
    [("include", "include"), ("maybe", "include"), ("exclude", "exclude")],
)
def test_as_binary_counts_maybe_as_include(vote: str, expected: str) -> None:
    assert as_binary(vote) == expected
    assert BINARY[vote] == expected


@pytest.mark.parametrize("vote", ["", "Include", "yes", "unsure"])
def test_as_binary_rejects_unknown_votes(vote: str) -> None:
    with pytest.raises(ValueError, match="unknown vote"):
        as_binary(vote)


# --- Cohen's kappa -----------------------------------------------------------------------------

COHEN_EXAMPLES = [
    # Wikipedia, "Cohen's kappa", Examples / Simple example: 50 grant proposals, readers A and B.
    # Yes/Yes 20, A yes B no 5, A no B yes 10, No/No 15: po = 0.7, pe = 0.5*0.6 + 0.5*0.4 = 0.5,
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    pytest.param(
        {("Yes", "Yes"): 20, ("Yes", "No"): 5, ("No", "Yes"): 10, ("No", "No"): 15},
        70.0,
        0.4,
        id="wikipedia-50-proposals",
    ),
    # Wikipedia, "Cohen's kappa", Same percentages but different numbers: two 100-item tables,
    # both with 60% agreement, whose kappas are 0.1304 and 0.2593.
    pytest.param(
        {("Yes", "Yes"): 45, ("Yes", "No"): 15, ("No", "Yes"): 25, ("No", "No"): 15},
        60.0,
        0.1304,
        id="wikipedia-same-percentages-1",
    ),
    pytest.param(
        {("Yes", "Yes"): 25, ("Yes", "No"): 35, ("No", "Yes"): 5, ("No", "No"): 35},
        60.0,
        0.2593,
        id="wikipedia-same-percentages-2",
    ),
    # Three categories, by hand (rows rater 1, columns rater 2, N = 20):
    #         A  B  C | rater 1
    #     A   6  2  1 |  9
    #     B   1  5  0 |  6
    #     C   1  0  4 |  5
    #  rater 2: 8  7  5
    # po = (6 + 5 + 4) / 20 = 15/20; pe = (9*8 + 6*7 + 5*5) / 400 = 139/400;
    # kappa = (300 - 139) / (400 - 139) = 161/261 ≈ 0.6169.
    pytest.param(
        {
            (rater1, rater2): count
            for rater1, row in zip("ABC", [[6, 2, 1], [1, 5, 0], [1, 0, 4]], strict=True)
            for rater2, count in zip("ABC", row, strict=True)
        },
        75.0,
        161 / 261,
        id="three-categories-by-hand",
    ),
]


@pytest.mark.parametrize(("cells", "percent", "kappa"), COHEN_EXAMPLES)
def test_cohen_kappa_matches_worked_examples(
    cells: dict[tuple[str, str], int], percent: float, kappa: float
) -> None:
    pairs = table(cells)
    assert percent_agreement(pairs) == pytest.approx(percent)
    assert cohen_kappa(pairs) == pytest.approx(kappa, abs=5e-5)


def test_percent_agreement_works_for_any_labels() -> None:
    pairs = [("a", "a"), ("b", "c"), ("c", "c"), ("x", "y")]
    assert percent_agreement(pairs) == pytest.approx(50.0)


def test_no_pairs_means_no_statistics() -> None:
    assert percent_agreement([]) is None
    assert cohen_kappa([]) is None


def test_agreement_on_a_single_category_leaves_kappa_undefined() -> None:
    # pe = 1*1 = 1, so kappa would be 0/0.
    pairs = [("include", "include")] * 7
    assert percent_agreement(pairs) == pytest.approx(100.0)
    assert cohen_kappa(pairs) is None


def test_perfect_agreement_on_two_categories_is_one() -> None:
    pairs = table({("include", "include"): 3, ("exclude", "exclude"): 5})
    assert percent_agreement(pairs) == pytest.approx(100.0)
    assert cohen_kappa(pairs) == pytest.approx(1.0)


def test_a_rater_who_always_says_the_same_gives_kappa_zero() -> None:
    # Rater 1 always "3", rater 2 says "3" four times in five: po = 0.8, pe = 1*0.8 = 0.8, kappa 0.
    pairs = [("3", "3"), ("3", "4"), ("3", "3"), ("3", "3"), ("3", "3")]
    assert percent_agreement(pairs) == pytest.approx(80.0)
    assert cohen_kappa(pairs) == pytest.approx(0.0)


# --- Fleiss' kappa -----------------------------------------------------------------------------

# Wikipedia, "Fleiss' kappa", Worked example: 10 subjects, 14 raters, 5 categories; each row gives
# how many raters put the subject in categories 1..5. P-bar = 0.378, Pe-bar = 0.213, kappa = 0.210.
WIKIPEDIA_FLEISS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_fleiss_kappa_matches_the_wikipedia_worked_example() -> None:
    items = items_from_counts(WIKIPEDIA_FLEISS)
    assert all(len(item) == 14 for item in items)
    assert fleiss_kappa(items) == pytest.approx(0.210, abs=5e-4)


def test_fleiss_kappa_edge_cases() -> None:
    assert fleiss_kappa([]) is None
    assert fleiss_kappa([["include"] * 3] * 4) is None  # Pe-bar = 1
    assert fleiss_kappa([["include"] * 3, ["exclude"] * 3]) == pytest.approx(1.0)


def test_fleiss_kappa_rejects_items_with_different_numbers_of_ratings() -> None:
    with pytest.raises(ValueError, match=r"item 2 has 2 ratings but item 0 has 3"):
        fleiss_kappa([["a", "a", "b"], ["a", "b", "b"], ["a", "b"]])


def test_fleiss_kappa_needs_two_ratings_per_item() -> None:
    with pytest.raises(ValueError, match="item 0 has 1"):
        fleiss_kappa([["a"], ["b"]])


# --- the report over a stage's votes -----------------------------------------------------------

# Three reviewers. r1 and r9 have one vote each and are ignored. Two-vote references are written
# in either order; r3 lists bob first on purpose: the report must order the votes by name.
STAGE = {
    "r1": {"alice": "include"},
    "r2": {"alice": "include", "bob": "include"},
    "r3": {"bob": "exclude", "alice": "include"},
    "r4": {"alice": "exclude", "bob": "exclude"},
    "r5": {"bob": "maybe", "carol": "include"},
    "r6": {"alice": "exclude", "carol": "include"},
    "r7": {"alice": "include", "bob": "maybe", "carol": "exclude"},
    "r8": {"alice": "exclude", "bob": "exclude", "carol": "exclude"},
    "r9": {"carol": "exclude"},
}


def test_agreement_report_on_a_hand_computed_stage() -> None:
    report = agreement_report(STAGE)

    # r2..r8 have two or more votes. All votes agree (maybe = include) on r2, r4, r5, r8: 4 of 7.
    assert report.references == 7
    assert report.percent_agreement == pytest.approx(400 / 7)

    # Two-vote references, ordered by reviewer name (I = include, E = exclude):
    #   r2 (alice I, bob I), r3 (alice I, bob E), r4 (alice E, bob E),
    #   r5 (bob I, carol I), r6 (alice E, carol I)
    # po = 3/5. First votes I,I,E,I,E -> I 3, E 2; second votes I,E,E,I,I -> I 3, E 2.
    # pe = (3*3 + 2*2)/25 = 13/25; kappa = (15 - 13)/(25 - 13) = 2/12 = 1/6.
    # (Taken in insertion order r3 would be (E, I): first votes I 2, E 3, second I 4, E 1,
    # pe = (2*4 + 3*1)/25 = 11/25 and kappa = 4/14 instead.)
    assert report.cohen_kappa == pytest.approx(1 / 6)

    # Three-vote references: r7 (I, I, E), r8 (E, E, E); N = 2 items, n = 3 raters.
    # P_r7 = (2² + 1² - 3)/(3*2) = 1/3; P_r8 = (3² - 3)/6 = 1; P-bar = 2/3.
    # p_I = 2/6, p_E = 4/6; Pe-bar = 1/9 + 4/9 = 5/9; kappa = (2/3 - 5/9)/(1 - 5/9) = 1/4.
    assert report.fleiss_kappa == pytest.approx(0.25)

    # alice-bob on r2 (I,I) r3 (I,E) r4 (E,E) r7 (I,I) r8 (E,E): 4 of 5 agree -> 80%.
    #   alice I 3, E 2; bob I 2, E 3; pe = (3*2 + 2*3)/25 = 12/25; kappa = (20-12)/(25-12) = 8/13.
    # alice-carol on r6 (E,I) r7 (I,E) r8 (E,E): 1 of 3 agree -> 33.3%.
    #   alice I 1, E 2; carol I 1, E 2; pe = (1 + 4)/9 = 5/9; kappa = (3-5)/(9-5) = -1/2.
    # bob-carol on r5 (I,I) r7 (I,E) r8 (E,E): 2 of 3 agree -> 66.7%.
    #   bob I 2, E 1; carol I 1, E 2; pe = (2 + 2)/9 = 4/9; kappa = (6-4)/(9-4) = 2/5.
    assert report.pairs == (
        PairAgreement(("alice", "bob"), 5, pytest.approx(80.0), pytest.approx(8 / 13)),
        PairAgreement(("alice", "carol"), 3, pytest.approx(100 / 3), pytest.approx(-0.5)),
        PairAgreement(("bob", "carol"), 3, pytest.approx(200 / 3), pytest.approx(0.4)),
    )


def test_agreement_report_does_not_depend_on_dict_order() -> None:
    reordered = {ref: dict(reversed(ballot.items())) for ref, ballot in reversed(STAGE.items())}
    assert agreement_report(reordered) == agreement_report(STAGE)


@pytest.mark.parametrize(
    ("votes", "expected"),
    [
        # Two 3-vote references and one 4-vote reference: 3 is the most common count, so Fleiss
        # uses p and q only; they are r7 and r8 of the stage above, kappa = 1/4.
        pytest.param(
            {
                "p": {"a": "include", "b": "maybe", "c": "exclude"},
                "q": {"a": "exclude", "b": "exclude", "c": "exclude"},
                "s": {"a": "include", "b": "include", "c": "include", "d": "include"},
            },
            0.25,
            id="most-common-count",
        ),
        # One 3-vote and one 4-vote reference: a tie, so the larger count (4) wins and only s is
        # used: I 3, E 1; P = (9 + 1 - 4)/12 = 1/2; Pe = 9/16 + 1/16 = 5/8;
        # kappa = (1/2 - 5/8)/(1 - 5/8) = -1/3.
        pytest.param(
            {
                "p": {"a": "include", "b": "include", "c": "exclude"},
                "s": {"a": "include", "b": "include", "c": "include", "d": "exclude"},
            },
            -1 / 3,
            id="tie-takes-the-larger-count",
        ),
    ],
)
def test_fleiss_in_the_report_uses_the_most_common_vote_count(
    votes: dict[str, dict[str, str]], expected: float
) -> None:
    assert agreement_report(votes).fleiss_kappa == pytest.approx(expected)


def test_agreement_report_counts_maybe_as_include() -> None:
    report = agreement_report({"r1": {"alice": "include", "bob": "maybe"}})
    assert report.references == 1
    assert report.percent_agreement == pytest.approx(100.0)
    assert report.cohen_kappa is None  # both said include: pe = 1
    assert report.fleiss_kappa is None  # no reference has three votes
    assert report.pairs == (PairAgreement(("alice", "bob"), 1, 100.0, None),)


def test_agreement_report_with_nothing_to_compare() -> None:
    empty = AgreementReport(0, None, None, None, ())
    assert agreement_report({}) == empty
    assert agreement_report({"r1": {"alice": "include"}, "r2": {"bob": "exclude"}}) == empty


def test_agreement_report_rejects_unknown_votes() -> None:
    with pytest.raises(ValueError, match="unknown vote"):
        agreement_report({"r1": {"alice": "include", "bob": "yes"}})


# --- properties --------------------------------------------------------------------------------

labels = st.sampled_from(["include", "exclude", "maybe", "other"])
pair_lists = st.lists(st.tuples(labels, labels), max_size=40)


@given(pair_lists)
def test_kappa_and_percent_agreement_are_well_behaved(pairs: list[tuple[str, str]]) -> None:
    swapped = [(b, a) for a, b in pairs]
    kappa = cohen_kappa(pairs)
    assert kappa == cohen_kappa(swapped)
    assert percent_agreement(pairs) == percent_agreement(swapped)
    if not pairs:
        assert percent_agreement(pairs) is None
    else:
        assert 0 <= percent_agreement(pairs) <= 100
    if kappa is not None:
        assert -1 <= kappa <= 1


def test_kappa_in_landis_and_koch_s_words() -> None:
    from screening.agreement import kappa_reading

    assert kappa_reading(-0.1).startswith("poor")
    assert kappa_reading(0.0) == "slight"
    assert kappa_reading(0.19) == "slight"
    assert kappa_reading(0.2) == "slight"
    assert kappa_reading(0.21) == "fair"
    assert kappa_reading(0.5) == "moderate"
    assert kappa_reading(0.625) == "substantial"
    assert kappa_reading(0.8) == "substantial"
    assert kappa_reading(0.81) == "almost perfect"
    assert kappa_reading(1.0) == "almost perfect"
    assert kappa_reading(None).startswith("not defined")
