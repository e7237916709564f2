"""The stopping aid against hand-computed hypergeometric cases, scipy as an oracle, and its edges."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.ranking.stopping import (
    hypergeom_cdf,
    includes_left_for_target,
    includes_left_upper,
    knee_of,
    knee_reached,
    proposed_sample_size,
    recall_test,
    recall_test_ranked,
    sample_alpha,
    stopping_evidence,
)

# --- the hypergeometric law --------------------------------------------------------------------


def test_hypergeom_cdf_matches_a_hand_count() -> None:
    # 3 drawn from 10 holding 2 includes: no include drawn in C(8, 3) / C(10, 3) = 56 / 120 ways.
    assert hypergeom_cdf(0, 10, 2, 3) == pytest.approx(56 / 120, rel=1e-12)
    # At most one: (56 + 2 * C(8, 2)) / 120 = (56 + 56) / 120.
    assert hypergeom_cdf(1, 10, 2, 3) == pytest.approx(112 / 120, rel=1e-12)
    assert hypergeom_cdf(2, 10, 2, 3) == 1.0


def test_hypergeom_cdf_is_scipys() -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    for population, successes, draws, k in [
        (1_000, 2, 777, 0),
        (8_000, 6, 3_000, 1),
        (2_500, 40, 600, 7),
        (100_000, 12, 20_000, 3),
        (50, 25, 25, 12),
    ]:
        expected = scipy_stats.hypergeom.cdf(k, population, successes, draws)
        assert hypergeom_cdf(k, population, successes, draws) == pytest.approx(expected, rel=1e-9)


def test_hypergeom_cdf_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError, match="population"):
        hypergeom_cdf(0, 10, 11, 3)


# --- the test of "recall below the target" ------------------------------------------------------


def test_the_boundary_of_the_hypothesis_is_exact() -> None:
    # 19 found of 20 is a recall of exactly 0.95, not below it: 2 missed is the least that misses.
    assert includes_left_for_target(19, 0, target=0.95) == 2
    # 38 found: 40 in all is exactly 0.95, so 41, three left unscreened.
    assert includes_left_for_target(38, 0, target=0.95) == 3
    # Includes found in the sample count as found: 17 + 2 = 19 found, 20 - 17 + 1 = 4 left.
    assert includes_left_for_target(17, 2, target=0.95) == 4


def test_recall_test_by_hand() -> None:
    # 19 found in ranked order; none in 100 of the 1,000 unscreened. Recall misses 0.95 only
    # if 2 or more includes are among the 1,000: p = C(998, 100) / C(1000, 100).
    expected = Fraction(900 * 899, 1000 * 999)
    assert recall_test(19, 100, 0, 1_000) == pytest.approx(float(expected), rel=1e-9)
    # 38 found, none in 10 of 20 left: 3 would miss, p = C(17, 10) / C(20, 10) = 720 / 6840.
    assert recall_test(38, 10, 0, 20) == pytest.approx(720 / 6840, rel=1e-12)


def test_recall_test_is_scipys() -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    # 90 found in ranked order, 1 in a sample of 2,000 of 6,000: 96 in all would miss 0.95.
    needed = includes_left_for_target(90, 1)
    assert needed == 96 - 90
    expected = scipy_stats.hypergeom.cdf(1, 6_000, needed, 2_000)
    assert recall_test(90, 2_000, 1, 6_000) == pytest.approx(expected, rel=1e-9)


def test_with_nothing_unscreened_there_is_nothing_to_miss() -> None:
    assert recall_test(25, 0, 0, 0) == 0.0
    assert proposed_sample_size(0, 25) == 0
    evidence = stopping_evidence(25, 0, 0, 0)
    assert evidence.recall == evidence.recall_lower == 1.0
    assert evidence.stop_supported


def test_with_no_include_found_only_screening_almost_everything_can_show_it() -> None:
    # Any include anywhere misses the target: p = P(the one include is outside the sample).
    assert recall_test(0, 150, 0, 200) == pytest.approx(50 / 200)
    # (200 - n) / 200 < 0.05 needs n > 190.
    assert proposed_sample_size(200, 0) == 191
    assert recall_test(0, 191, 0, 200) < 0.05 <= recall_test(0, 190, 0, 200)


def test_a_sample_of_everything_left_settles_it() -> None:
    assert recall_test(10, 300, 4, 300) == 0.0
    assert recall_test(0, 300, 0, 300) == 0.0
    evidence = stopping_evidence(10, 300, 4, 300)
    assert evidence.includes_left_upper == 0
    assert evidence.recall == evidence.recall_lower == 1.0


def test_no_sample_is_no_evidence() -> None:
    assert recall_test(50, 0, 0, 1_000) == 1.0
    assert not stopping_evidence(50, 0, 0, 1_000).stop_supported


def test_a_small_pool_left_may_need_no_sample() -> None:
    # 100 found; 5 more would be needed to miss 0.95, and only 4 references are left.
    assert recall_test(100, 0, 0, 4) == 0.0
    assert proposed_sample_size(4, 100) == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((1, 11, 0, 10), "cannot be drawn"),
        ((1, 5, 6, 10), "in a sample of"),
        ((-1, 0, 0, 1), "negative"),
    ],
)
def test_recall_test_refuses_impossible_counts(
    arguments: tuple[int, int, int, int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        recall_test(*arguments)


def test_recall_test_refuses_a_target_outside_0_1() -> None:
    with pytest.raises(ValueError, match="target"):
        recall_test(1, 1, 0, 10, target=1.5)


# --- the proposed sample -----------------------------------------------------------------------


def test_proposed_sample_by_hand() -> None:
    # 19 found, 1,000 left, 2 would miss: (1000 - n)(999 - n) / (1000 * 999) < 0.05.
    # m = 1000 - n: m(m - 1) < 49,950 holds up to m = 223, so n = 777.
    assert proposed_sample_size(1_000, 19) == 777
    assert recall_test(19, 777, 0, 1_000) < 0.05 <= recall_test(19, 776, 0, 1_000)


def test_proposed_sample_for_an_include_in_it_is_larger() -> None:
    assert proposed_sample_size(1_000, 19, sample_includes=1) > proposed_sample_size(1_000, 19)


@given(
    remaining=st.integers(min_value=1, max_value=3_000),
    found=st.integers(min_value=0, max_value=300),
    target=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_the_proposed_sample_is_the_smallest_that_can_reject(
    remaining: int, found: int, target: float
) -> None:
    n = proposed_sample_size(remaining, found, target=target)
    assert 0 <= n <= remaining
    assert recall_test(found, n, 0, remaining, target) < 0.05
    if n > 0:
        assert recall_test(found, n - 1, 0, remaining, target) >= 0.05


def test_the_levels_of_successive_samples_spend_alpha() -> None:
    assert sample_alpha(1) == pytest.approx(0.0304, abs=1e-4)
    assert sample_alpha(2) == pytest.approx(sample_alpha(1) / 4)
    assert sum(sample_alpha(j) for j in range(1, 100_000)) == pytest.approx(0.05, abs=1e-6)
    with pytest.raises(ValueError, match="numbered from 1"):
        sample_alpha(0)


# --- the estimate and its bound ----------------------------------------------------------------


def test_the_upper_bound_on_includes_left_is_the_inverted_test() -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    n, k, pool = 400, 2, 2_000
    upper = includes_left_upper(n, k, pool)
    assert scipy_stats.hypergeom.cdf(k, pool, upper, n) >= 0.05
    assert scipy_stats.hypergeom.cdf(k, pool, upper + 1, n) < 0.05


@given(
    found=st.integers(min_value=0, max_value=200),
    pool=st.integers(min_value=1, max_value=2_000),
    share=st.floats(min_value=0, max_value=1),
    includes=st.integers(min_value=0, max_value=5),
)
def test_the_bound_reaches_the_target_exactly_when_the_test_rejects(
    found: int, pool: int, share: float, includes: int
) -> None:
    n = round(share * pool)
    k = min(includes, n)
    evidence = stopping_evidence(found, n, k, pool)
    assert evidence.stop_supported == (evidence.recall_lower >= 0.95)
    assert evidence.recall_lower <= evidence.recall <= 1.0


def test_the_estimate_never_falls_below_the_bound() -> None:
    # 1 include in a sample of 40 of 41: the share says 0.025 left, the exact bound says none.
    evidence = stopping_evidence(0, 40, 1, 41)
    assert evidence.includes_left_upper == 0
    assert evidence.includes_left_estimate == 0
    assert evidence.recall == evidence.recall_lower == 1.0


def test_the_evidence_in_words() -> None:
    supported = stopping_evidence(120, 700, 0, 2_000)
    assert supported.stop_supported
    assert supported.recall == 1.0
    assert "120 includes found: 120 in ranked order and 0 in a random sample of 700" in (
        supported.summary
    )
    assert "Stopping is supported" in supported.summary
    refused = stopping_evidence(120, 700, 3, 2_000)
    assert not refused.stop_supported
    # 3 in 700 of 2,000: about 3 * 1,300 / 700 = 5.6 left outside the sample.
    assert refused.includes_left_estimate == pytest.approx(3 * 1_300 / 700)
    assert refused.recall == pytest.approx(123 / (123 + 3 * 1_300 / 700))
    assert "Stopping is not supported yet" in refused.summary


# --- the knee method ---------------------------------------------------------------------------


def test_the_knee_of_a_curve_that_bends_once() -> None:
    knee = knee_of([1] * 10 + [0] * 146)
    assert knee is not None
    assert (knee.at, knee.found_at_knee, knee.found, knee.screened) == (10, 10, 10, 156)
    # Before: 10 includes in 10; after: (0 + 1) in 146: rho = 146 = 156 - min(10, 150).
    assert knee.slope_ratio == pytest.approx(146)
    assert knee.threshold == 146
    assert knee_reached([1] * 10 + [0] * 146)
    assert not knee_reached([1] * 10 + [0] * 145)


def test_the_knee_waits_for_the_minimum_screened() -> None:
    labels = [1] * 100 + [0] * 60  # rho = 60 >= 156 - 100 = 56, but only 160 screened
    assert knee_reached(labels)
    assert not knee_reached(labels, min_screened=1_000)


def test_no_knee_without_includes_or_without_a_tail() -> None:
    assert knee_of([0] * 500) is None
    assert knee_of([]) is None
    assert knee_of([0] * 200 + [1]) is None
    assert not knee_reached([0] * 500)


def test_a_straight_curve_has_no_knee_to_speak_of() -> None:
    labels = [1, 0, 0, 0, 0] * 100  # includes at a steady rate: no bend
    knee = knee_of(labels)
    assert knee is not None
    assert knee.slope_ratio < 2
    assert not knee_reached(labels)


# --- the ranked tail read as a sample -----------------------------------------------------------


def test_the_ranked_tail_by_hand() -> None:
    # 10 includes first, then 90 excludes, 900 left unscreened. The best reading is the 90
    # excludes as a sample of 990: 1 include among them would miss 0.95, p = 900 / 990.
    assert recall_test_ranked([1] * 10 + [0] * 90, 1_000) == pytest.approx(900 / 990, rel=1e-9)


def test_the_ranked_tail_is_the_smallest_p_over_its_readings() -> None:
    rng = random.Random(7)
    labels = [1] * 30 + [int(rng.random() < 0.1) for _ in range(200)] + [0] * 400
    total = 3_000
    readings = []
    for size in range(1, len(labels) + 1):
        tail = labels[-size:]
        readings.append(
            recall_test(sum(labels) - sum(tail), size, sum(tail), total - len(labels) + size)
        )
    assert recall_test_ranked(labels, total) == pytest.approx(min(readings), rel=1e-6)


def test_the_ranked_tail_edges() -> None:
    assert recall_test_ranked([1, 0, 0], 3) == 0.0  # everything screened
    assert recall_test_ranked([], 100) == 1.0  # nothing screened
    with pytest.raises(ValueError, match="screened of"):
        recall_test_ranked([0, 0], 1)
