"""How good a screening order is, in the measures the literature reports (../shared/RANKING.md).

All are computed after removing the priors (1 include + 1 exclude), as Ferdinands et al. and
our ASReview comparisons do: N and R are the records and the includes left after the priors.
An order may stop at the last include; the records after it do not change any measure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Metrics:
    """WSS@95 (Cohen), recall after 10 % and 25 % screened, average time to discovery."""

    wss95: float
    recall10: float
    recall25: float
    atd: float


def _positions(screened: Sequence[int], priors: int) -> list[int]:
    """1-based positions, after the priors, at which each include was found."""
    return [k for k, label in enumerate(screened[priors:], start=1) if label == 1]


def wss(
    screened: Sequence[int],
    *,
    records: int,
    included: int,
    recall: float = 0.95,
    priors: int = 2,
    prior_includes: int = 1,
) -> float:
    """Work saved over sampling at `recall`: (N - k) / N - (1 - recall) (Cohen et al. 2006).

    k is the number of records screened to find ceil(recall * R) includes.
    """
    n, r = records - priors, included - prior_includes
    needed = math.ceil(round(recall * r, 9))
    positions = _positions(screened, priors)
    if needed == 0:
        return 1 - (1 - recall)
    if len(positions) < needed:
        raise ValueError(f"the order finds {len(positions)} includes, {needed} needed")
    return (n - positions[needed - 1]) / n - (1 - recall)


def recall_at(
    screened: Sequence[int],
    *,
    share: float,
    records: int,
    included: int,
    priors: int = 2,
    prior_includes: int = 1,
) -> float:
    """Share of the includes found after screening the first floor(share * N) records."""
    n, r = records - priors, included - prior_includes
    if r == 0:
        return 1.0
    budget = math.floor(round(share * n, 9))
    return sum(1 for k in _positions(screened, priors) if k <= budget) / r


def atd(
    screened: Sequence[int],
    *,
    records: int,
    included: int,
    priors: int = 2,
    prior_includes: int = 1,
) -> float:
    """Average time to discovery: mean over the includes of the share screened to find each."""
    n, r = records - priors, included - prior_includes
    positions = _positions(screened, priors)
    if len(positions) < r:
        raise ValueError(f"the order finds {len(positions)} includes of {r}")
    return sum(k / n for k in positions) / r if r else 0.0


def metrics_compute(screened: Sequence[int], *, records: int, included: int) -> Metrics:
    """Every measure for one order: `screened` is the labels in screening order, priors first."""
    common = {"records": records, "included": included}
    return Metrics(
        wss95=wss(screened, **common),
        recall10=recall_at(screened, share=0.10, **common),
        recall25=recall_at(screened, share=0.25, **common),
        atd=atd(screened, **common),
    )
