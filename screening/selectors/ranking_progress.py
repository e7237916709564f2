"""Ranking as the team sees it: the progress curve, the relevance cue on a screening card, and
the lead's seed references.

Everything here derives from settled decisions only (two votes that agree, or a lead's
resolution) and from rankings, which learn from settled decisions only: no answer moves with
anyone's open vote. How many references are settled at a stage is still something a blinded
reviewer may not learn (it would tell them whether their votes agreed), so the curve is the
leads' and, once the stage is unblinded for them, the reviewers' (`progress_visible`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import FloatField, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from ..models import (
    Membership,
    Project,
    RankedReference,
    Ranking,
    RankingSeed,
    Reference,
    ReferenceSource,
)
from ..vocabulary import Order, Stage, Status
from .blinding import blinding_for
from .statuses import screened_references

TA = Stage.TITLE_ABSTRACT.value

# The relevance cue's words, highest first.
HIGH, MEDIUM, LOW = "high", "medium", "low"


# The relevance cue -------------------------------------------------------------------------------


def relevance_cuts(scores: Iterable[float | None]) -> tuple[float, float] | None:
    """The two scores that split a ranking's scores in thirds, or None when the scores cannot
    tell references apart (none, or all equal). Pure.

    A score is `high` when it is above at least two thirds of the ranking's scores, `medium`
    above at least one third, else `low` (`relevance_band`). Ties stay together: in a cold start
    where most references share nothing with the criteria (score 0), those are all low.
    """
    ordered = sorted(s for s in scores if s is not None and math.isfinite(s))
    if not ordered or ordered[0] == ordered[-1]:
        return None
    n = len(ordered)
    # Above at least k of n scores <=> above the k-th smallest.
    return ordered[math.ceil(n / 3) - 1], ordered[math.ceil(2 * n / 3) - 1]


def relevance_band(score: float | None, cuts: tuple[float, float] | None) -> str | None:
    """`high`, `medium` or `low` for a score in a ranking with these cuts; None without. Pure."""
    if score is None or cuts is None or not math.isfinite(score):
        return None
    lower, upper = cuts
    if score > upper:
        return HIGH
    if score > lower:
        return MEDIUM
    return LOW


def _cuts_of(project_id: int, stage: str, ranking_id: int) -> tuple[float, float] | None:
    """A ranking's cuts: read once (every score of it) and kept, since a ranking never changes."""
    key = f"relevance-cuts:{ranking_id}"
    found = cache.get(key)
    if found is None:
        cuts = relevance_cuts(
            RankedReference.objects.filter(ranking_id=ranking_id).values_list("score", flat=True)
        )
        found = list(cuts) if cuts is not None else []
        cache.set(key, found, 24 * 3600)
        ranking_exists_note(project_id, stage)
    return (found[0], found[1]) if found else None


def ranking_positions(ranking: Ranking) -> list[dict[str, object]]:
    """The ranking's order as stored, first place first: each reference's id, title, place,
    score and relevance cue. What the lead (and the API) reads to see what comes next and why."""
    cuts = _cuts_of(ranking.project_id, ranking.stage, ranking.pk)
    rows = (
        RankedReference.objects.filter(ranking=ranking)
        .order_by("position")
        .values_list("reference_id", "reference__title", "position", "score")
    )
    return [
        {
            "reference": reference,
            "title": title,
            "position": position,
            "score": score,
            "relevance": relevance_band(score, cuts),
        }
        for reference, title, position, score in rows
    ]


def relevance_annotations(project: Project, stage: str) -> dict[str, Subquery]:
    """What a reference query annotates to give each reference its relevance cue (read with
    `relevance_band_of`): its score in the stage's current ranking and that ranking's id; none
    when the stage is not ranked. Riding on the query that reads the references, it costs no
    query of its own."""
    if project.order_at(stage) != Order.RANKED:
        return {}
    newest = Ranking.objects.filter(project=project, stage=stage).order_by("-id").values("id")[:1]
    score = RankedReference.objects.filter(
        ranking_id=Subquery(newest), reference_id=OuterRef("pk")
    ).values("score")[:1]
    return {
        "relevance_score": Subquery(score, output_field=FloatField()),
        "relevance_ranking": Subquery(newest, output_field=IntegerField()),
    }


