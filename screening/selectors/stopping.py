"""The stopping aid's reads: the open random sample, the stop in force, and the figures the
lead's page and the API show (screening.ranking.stopping computes them; this reads the rows).

The queue asks two questions on every "next" (is a sample open? is a stop in force?), so their
answers are cached per project and stage, as the open pilot's is, and forgotten by the services
that change them.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet

from ..models import (
    Project,
    ScreeningStop,
    StoppedReference,
    StoppingSample,
    StoppingSampleReference,
    Vote,
)
from ..vocabulary import Order, Stage

TA = Stage.TITLE_ABSTRACT.value


# --- what the queue and the vote ask on every request (cached) ---------------------------------


def _sample_key(project_id: int, stage: str) -> str:
    return f"stopping-sample-open:{project_id}:{stage}"


def _stop_key(project_id: int, stage: str) -> str:
    return f"stop-in-force:{project_id}:{stage}"


def open_sample_id(project: Project, stage: str) -> int | None:
    """The id of the stage's open stopping sample, if any: asked on every "next", so cached."""
    key = _sample_key(project.pk, stage)
    found = cache.get(key)
    if found is None:
        sample = (
            StoppingSample.objects.filter(project=project, stage=stage, closed_at__isnull=True)
            .values_list("id", flat=True)
            .first()
        )
        found = sample or 0
        cache.set(key, found, None)
    return found or None


def stop_in_force_id(project: Project, stage: str) -> int | None:
    """The id of the stage's stop in force (not reversed), if any; cached like the sample's."""
    key = _stop_key(project.pk, stage)
    found = cache.get(key)
    if found is None:
        stop = (
            ScreeningStop.objects.filter(project=project, stage=stage, reversed_at__isnull=True)
            .values_list("id", flat=True)
            .first()
        )
        found = stop or 0
        cache.set(key, found, None)
    return found or None


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


def stopped_in_force(project: Project, stage: str) -> QuerySet[StoppedReference]:
    """The rows of the references the stage's stop in force took out of the queue."""
    return StoppedReference.objects.filter(
        stop__project=project, stop__stage=stage, stop__reversed_at__isnull=True
    )


def stopped_reference_ids(project: Project, stage: str) -> set[int]:
    return set(stopped_in_force(project, stage).values_list("reference_id", flat=True))


def stopped_count(project: Project, stage: str = TA) -> int:
    """References under the stage's stop in force still without a vote at that stage.

    A stopped reference voted on later (through the API, by its id) counts as screened again,
    so PRISMA's boxes keep adding up.
    """
    voted = Vote.objects.filter(reference=OuterRef("reference"), stage=stage)
    return stopped_in_force(project, stage).exclude(Exists(voted)).count()
