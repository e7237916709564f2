"""The stopping aid's writes: a random sample of the unscreened, setting it aside, the lead's stop
and its reversal (issue 18: "a stopping aid, for the lead, never automatic").

The procedure benchmarks/RESULTS.md ("Stopping aid") recommends: screen in ranked order; once
5 % of the references have gone by without an include, draw a simple random sample of those
still unscreened, screen it (dual, blind, as any other: the queue serves it first), and read
Callaghan & Müller-Hansen's test; successive samples of a stage spend alpha
(`sample_alpha`). Nothing here stops by itself: the lead decides, with a reason.

A stop needs its evidence: the stage's open sample, every reference of it settled. A stop
"without a sample" is refused rather than recorded, because PRISMA and the methods text would
then name a method that was never applied, and a lead who wants to stop for want of time can
still draw a sample and screen it. A settled sample whose test does not reach the target does
not forbid the stop (the lead decides), but its figures and "stop_supported: false" are kept
with the stop and shown wherever the stop is named, so the report says what the evidence was.
"""

from __future__ import annotations

import random
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from ..errors import Conflict, InvalidInput, NotAllowed, NotFound
from ..models import (
    Membership,
    Project,
    ScreeningStop,
    StoppedReference,
    StoppingSample,
    StoppingSampleReference,
)
from ..ranking import stopping as rule
from ..selectors import stopping as reads
from ..selectors.queue import forget_hints
from ..vocabulary import Order, Stage
from .audit import audit_record

TA = Stage.TITLE_ABSTRACT.value
MAX_REASON = 2000


def stage_for_stopping(value: str) -> Stage:
    """The stage named; only title and abstract screening has a stopping aid."""
    stage = Stage.parse(value)
    if stage is None:
        raise InvalidInput("stage must be title_abstract or full_text.", field="stage")
    if stage != Stage.TITLE_ABSTRACT:
        raise InvalidInput(
            "The stopping aid is for title and abstract screening: at full text every report "
            "included so far is read, so there is no queue to stop.",
            field="stage",
        )
    return stage


def _check_leads(project: Project, user: AbstractBaseUser) -> None:
    membership = Membership.objects.filter(project=project, user_id=user.pk).first()
    if membership is None:
        raise NotFound("No such project")
    if not membership.leads:
        raise NotAllowed("Only a lead or an admin may use the stopping aid.")


