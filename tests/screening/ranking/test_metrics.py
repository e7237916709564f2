"""The screening measures on small hand-made orders (1 include + 1 exclude as priors)."""

from __future__ import annotations

import pytest

from screening.ranking.metrics import Metrics, atd, metrics_compute, recall_at, wss

# 12 records, 3 includes: after the two priors, N = 10 and R = 2.
CASES = [
    # labels in screening order, priors first     WSS@95  r@10  r@25  ATD
    ([1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0], Metrics(0.75, 0.5, 1.0, 0.15)),
    ([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1], Metrics(-0.05, 0.0, 0.0, 0.95)),
    # An order may stop at the last include: what follows changes nothing.
    ([1, 0, 0, 1, 1], Metrics(0.65, 0.0, 0.5, 0.25)),
    ([1, 0, 0, 1, 0, 0, 0, 0, 1], Metrics(0.25, 0.0, 0.5, 0.45)),
]


@pytest.mark.parametrize(("screened", "expected"), CASES)
def test_it_measures_a_hand_made_order(screened: list[int], expected: Metrics) -> None:
    got = metrics_compute(screened, records=12, included=3)
    assert got.wss95 == pytest.approx(expected.wss95)
    assert got.recall10 == pytest.approx(expected.recall10)
    assert got.recall25 == pytest.approx(expected.recall25)
    assert got.atd == pytest.approx(expected.atd)


def test_wss_needs_ceil_of_95_percent_of_the_includes_left() -> None:
    # R = 20 after the prior: 19 includes are 95 %, so the 20th may come last without cost.
    screened = [1, 0] + [1] * 19 + [0] * 79 + [1]
    assert wss(screened, records=101, included=21) == pytest.approx((99 - 19) / 99 - 0.05)


def test_wss_on_40_includes_does_not_ask_for_a_39th() -> None:
    # 0.95 * 40 is 38 exactly; a float just above 38 must not turn into 39.
    screened = [1, 0] + [1] * 38 + [0] * 10 + [1, 1]
    assert wss(screened, records=52, included=41) == pytest.approx((50 - 38) / 50 - 0.05)


def test_recall_counts_the_first_tenth_of_the_records_left() -> None:
    screened = [1, 0] + [0] * 10 + [1] + [1] + [0] * 88
    # N = 100: the first 10 after the priors hold no include; the first 25 hold both.
    assert recall_at(screened, share=0.10, records=102, included=3) == 0.0
    assert recall_at(screened, share=0.25, records=102, included=3) == 1.0


def test_an_order_that_misses_includes_is_refused() -> None:
    with pytest.raises(ValueError, match="includes"):
        wss([1, 0, 0, 0], records=12, included=3)
    with pytest.raises(ValueError, match="includes"):
        atd([1, 0, 1, 0], records=12, included=3)
