"""The stopping aid's reads: the open random sample, the stop in force, and the figures the
lead's page and the API show (screening.ranking.stopping computes them; this reads the rows).

The queue asks two questions on every "next" (is a sample open? is a stop in force?), so their
answers are cached per project and stage, as the open pilot's is, and forgotten by the services
that change them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Exists, F, Max, Min, OuterRef, Q, QuerySet

from ..models import (
    Project,
    Reference,
    ReferenceSource,
    Resolution,
    ScreeningStop,
    StoppedReference,
    StoppingSample,
    StoppingSampleReference,
    Vote,
)
from ..ranking import stopping as rule
from ..vocabulary import Order, Stage, Status
from .status_counts import status_table
from .statuses import with_status

TA, FT = Stage.TITLE_ABSTRACT.value, Stage.FULL_TEXT.value
# benchmarks/RESULTS.md, "Stopping aid": a random sample is proposed once the ranked screening
# has gone this share of the stage's references without an include (alpha spent over samples).
QUIET_SHARE = 0.05


# --- what the queue and the vote ask on every request (cached) ---------------------------------


def _sample_key(project_id: int, stage: str) -> str:
    return f"stopping-sample-open:{project_id}:{stage}"


def _stop_key(project_id: int, stage: str) -> str:
    return f"stop-in-force:{project_id}:{stage}"


def _cached_id(key: str, rows: QuerySet) -> int | None:
    """The id of the one row `rows` may hold (0 in the cache for none), read once and kept."""
    found = cache.get(key)
    if found is None:
        found = rows.values_list("id", flat=True).first() or 0
        cache.set(key, found, None)
    return found or None


def open_sample_id(project: Project, stage: str) -> int | None:
    """The id of the stage's open stopping sample, if any: asked on every "next", so cached."""
    return _cached_id(
        _sample_key(project.pk, stage),
        StoppingSample.objects.filter(project=project, stage=stage, closed_at__isnull=True),
    )


def stop_in_force_id(project: Project, stage: str) -> int | None:
    """The id of the stage's stop in force (not reversed), if any; cached like the sample's."""
    return _cached_id(
        _stop_key(project.pk, stage),
        ScreeningStop.objects.filter(project=project, stage=stage, reversed_at__isnull=True),
    )


def forget_stopping(project: Project, stage: str) -> None:
    """A sample was drawn or closed, a stop taken or reversed: the queue asks the rows again."""
    cache.delete_many([_sample_key(project.pk, stage), _stop_key(project.pk, stage)])


def vote_order_for(project: Project, stage: str, reference_id: int) -> Order:
    """The order a vote on this reference is cast in: random for a reference of the stage's open
    stopping sample (the queue serves those first, in the sample's random order), else the
    stage's order as the lead set it. The hook services/screening.py's vote_cast may call."""
    sample_id = open_sample_id(project, stage)
    if (
        sample_id is not None
        and StoppingSampleReference.objects.filter(
            sample_id=sample_id, reference_id=reference_id
        ).exists()
    ):
        return Order.RANDOM
    return project.order_at(stage)


def stopped_in_force(
    project: Project, stage: str, *, unvoted: bool = False
) -> QuerySet[StoppedReference]:
    """The rows of the references the stage's stop in force took out of the queue; `unvoted`:
    only those still without a vote at the stage (one voted on after the stop, a card held
    when the lead stopped, is back in the queue to be finished and counts as screened)."""
    rows = StoppedReference.objects.filter(
        stop__project=project, stop__stage=stage, stop__reversed_at__isnull=True
    )
    if unvoted:
        rows = rows.exclude(
            Exists(Vote.objects.filter(reference=OuterRef("reference"), stage=stage))
        )
    return rows


def stopped_reference_ids(project: Project, stage: str) -> set[int]:
    return set(stopped_in_force(project, stage).values_list("reference_id", flat=True))


def stopped_count(project: Project, stage: str = TA) -> int:
    """References under the stage's stop in force still without a vote at that stage.

    A stopped reference voted on later (through the API, by its id) counts as screened again,
    so PRISMA's boxes keep adding up.
    """
    return stopped_in_force(project, stage, unvoted=True).count()


# --- the figures of the lead's page and the API ------------------------------------------------


def unscreened_ids(project: Project, stage: str) -> list[int]:
    """References at the stage nobody has voted on, not resolved, not under a stop: in id order
    (the pool a sample is drawn from; the same pool and seed redraw the same sample)."""
    voted = Vote.objects.filter(reference=OuterRef("pk"), stage=stage)
    resolved = Resolution.objects.filter(reference=OuterRef("pk"), stage=stage)
    stopped = stopped_in_force(project, stage).filter(reference=OuterRef("pk"))
    return list(
        Reference.objects.active()
        .filter(project=project, source=ReferenceSource.DATABASES)
        .exclude(Exists(voted))
        .exclude(Exists(resolved))
        .exclude(Exists(stopped))
        .order_by("id")
        .values_list("id", flat=True)
    )