def relevance_bands(
    project: Project, stage: str, references: Iterable[Reference]
) -> dict[int, str]:
    """The relevance cue of references annotated with `relevance_annotations`: {id: high,
    medium or low}, leaving out those without one (not ranked, not in the current ranking, or
    a ranking without scores). One cache read per ranking met, whatever the number of cards.

    The scores are the current (newest) ranking's, which learnt from settled decisions only,
    and the thirds are those of all its scores: the cue moves when a retrain writes a new
    ranking, never with a vote that settles nothing.
    """
    cuts: dict[int, tuple[float, float] | None] = {}
    bands = {}
    for reference in references:
        ranking_id = getattr(reference, "relevance_ranking", None)
        score = getattr(reference, "relevance_score", None)
        if ranking_id is None or score is None:
            continue
        if ranking_id not in cuts:
            cuts[ranking_id] = _cuts_of(project.pk, stage, ranking_id)
        band = relevance_band(score, cuts[ranking_id])
        if band is not None:
            bands[reference.pk] = band
    return bands


def _exists_key(project_id: int, stage: str) -> str:
    return f"ranking-exists:{project_id}:{stage}"


def ranking_exists_note(project_id: int, stage: str) -> None:
    """A ranking of the stage was seen: kept, since a stage's rankings are never all deleted."""
    cache.set(_exists_key(project_id, stage), True, None)


def ranking_exists(project: Project, stage: str) -> bool:
    """Whether the stage has a ranking yet; only "yes" is kept, so later asks cost no query."""
    if cache.get(_exists_key(project.pk, stage)):
        return True
    exists = Ranking.objects.filter(project=project, stage=stage).exists()
    if exists:
        ranking_exists_note(project.pk, stage)
    return exists


# The lead's seed references ----------------------------------------------------------------------


def project_seeds(project: Project) -> list[RankingSeed]:
    """The project's seed references, in the order they were marked, with their reference."""
    return list(
        RankingSeed.objects.filter(project=project)
        .select_related("reference", "marked_by")
        .only(
            "id",
            "marked_at",
            "reference__id",
            "reference__title",
            "reference__year",
            "marked_by__username",
        )
        .order_by("id")
    )


def seed_ids(project: Project, reference_ids: Iterable[int] | None = None) -> set[int]:
    """Ids of the references marked as seeds (of those given, if given)."""
    seeds = RankingSeed.objects.filter(project=project)
    if reference_ids is not None:
        seeds = seeds.filter(reference_id__in=list(reference_ids))
    return set(seeds.values_list("reference_id", flat=True))


# The progress curve ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """Includes found against references screened at title/abstract, in the order the
    references were settled.

    `found[i]` is the number of includes among the first i + 1 references settled. `pool` is
    every reference screened at the stage (settled or not), the x axis's end. The random-order
    line is the expectation had the screening gone in random order and the includes found so
    far been all there are: `includes / pool` per reference screened (the final include share
    is unknown until the screening ends; with more includes to find it would be steeper).
    """

    found: tuple[int, ...]
    pool: int

    @property
    def screened(self) -> int:
        return len(self.found)

    @property
    def includes(self) -> int:
        return self.found[-1] if self.found else 0

    def expected(self, screened: int) -> float:
        """Includes a random order would have found after `screened` references."""
        return self.includes * screened / self.pool if self.pool else 0.0


def progress_visible(project: Project, membership: Membership) -> bool:
    """Whether the member may see the curve: leads always, reviewers once title/abstract is
    unblinded for them (it counts settled references, which a blind reviewer may not know)."""
    return (
        membership.leads
        or Stage.TITLE_ABSTRACT not in blinding_for(project, membership).blind_stages
    )


def ranking_progress(project: Project) -> Progress:
    """The title/abstract screening's curve: each settled reference in the order it was
    settled (its resolution's time, else the time of its last vote at the stage; ties by id),
    counting the includes. Two queries."""
    at_stage = screened_references(project).filter(source=ReferenceSource.DATABASES)
    settled = (
        at_stage.filter(ta_status__in=[Status.INCLUDED.value, Status.EXCLUDED.value])
        .annotate(
            settled_at=Coalesce(
                "ta_resolution__created_at", Max("votes__created_at", filter=Q(votes__stage=TA))
            )
        )
        .order_by("settled_at", "id")
        .values_list("ta_status", flat=True)
    )
    found, includes = [], 0
    for status in settled:
        includes += status == Status.INCLUDED.value
        found.append(includes)
    pool = Reference.objects.active().filter(project=project, source=ReferenceSource.DATABASES)
    return Progress(found=tuple(found), pool=pool.count())
