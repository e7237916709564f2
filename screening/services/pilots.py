"""Pilot rounds: screen a random sample first, see the team's agreement, then go on.

Cochrane's rapid-review guidance and most screening manuals ask for a calibration exercise
before the real screening: every reviewer screens the same small random sample, the team looks
at its kappa, talks over the criteria, and only then continues. Here a lead draws the sample
(title/abstract only); while the pilot is open "next" hands out only its references, each to
two reviewers at least; the lead reads the agreement over the sample and closes the pilot.
"""

from __future__ import annotations

import random
import secrets
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .. import agreement
from ..errors import Conflict, InvalidInput
from ..models import Pilot, Project, Reference, ReferenceSource, Resolution, Vote
from ..selectors.conflicts import votes_by_reference
from ..selectors.queue import forget_open_pilot
from ..vocabulary import Stage
from .audit import audit_record

TA = Stage.TITLE_ABSTRACT.value
MAX_SIZE = 1000


def _forget(project: Project) -> None:
    """Forget the cached open pilot now, and again at commit: a "next" asked in between may
    have cached what the database still showed, the pilot as it was before."""
    forget_open_pilot(project)
    transaction.on_commit(lambda: forget_open_pilot(project))


@transaction.atomic
def pilot_start(*, project: Project, size: int, user: AbstractBaseUser) -> Pilot:
    """Draw `size` references nobody has screened yet, at random, as a pilot round."""
    if not 1 <= size <= MAX_SIZE:
        raise InvalidInput(f"size must be between 1 and {MAX_SIZE}.", field="size")
    # Locks the project's row: two leads starting a pilot at once draw one sample, not two.
    Project.objects.select_for_update().get(pk=project.pk)
    if Pilot.objects.filter(project=project, closed_at__isnull=True).exists():
        raise Conflict("A pilot round is open already; close it first.", field="size")
    untouched = list(
        Reference.objects.active()
        .filter(project=project, source=ReferenceSource.DATABASES, pilot__isnull=True)
        .exclude(Exists(Vote.objects.filter(reference=OuterRef("pk"), stage=TA)))
        .exclude(Exists(Resolution.objects.filter(reference=OuterRef("pk"), stage=TA)))
        .order_by("id")
        .values_list("id", flat=True)
    )
    if not untouched:
        raise Conflict("No reference is left unscreened to draw a pilot from.", field="size")
    seed = secrets.randbits(62)
    drawn = sorted(random.Random(seed).sample(untouched, min(size, len(untouched))))
    pilot = Pilot.objects.create(project=project, size=len(drawn), seed=seed, started_by=user)
    Reference.objects.filter(pk__in=drawn).update(pilot=pilot)
    audit_record(
        actor=user,
        verb="pilot.start",
        project=project,
        obj=pilot,
        after={"size": len(drawn), "asked": size, "seed": seed, "references": drawn},
    )
    _forget(project)
    return pilot


@transaction.atomic
def pilot_close(*, project: Project, user: AbstractBaseUser) -> Pilot:
    """End the open pilot: screening goes on over every reference. Its agreement is audited."""
    pilot = (
        Pilot.objects.select_for_update().filter(project=project, closed_at__isnull=True).first()
    )
    if pilot is None:
        raise Conflict("No pilot round is open.")
    pilot.closed_at, pilot.closed_by = timezone.now(), user
    pilot.save(update_fields=["closed_at", "closed_by"])
    report = pilot_report(pilot)
    audit_record(
        actor=user,
        verb="pilot.close",
        project=project,
        obj=pilot,
        after={
            "screened": report["screened"],
            "percent_agreement": report["agreement"].percent_agreement,
            "cohen_kappa": report["agreement"].cohen_kappa,
        },
    )
    _forget(project)
    return pilot


def latest_pilot(project: Project) -> Pilot | None:
    return Pilot.objects.filter(project=project).select_related("started_by", "closed_by").first()


def pilot_report(pilot: Pilot) -> dict[str, Any]:
    """How far the pilot is (references with their two votes) and the agreement over it."""
    votes = votes_by_reference(pilot.project, TA, pilot=pilot)
    per_reviewer: dict[str, int] = {}
    for ballot in votes.values():
        for reviewer in ballot:
            per_reviewer[reviewer] = per_reviewer.get(reviewer, 0) + 1
    return {
        "pilot": pilot,
        "screened": sum(len(ballot) >= 2 for ballot in votes.values()),
        "per_reviewer": dict(sorted(per_reviewer.items())),
        "agreement": agreement.agreement_report(votes),
    }