def settled_on_title(project: Project) -> tuple[int, int, int]:
    """(references, settled includes, settled excludes) at title and abstract, from the counts
    the dashboard reads: a reference included there has moved on to full text."""
    references = includes = excludes = 0
    for source, stage, status, _, n in status_table(project):
        if source != ReferenceSource.DATABASES:
            continue
        references += n
        if stage == FT:
            includes += n
        elif status == Status.EXCLUDED:
            excludes += n
    return references, includes, excludes


def ranked_labels(project: Project) -> list[int]:
    """1 include, 0 exclude: the settled title/abstract decisions outside the stopping samples,
    in the order they were screened (their first vote), for the gain curve and the knee.

    Every settled decision counts, import-order ones too if the stage was ranked later: the
    curve is the stage's screening as it happened, the samples apart (drawn at random).
    """
    sampled = StoppingSampleReference.objects.filter(
        sample__project=project, sample__stage=TA, reference=OuterRef("pk")
    )
    rows = (
        with_status(
            Reference.objects.active().filter(project=project, source=ReferenceSource.DATABASES),
            project,
        )
        .filter(ta_status__in=[Status.INCLUDED.value, Status.EXCLUDED.value])
        .exclude(Exists(sampled))
        .annotate(first_vote=Min("votes__created_at", filter=Q(votes__stage=TA)))
        .order_by(F("first_vote").asc(nulls_last=True), "id")
        .values_list("ta_status", flat=True)
    )
    return [1 if status == Status.INCLUDED else 0 for status in rows]


def sample_statuses(sample: StoppingSample, project: Project) -> list[tuple[int, str]]:
    """(reference id, title/abstract status) of each reference of the sample, in its order."""
    members = list(sample.members.order_by("position").values_list("reference_id", flat=True))
    statuses = dict(
        with_status(Reference.objects.filter(pk__in=members), project).values_list(
            "id", "ta_status"
        )
    )
    return [(pk, statuses.get(pk, Status.PENDING.value)) for pk in members]


@dataclass(frozen=True)
class SampleProgress:
    """How far the team is with a stopping sample, and what it says once settled."""

    sample: StoppingSample
    level: float  # the alpha this sample is tested at (alpha spent over the stage's samples)
    size: int
    settled: int
    includes: int
    evidence: rule.StoppingEvidence | None  # once every reference of it is settled

    @property
    def complete(self) -> bool:
        return self.settled == self.size

    @property
    def in_words(self) -> str:
        return evidence_in_words(self.evidence) if self.evidence is not None else ""

    @property
    def can_still_support(self) -> bool:
        """Whether the sample, its unsettled references all excluded, could still show the
        target: with an include in it, a sample sized for none usually cannot."""
        p_value = rule.recall_test(
            self.sample.screened_includes,
            self.size,
            self.includes,
            self.sample.remaining,
            self.sample.target,
        )
        return p_value < self.level


def sample_progress(sample: StoppingSample) -> SampleProgress:
    statuses = [status for _, status in sample_statuses(sample, sample.project)]
    settled = sum(status in (Status.INCLUDED, Status.EXCLUDED) for status in statuses)
    includes = sum(status == Status.INCLUDED for status in statuses)
    level = rule.sample_alpha(sample.number, alpha=sample.alpha)
    evidence = None
    if statuses and settled == len(statuses):
        evidence = rule.stopping_evidence(
            sample.screened_includes,
            len(statuses),
            includes,
            sample.remaining,
            target=sample.target,
            alpha=level,
        )
    return SampleProgress(
        sample=sample,
        level=level,
        size=len(statuses),
        settled=settled,
        includes=includes,
        evidence=evidence,
    )


def open_sample(project: Project, stage: str) -> StoppingSample | None:
    return (
        StoppingSample.objects.filter(project=project, stage=stage, closed_at__isnull=True)
        .select_related("project", "drawn_by")
        .first()
    )


def stop_in_force(project: Project, stage: str) -> ScreeningStop | None:
    return (
        ScreeningStop.objects.filter(project=project, stage=stage, reversed_at__isnull=True)
        .select_related("decided_by")
        .first()
    )