def _reason_checked(reason: str | None, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(f"Give the reason for {what}: it is recorded.", field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"Keep the reason under {MAX_REASON} characters.", field="reason")
    return reason


def _forget(project: Project, stage: str) -> None:
    """The queue's cached answers, now and at commit (a "next" in between may cache the old)."""
    reads.forget_stopping(project, stage)
    transaction.on_commit(lambda: reads.forget_stopping(project, stage))


def _close(sample: StoppingSample, user: AbstractBaseUser, verb: str) -> None:
    progress = reads.sample_progress(sample)
    sample.closed_at = timezone.now()
    sample.save(update_fields=["closed_at"])
    audit_record(
        actor=user,
        verb=verb,
        project=sample.project,
        obj=sample,
        before={"open": True},
        after={
            "open": False,
            "number": sample.number,
            "size": progress.size,
            "settled": progress.settled,
            "includes": progress.includes,
        },
    )


@transaction.atomic
def stopping_sample_draw(
    *, project: Project, stage: str, user: AbstractBaseUser, size: int | None = None
) -> StoppingSample:
    """Draw a simple random sample of the references still unscreened at a ranked stage.

    Its size is `proposed_sample_size` at this sample's level (alpha spent over the stage's
    samples) unless the lead gives one. N (the unscreened) and r (the settled includes) are
    stored as they are now: the test reads them. An open earlier sample is closed.
    """
    stage = stage_for_stopping(stage)
    _check_leads(project, user)
    # Locks the project's row: two leads drawing at once draw one sample, not two.
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.order_at(stage) != Order.RANKED:
        raise Conflict(
            "The stopping aid reads a ranked screening: switch this stage to ranked order first.",
            field="stage",
        )
    if reads.stop_in_force(project, stage) is not None:
        raise Conflict("Screening of this stage is stopped; reverse the stop first.", field="stage")
    pool = reads.unscreened_ids(project, stage)
    if not pool:
        raise Conflict("No reference is left unscreened: there is nothing to sample.", field="size")
    _, includes, _ = reads.settled_on_title(project)
    number = reads.next_sample_number(project, stage)
    level = rule.sample_alpha(number, alpha=rule.ALPHA)
    proposed = rule.proposed_sample_size(len(pool), includes, target=rule.TARGET, alpha=level)
    if size is None:
        size = proposed
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= len(pool):
        raise InvalidInput(
            f"size must be a whole number from 1 to {len(pool):,} (the references unscreened).",
            field="size",
        )
    earlier = (
        StoppingSample.objects.select_for_update()
        .filter(project=project, stage=stage, closed_at__isnull=True)
        .first()
    )
    if earlier is not None:
        _close(earlier, user, "stopping.sample_close")
    seed = secrets.randbits(62)
    drawn = random.Random(seed).sample(pool, size)
    sample = StoppingSample.objects.create(
        project=project,
        stage=stage,
        number=number,
        target=rule.TARGET,
        alpha=rule.ALPHA,
        remaining=len(pool),
        screened_includes=includes,
        seed=seed,
        drawn_by=user,
    )
    StoppingSampleReference.objects.bulk_create(
        (
            StoppingSampleReference(sample=sample, reference_id=pk, position=position)
            for position, pk in enumerate(drawn)
        ),
        batch_size=2000,
    )
    audit_record(
        actor=user,
        verb="stopping.sample_draw",
        project=project,
        obj=sample,
        after={
            "stage": stage.value,
            "number": number,
            "size": size,
            "proposed": proposed,
            "level": level,
            "remaining": len(pool),
            "screened_includes": includes,
            "seed": seed,
            "closed_sample": earlier.pk if earlier is not None else None,
            "references": drawn,
        },
    )
    _forget(project, stage)
    return sample


@transaction.atomic
def stopping_sample_set_aside(
    *, project: Project, stage: str, user: AbstractBaseUser
) -> StoppingSample:
    """Close the open sample without stopping (an include in it, or the lead's choice): its
    references already screened keep their votes; the others go back to the ranked queue."""
    stage = stage_for_stopping(stage)
    _check_leads(project, user)
    sample = (
        StoppingSample.objects.select_for_update()
        .select_related("project")
        .filter(project=project, stage=stage, closed_at__isnull=True)
        .first()
    )
    if sample is None:
        raise Conflict("No stopping sample is open at this stage.", field="stage")
    _close(sample, user, "stopping.sample_set_aside")
    _forget(project, stage)
    return sample


@transaction.atomic
def screening_stop(
    *, project: Project, stage: str, user: AbstractBaseUser, reason: str
) -> ScreeningStop:
    """The lead stops screening the stage: every reference nobody has voted on leaves the queue.

    Only on a settled random sample (the module's docstring says why); references with a vote
    but not settled stay in the queue to be finished. The method, the sample's figures and the
    reason are kept with the stop, which PRISMA and the methods text name. A vote cast on a
    stopped reference afterwards (a card a reviewer held when the lead stopped) is kept: the
    reference is then back in the queue to be finished, and counts as screened in PRISMA.
    """
    stage = stage_for_stopping(stage)
    _check_leads(project, user)
    reason = _reason_checked(reason, "stopping")
    project = Project.objects.select_for_update().get(pk=project.pk)
    if reads.stop_in_force(project, stage) is not None:
        raise Conflict("Screening of this stage is stopped already.", field="stage")
    sample = (
        StoppingSample.objects.select_for_update()
        .select_related("project")
        .filter(project=project, stage=stage, closed_at__isnull=True)
        .first()
    )
    if sample is None:
        raise Conflict(
            "A stop needs its evidence: draw a random sample of the unscreened references and "
            "have it screened first.",
            field="sample",
        )
    progress = reads.sample_progress(sample)
    if progress.evidence is None:
        raise Conflict(
            f"A stop needs its evidence: {progress.settled:,} of the {progress.size:,} references "
            "of the random sample are settled; settle them all (votes and conflicts) first.",
            field="sample",
        )
    evidence = reads.evidence_facts(progress)
    left = reads.unscreened_ids(project, stage)
    evidence["stopped"] = len(left)
    method = reads.method_name(
        target=sample.target, alpha=sample.alpha, level=progress.level, number=sample.number
    )
    stop = ScreeningStop.objects.create(
        project=project,
        stage=stage,
        method=method,
        reason=reason,
        evidence=evidence,
        sample=sample,
        decided_by=user,
    )
    StoppedReference.objects.bulk_create(
        (StoppedReference(stop=stop, reference_id=pk) for pk in left), batch_size=2000
    )
    _close(sample, user, "stopping.sample_close")
    audit_record(
        actor=user,
        verb="stopping.stop",
        project=project,
        obj=stop,
        after={
            "stage": stage.value,
            "method": method,
            "reason": reason,
            "references": len(left),
            "evidence": evidence,
        },
    )
    _forget(project, stage)
    return stop


@transaction.atomic
def screening_stop_reverse(
    *, project: Project, stage: str, user: AbstractBaseUser, reason: str
) -> ScreeningStop:
    """Take the stage's stop back: exactly the references it took out return to the queue.

    The stop keeps its row, its references and its evidence, marked reversed (who, when, why).
    """
    stage = stage_for_stopping(stage)
    _check_leads(project, user)
    reason = _reason_checked(reason, "reversing the stop")
    stop = (
        ScreeningStop.objects.select_for_update()
        .filter(project=project, stage=stage, reversed_at__isnull=True)
        .first()
    )
    if stop is None:
        raise Conflict("Screening of this stage is not stopped.", field="stage")
    returned = stop.references.count()
    stop.reversed_at, stop.reversed_by, stop.reversal_reason = timezone.now(), user, reason
    stop.save(update_fields=["reversed_at", "reversed_by", "reversal_reason"])
    audit_record(
        actor=user,
        verb="stopping.reverse",
        project=project,
        obj=stop,
        before={"stage": stage.value, "in_force": True, "method": stop.method},
        after={"stage": stage.value, "in_force": False, "reason": reason, "references": returned},
    )
    _forget(project, stage)
    # The queue's hints start past references that were under the stop: look from the start.
    transaction.on_commit(lambda: forget_hints(project))
    return stop
