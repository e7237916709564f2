"""Inter-rater agreement on screening votes.

Computes percent agreement, Cohen's (1960) kappa for two raters, Fleiss' (1971) kappa for a
fixed number of raters per item, and a report over one screening stage's votes. For agreement a
"maybe" vote counts as "include", so the report works on binary include/exclude labels.

A statistic is None when it is undefined: there was nothing to compare, or chance agreement is
total (pe == 1, e.g. every rating fell in one category), which would make kappa 0/0.
"""

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

BINARY: dict[str, str] = {"include": "include", "maybe": "include", "exclude": "exclude"}


def as_binary(vote: str) -> str:
    """Map a screening vote to "include" or "exclude" (maybe counts as include)."""
    try:
        return BINARY[vote]
    except KeyError:
        raise ValueError(f"unknown vote {vote!r}; expected one of {sorted(BINARY)}") from None


def percent_agreement(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Share (0 to 100) of pairs whose two labels are equal; None for no pairs."""
    if not pairs:
        return None
    return 100 * sum(a == b for a, b in pairs) / len(pairs)


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Cohen's kappa of rater 1 (first labels) against rater 2 (second labels)."""
    n = len(pairs)
    if n == 0:
        return None
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    po = Fraction(sum(a == b for a, b in pairs), n)
    pe = Fraction(sum(first[c] * second[c] for c in first), n * n)
    if pe == 1:
        return None
    return float((po - pe) / (1 - pe))


def fleiss_kappa(items: Sequence[Sequence[str]]) -> float | None:
    """Fleiss' kappa over items that each carry the same number n >= 2 of labels."""
    if not items:
        return None
    n = len(items[0])
    if n < 2:
        raise ValueError(f"item 0 has {n} rating(s); Fleiss' kappa needs at least 2 per item")
    for index, labels in enumerate(items):
        if len(labels) != n:
            raise ValueError(
                f"item {index} has {len(labels)} ratings but item 0 has {n}; "
                "every item needs the same number"
            )
    counts = [Counter(labels) for labels in items]
    totals = Counter(label for labels in items for label in labels)
    ratings = len(items) * n
    # P-bar: mean over items of the share of agreeing rater pairs; Pe-bar: sum of p_j squared.
    p_bar = Fraction(sum(sum(k * k for k in c.values()) - n for c in counts), ratings * (n - 1))
    pe_bar = Fraction(sum(t * t for t in totals.values()), ratings * ratings)
    if pe_bar == 1:
        return None
    return float((p_bar - pe_bar) / (1 - pe_bar))


@dataclass(frozen=True)
class PairAgreement:
    """Agreement between two reviewers over the references both voted on."""

    reviewers: tuple[str, str]
    references: int
    percent_agreement: float | None
    cohen_kappa: float | None


@dataclass(frozen=True)
class AgreementReport:
    """Agreement over the references of a stage that have two or more votes."""

    references: int
    percent_agreement: float | None
    cohen_kappa: float | None
    fleiss_kappa: float | None
    pairs: tuple[PairAgreement, ...]


def agreement_report(votes: Mapping[Hashable, Mapping[str, str]]) -> AgreementReport:
    """Agreement report for votes given as reference id -> {reviewer name: vote}."""
    binary = [{name: as_binary(vote) for name, vote in ballot.items()} for ballot in votes.values()]
    ballots = [ballot for ballot in binary if len(ballot) >= 2]

    unanimous = sum(len(set(ballot.values())) == 1 for ballot in ballots)
    two_votes: list[tuple[str, str]] = []
    by_pair: defaultdict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for ballot in ballots:
        for first, second in combinations(sorted(ballot), 2):
            by_pair[first, second].append((ballot[first], ballot[second]))
            if len(ballot) == 2:
                two_votes.append((ballot[first], ballot[second]))

    sizes = Counter(len(b) for b in ballots if len(b) >= 3)
    fleiss = None
    if sizes:
        size = max(sizes, key=lambda s: (sizes[s], s))  # most common count; ties: the larger
        fleiss = fleiss_kappa([list(b.values()) for b in ballots if len(b) == size])

    return AgreementReport(
        references=len(ballots),
        percent_agreement=100 * unanimous / len(ballots) if ballots else None,
        cohen_kappa=cohen_kappa(two_votes),
        fleiss_kappa=fleiss,
        pairs=tuple(
            PairAgreement(
                reviewers=reviewers,
                references=len(pairs),
                percent_agreement=percent_agreement(pairs),
                cohen_kappa=cohen_kappa(pairs),
            )
            for reviewers, pairs in sorted(by_pair.items())
        ),
    )


# Landis and Koch (1977), "The measurement of observer agreement for categorical data",
# Biometrics 33:159-174: the bands most screening papers quote.
KAPPA_BANDS: tuple[tuple[float, str], ...] = (
    (0.2, "slight"),
    (0.4, "fair"),
    (0.6, "moderate"),
    (0.8, "substantial"),
)


def kappa_reading(kappa: float | None) -> str:
    """Kappa in words, in Landis and Koch's bands: below 0 poor, to 0.20 slight, to 0.40 fair,
    to 0.60 moderate, to 0.80 substantial, above almost perfect (each upper bound included)."""
    if kappa is None:
        return "not defined: too few references with two votes, or every vote the same"
    if kappa < 0:
        return "poor: less than chance would give"
    for upper, words in KAPPA_BANDS:
        if kappa <= upper:
            return words
    return "almost perfect"