def reversed_stops(project: Project, stage: str) -> list[ScreeningStop]:
    """The stage's stops taken back, newest first: their rows stay, as the history of the stage."""
    return list(
        ScreeningStop.objects.filter(project=project, stage=stage, reversed_at__isnull=False)
        .select_related("decided_by", "reversed_by")
        .order_by("-id")
    )


def next_sample_number(project: Project, stage: str) -> int:
    found = StoppingSample.objects.filter(project=project, stage=stage).aggregate(n=Max("number"))
    return (found["n"] or 0) + 1


def method_name(*, target: float, alpha: float, level: float, number: int) -> str:
    """The stop's method as the report and the methods text name it."""
    return (
        f"random-sample stopping test (Callaghan & Müller-Hansen 2020), target recall "
        f"{target * 100:g} %, alpha {alpha:g} spent over successive samples (sample {number} "
        f"tested at {level:.4f})"
    )


def evidence_facts(progress: SampleProgress) -> dict[str, Any]:
    """A settled sample's figures as the stop stores them (JSON) and the API gives them."""
    evidence = progress.evidence
    if evidence is None:
        return {}
    sample = progress.sample
    return {
        "sample": sample.pk,
        "sample_number": sample.number,
        "target": evidence.target,
        "alpha": sample.alpha,
        "level": round(progress.level, 6),
        "remaining": evidence.remaining_total,
        "screened_includes": evidence.screened_includes,
        "sample_size": evidence.sample_size,
        "sample_includes": evidence.sample_includes,
        "recall": round(evidence.recall, 4),
        "recall_lower": round(evidence.recall_lower, 4),
        "includes_left_estimate": round(evidence.includes_left_estimate, 2),
        "includes_left_upper": evidence.includes_left_upper,
        "p_value": evidence.p_value,
        "stop_supported": evidence.stop_supported,
        "summary": evidence.summary,
    }


def evidence_in_words(evidence: rule.StoppingEvidence) -> str:
    """The headline a lead reads: the bound, its confidence and the test's p-value."""
    confidence = (1 - evidence.alpha) * 100
    return (
        f"Recall reached is at least {evidence.recall_lower:.2f} with {confidence:.0f} % "
        f"confidence (p = {_p_text(evidence.p_value)} for recall below {evidence.target:.2f})."
    )


def _p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


@dataclass(frozen=True)
class StoppingFigures:
    """Everything the lead's page and the API show of a stage's stopping aid."""

    stage: str
    order: str
    references: int  # at the stage (title/abstract: from databases and registers)
    screened: int  # settled, includes and excludes
    includes: int
    unscreened: int  # no vote yet, not under a stop
    in_progress: int  # voted on but not settled yet (a second vote or a conflict to come)
    since_last_include: int  # settled in ranked screening since its last include
    quiet_needed: int  # QUIET_SHARE of the references
    knee: rule.Knee | None
    next_number: int
    next_level: float
    proposed_size: int
    sample: SampleProgress | None
    stop: ScreeningStop | None
    stopped: int  # references under the stop in force, still without a vote

    @property
    def sample_proposed(self) -> bool:
        """benchmarks/RESULTS.md's procedure: a sample once the ranked screening has gone
        5 % of the references without an include (and some are left to sample)."""
        return self.unscreened > 0 and self.since_last_include >= self.quiet_needed

    @property
    def knee_reached(self) -> bool:
        return self.screened >= rule.KNEE_MIN_SCREENED and bool(self.knee and self.knee.reached)


def stopping_figures(project: Project, stage: str = TA) -> StoppingFigures:
    """The stage's ranked progress, the knee, the open sample and what it says, the proposed
    sample size now and the stop in force."""
    references, includes, excludes = settled_on_title(project)
    labels = ranked_labels(project)
    last_include = max((i for i, label in enumerate(labels) if label), default=-1)
    pool = len(unscreened_ids(project, stage))
    number = next_sample_number(project, stage)
    level = rule.sample_alpha(number)
    sample = open_sample(project, stage)
    stop = stop_in_force(project, stage)
    stopped = stopped_count(project, stage) if stop is not None else 0
    return StoppingFigures(
        stage=stage,
        order=project.order_at(stage).value,
        references=references,
        screened=includes + excludes,
        includes=includes,
        unscreened=pool,
        in_progress=max(references - includes - excludes - pool - stopped, 0),
        since_last_include=len(labels) - 1 - last_include,
        quiet_needed=max(1, math.ceil(QUIET_SHARE * references)),
        knee=rule.knee_of(labels) if labels else None,
        next_number=number,
        next_level=level,
        proposed_size=rule.proposed_sample_size(pool, includes, alpha=level),
        sample=sample_progress(sample) if sample is not None else None,
        stop=stop,
        stopped=stopped,
    )
