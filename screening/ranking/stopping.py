"""The stopping aid: how much of the includes ranked screening has found, and whether to stop.

A lead may leave the rest of a ranked queue unscreened only on evidence, never automatically.
Two indicators with a published basis:

- **The random-sample test** of Callaghan & Müller-Hansen (2020), "Statistical stopping criteria
  for automated screening in systematic reviews", Systematic Reviews 9:273. After screening in
  ranked order, the team screens a simple random sample of the references still unscreened. Let
  ``r`` be the includes found in ranked order, ``N`` the references unscreened when the sample was
  drawn (the sample among them), ``n`` the sample's size and ``k`` its includes; so ``r + k``
  includes are found in all. Recall is below the target ``t`` exactly when the includes among the
  ``N`` number at least ``K = floor((r + k) / t) + 1 - r``; the smallest such count is the hardest
  case to reject, and the sample's includes follow a hypergeometric law, so
  ``p = P(X <= k | X ~ Hypergeometric(N, K, n))`` tests "recall < t". A p-value under alpha supports
  stopping. Inverting the same law gives an exact one-sided upper bound on the includes left among
  the ``N`` and so a lower bound on recall (Clopper-Pearson's construction, for a finite pool).
- **The knee method** of Cormack & Grossman (2016), "Engineering quality and reliability in
  technology-assisted review", SIGIR '16: a cheaper signal read off the gain curve of the ranked
  screening alone (includes found against references screened). It needs no sample but carries
  no guarantee; here it says when a random sample is worth drawing.

A third reading, buscar's, takes the ranked tail itself for the sample (`recall_test_ranked`):
no extra screening, but sound only as long as the ranking beats chance.

Pure: numpy (and scipy for the ranked tail's many readings at once), no Django, so the page, the
API and the simulation (benchmarks/bench_stopping.py) read the same figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

TARGET = 0.95
ALPHA = 0.05
# Cormack & Grossman's knee rule fires when the slope ratio reaches 156 - min(includes found, 150),
# and only after a minimum of references screened: reimplementations use 150 or 1,000; 1,000
# would be half of a review of 2,000 records, so 150 here.
KNEE_MIN_SCREENED = 150


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def hypergeom_cdf(k: int, population: int, successes: int, draws: int) -> float:
    """P(X <= k) for X the successes among `draws` taken without replacement from a pool.

    Written out (log-space terms summed from the largest) rather than taken from scipy, so the
    pure core needs numpy only; the tests hold it against scipy.stats.hypergeom.
    """
    if not 0 <= successes <= population or not 0 <= draws <= population:
        raise ValueError(
            f"hypergeometric: need 0 <= successes ({successes}) and draws ({draws}) "
            f"<= population ({population})"
        )
    low = max(0, draws - (population - successes))
    high = min(draws, successes)
    if k < low:
        return 0.0
    if k >= high:
        return 1.0
    total = _log_choose(population, draws)
    logs = [
        _log_choose(successes, i) + _log_choose(population - successes, draws - i) - total
        for i in range(low, k + 1)
    ]
    peak = max(logs)
    return min(1.0, math.exp(peak) * math.fsum(math.exp(x - peak) for x in logs))


def _as_fraction(target: float) -> Fraction:
    """The target as the fraction a person meant (0.95 is 19/20, not the nearest binary float).

    The boundary of the hypothesis is an integer count: with 19 includes found and a target of
    0.95, 20 includes in all is a recall of exactly 0.95, which must not count as "below".
    """
    if not 0 < target <= 1:
        raise ValueError(f"the recall target must be in (0, 1], not {target}")
    return Fraction(target).limit_denominator(10_000)


def _check_counts(
    screened_includes: int, sample_size: int, sample_includes: int, remaining_total: int
) -> None:
    if min(screened_includes, sample_size, sample_includes, remaining_total) < 0:
        raise ValueError("counts of references and includes cannot be negative")
    if sample_size > remaining_total:
        raise ValueError(
            f"a sample of {sample_size} cannot be drawn from {remaining_total} unscreened references"
        )
    if sample_includes > sample_size:
        raise ValueError(f"{sample_includes} includes in a sample of {sample_size}")


def includes_left_for_target(
    screened_includes: int, sample_includes: int, *, target: float = TARGET
) -> int:
    """The fewest includes among the unscreened (sample included) for recall to miss `target`."""
    fraction = _as_fraction(target)
    found = screened_includes + sample_includes
    # floor(found / target) + 1 in exact integer arithmetic: total includes above found / target.
    return (found * fraction.denominator) // fraction.numerator + 1 - screened_includes


def recall_test(
    screened_includes: int,
    sample_size: int,
    sample_includes: int,
    remaining_total: int,
    target: float = TARGET,
) -> float:
    """The p-value of "recall is below `target`", from a random sample of the unscreened.

    `screened_includes` were found in ranked order before the sample; the sample of `sample_size`
    was drawn at random from the `remaining_total` references then unscreened and held
    `sample_includes` includes. With nothing left unscreened there is nothing to miss: p = 0.
    """
    _check_counts(screened_includes, sample_size, sample_includes, remaining_total)
    if remaining_total == 0:
        return 0.0
    needed = includes_left_for_target(screened_includes, sample_includes, target=target)
    if needed > remaining_total:
        # Even if every unscreened reference were an include, recall would reach the target.
        return 0.0
    return hypergeom_cdf(sample_includes, remaining_total, needed, sample_size)


def includes_left_upper(
    sample_size: int, sample_includes: int, remaining_total: int, *, alpha: float = ALPHA
) -> int:
    """The most includes the unscreened pool can hold at confidence 1 - alpha (one-sided, exact).

    The largest K for which the sample's count is not surprising: P(X <= k | K) >= alpha.
    """
    _check_counts(0, sample_size, sample_includes, remaining_total)
    low = sample_includes  # the sample's own includes are certainly there
    high = remaining_total - (sample_size - sample_includes)  # and its excludes are not
    # The cdf falls as K grows, so the last K with cdf >= alpha is found by bisection.
    while low < high:
        middle = (low + high + 1) // 2
        if hypergeom_cdf(sample_includes, remaining_total, middle, sample_size) >= alpha:
            low = middle
        else:
            high = middle - 1
    return low


def proposed_sample_size(
    remaining: int,
    screened_includes: int,
    *,
    target: float = TARGET,
    alpha: float = ALPHA,
    sample_includes: int = 0,
) -> int:
    """How many of the `remaining` unscreened references to screen at random to be able to stop.

    The smallest sample for which finding `sample_includes` includes in it (none, by default:
    the hope when ranking has done its work) gives p < alpha. Roughly, with K the includes that
    would make recall miss the target, n = remaining * (1 - alpha ** (1 / K)): a fixed share of
    what is left, larger the fewer includes have been found. It is `remaining` itself when
    nothing less can show it (then screening everything is the only evidence).
    """
    if remaining < 0 or screened_includes < 0 or sample_includes < 0:
        raise ValueError("counts of references and includes cannot be negative")
    if remaining == 0:
        return 0
    low = min(sample_includes, remaining)
    high = remaining
    if recall_test(screened_includes, low, sample_includes, remaining, target) < alpha:
        return low
    # p falls as the sample grows (for a given count of includes in it): bisect.
    while low < high:
        middle = (low + high) // 2
        if recall_test(screened_includes, middle, sample_includes, remaining, target) < alpha:
            high = middle
        else:
            low = middle + 1
    return low


def sample_alpha(sample_number: int, *, alpha: float = ALPHA) -> float:
    """The level for a stage's `sample_number`-th random sample (1, 2, ...), spending `alpha`.

    Every sample that fails sends the team back to ranked screening and a later sample gets
    another chance to reject wrongly; levels of 6 alpha / (pi^2 j^2) (0.030, 0.0076, 0.0034, ...
    for alpha 0.05) sum to alpha, so the chance of a wrong stop over all of a stage's samples
    stays within alpha, while the first sample, usually the only one, pays little for it.
    """
    if sample_number < 1:
        raise ValueError(f"samples are numbered from 1, not {sample_number}")
    return 6 * alpha / (math.pi**2 * sample_number**2)


@dataclass(frozen=True)
class StoppingEvidence:
    """What a random sample of the unscreened says about recall, in numbers and in words."""

    screened_includes: int
    sample_size: int
    sample_includes: int
    remaining_total: int
    target: float
    alpha: float
    recall: float  # point estimate: includes left estimated from the sample's share
    recall_lower: float  # one-sided lower bound at confidence 1 - alpha
    includes_left_estimate: float  # in the unscreened references outside the sample
    includes_left_upper: int  # at confidence 1 - alpha, outside the sample
    p_value: float  # of "recall < target"

    @property
    def stop_supported(self) -> bool:
        return self.p_value < self.alpha

    @property
    def summary(self) -> str:
        """The figures as a lead reads them on the stopping page and in the methods text."""
        confidence = round((1 - self.alpha) * 100)
        found = self.screened_includes + self.sample_includes
        unsampled = self.remaining_total - self.sample_size
        lines = [
            f"{found:,} includes found: {self.screened_includes:,} in ranked order and "
            f"{self.sample_includes:,} in a random sample of {self.sample_size:,} of the "
            f"{self.remaining_total:,} references then unscreened.",
            f"Estimated recall {self.recall:.3f}; at least {self.recall_lower:.3f} with "
            f"{confidence} % confidence (at most {self.includes_left_upper:,} includes among the "
            f"{unsampled:,} references left unscreened).",
            f"Test of recall below {self.target:.2f}: p = {_p_text(self.p_value)}.",
        ]
        if self.stop_supported:
            lines.append(
                f"Stopping is supported: recall of at least {self.target:.2f} at the "
                f"{round(self.alpha * 100)} % level (Callaghan & Müller-Hansen 2020)."
            )
        else:
            lines.append(
                "Stopping is not supported yet: screen on in ranked order, then screen a new "
                "random sample of what is left."
            )
        return " ".join(lines)


def _p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def stopping_evidence(
    screened_includes: int,
    sample_size: int,
    sample_includes: int,
    remaining_total: int,
    *,
    target: float = TARGET,
    alpha: float = ALPHA,
) -> StoppingEvidence:
    """Recall so far, its lower bound, the test's p-value and whether stopping is supported.

    The bound and the test agree: the lower bound reaches the target exactly when p < alpha.
    """
    p_value = recall_test(screened_includes, sample_size, sample_includes, remaining_total, target)
    unsampled = remaining_total - sample_size
    upper = includes_left_upper(sample_size, sample_includes, remaining_total, alpha=alpha)
    found = screened_includes + sample_includes
    # With no sample there is no evidence: every unscreened reference may be an include.
    left_estimate = sample_includes * unsampled / sample_size if sample_size else float(unsampled)
    left_upper = upper - sample_includes
    # A count is whole and the share is not: with a pool nearly all sampled, the share can
    # exceed the bound (1 include in 40 of 41: 0.025 left, bound 0); the bound wins.
    left_estimate = min(left_estimate, float(left_upper))
    return StoppingEvidence(
        screened_includes=screened_includes,
        sample_size=sample_size,
        sample_includes=sample_includes,
        remaining_total=remaining_total,
        target=target,
        alpha=alpha,
        recall=_recall(found, left_estimate),
        recall_lower=_recall(found, left_upper),
        includes_left_estimate=left_estimate,
        includes_left_upper=left_upper,
        p_value=p_value,
    )


def _recall(found: int, missed: float) -> float:
    # Nothing found and nothing left to find: nothing was missed.
    return 1.0 if found + missed == 0 else found / (found + missed)


def recall_test_ranked(
    order_labels: Sequence[int] | np.ndarray, total: int, *, target: float = TARGET
) -> float:
    """The p-value of "recall < `target`" with no extra sample, reading the ranked tail as one.

    The reading of Callaghan & Müller-Hansen's buscar package: the last j references screened in
    ranked order are taken as if drawn at random from themselves and the unscreened, and the
    test above is run for every j, keeping the smallest p. It is sound only while the ranking
    puts includes earlier than chance (the tail then holds more includes than a random draw, so
    each p errs high); the smallest p over all j is not corrected for the choice of j. A
    signal to propose the random sample sooner; not, by itself, the evidence for a stop.
    """
    from scipy.stats import hypergeom

    labels = np.asarray(order_labels, dtype=np.int64)
    screened = int(labels.size)
    unscreened = total - screened
    if unscreened < 0:
        raise ValueError(f"{screened} screened of {total} references")
    if unscreened == 0:
        return 0.0
    if screened == 0:
        return 1.0
    fraction = _as_fraction(target)
    found = int(labels.sum())
    tail_found = np.cumsum(labels[::-1])
    sizes = np.arange(1, screened + 1)
    population = sizes + unscreened
    needed = (found * fraction.denominator) // fraction.numerator + 1 - (found - tail_found)
    possible = needed <= population
    if not possible.all():
        return 0.0  # some reading leaves too few references for recall to miss the target
    p_values = hypergeom.cdf(tail_found, population, needed, sizes)
    return float(p_values.min())


# --- the knee method ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Knee:
    """The knee of the gain curve of ranked screening and the slope ratio at it."""

    screened: int  # references screened in ranked order so far (s)
    found: int  # includes among them
    at: int  # the knee: references screened when the curve bent (i)
    found_at_knee: int
    slope_ratio: float  # includes per reference before the knee over after it (rho)
    threshold: float  # 156 - min(found, 150)

    @property
    def reached(self) -> bool:
        return self.slope_ratio >= self.threshold


def knee_of(order_labels: Sequence[int] | np.ndarray) -> Knee | None:
    """The knee of the gain curve of `order_labels` (1 include, 0 exclude, in screening order).

    The knee is where the curve lies furthest above the straight line from the origin to its
    current end (Satopää et al.'s Kneedle on the normalised curve, as Cormack & Grossman use);
    the slope ratio compares the rate of includes before it with the rate after it, one include
    added after it so that an empty tail does not divide by zero. None before any include, or
    when the curve has no tail after its knee yet.
    """
    labels = np.asarray(order_labels, dtype=np.int64)
    screened = int(labels.size)
    gain = np.cumsum(labels)
    found = int(gain[-1]) if screened else 0
    if found == 0:
        return None
    ranks = np.arange(1, screened + 1)
    at = int(np.argmax(gain / found - ranks / screened)) + 1
    if at >= screened:
        return None
    found_at_knee = int(gain[at - 1])
    slope_ratio = (found_at_knee / at) / ((found - found_at_knee + 1) / (screened - at))
    return Knee(
        screened=screened,
        found=found,
        at=at,
        found_at_knee=found_at_knee,
        slope_ratio=float(slope_ratio),
        threshold=float(156 - min(found, 150)),
    )


def knee_reached(
    order_labels: Sequence[int] | np.ndarray, *, min_screened: int = KNEE_MIN_SCREENED
) -> bool:
    """Whether Cormack & Grossman's knee rule says ranked screening has passed its knee.

    Fires when the slope ratio reaches 156 - min(includes found, 150) after at least
    `min_screened` references: the fewer includes found, the steeper the bend it asks for. A
    signal with no guarantee of recall: here it says when to draw the random sample.
    """
    if len(order_labels) < min_screened:
        return False
    knee = knee_of(order_labels)
    return knee is not None and knee.reached
