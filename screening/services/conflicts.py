"""Conflicts: a lead's resolution, and reopening a decided reference at a stage."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from ..errors import Conflict, InvalidInput
from ..models import Reference, Resolution, Vote
from ..selectors import statuses
from ..selectors.queue import forget_hints
from ..vocabulary import Decision, Stage, Status
from .audit import audit_record
from .ranking import ranking_settled
from .reasons import check_reason, reason_for_vote
from .screening import reference_locked, stage_checked, vote_facts


@transaction.atomic
def resolution_record(
    *,
    reference: Reference,
    stage: str,
    decision: str,
    user: AbstractBaseUser,
    reason: str = "",
    note: str = "",
) -> tuple[Resolution, Status]:
    """A lead settles a conflict: include, or exclude (with a reason at full text)."""
    stage = stage_checked(stage)
    if decision not in {d.value for d in Decision}:
        raise InvalidInput("decision must be include or exclude.", field="decision")
    reason = check_reason(stage, decision, reason)
    reference = reference_locked(reference)
    project = reference.project
    facts = statuses.reference_facts(reference, project)
    state = facts.state()
    if state[stage] != Status.CONFLICT:
        raise Conflict(
            f"Only a conflict is resolved; this reference is {state[stage]} at this stage.",
            field="stage",
        )
    resolution = Resolution.objects.create(
        project=project,
        reference=reference,
        stage=stage,
        decision=decision,
        reason=reason_for_vote(project, reason, user, proposed=False) if reason else None,
        note=note,
        decided_by=user,
    )
    audit_record(
        actor=user,
        verb="resolution.record",
        project=project,
        obj=resolution,
        after={"reference": reference.pk, "stage": stage, "decision": decision, "reason": reason},
    )
    ranking_settled(project, stage)
    return resolution, facts.with_resolution(stage, decision).state()[stage]


@transaction.atomic
def reference_reopen(
    *, reference: Reference, stage: str, user: AbstractBaseUser, note: str = ""
) -> None:
    """Undo a decision: a resolution goes (back to conflict), or agreeing votes go (to pending)."""
    stage = stage_checked(stage)
    reference = reference_locked(reference)
    project = reference.project
    state = statuses.reference_state(reference, project)
    if state[stage] not in {Status.INCLUDED, Status.EXCLUDED}:
        raise Conflict("Only a decided reference can be reopened.", field="stage")
    if (
        stage == Stage.TITLE_ABSTRACT
        and Vote.objects.filter(reference=reference, stage=Stage.FULL_TEXT).exists()
    ):
        raise Conflict("It has full-text votes: reopen its full text first.", field="stage")
    resolution = Resolution.objects.filter(reference=reference, stage=stage).first()
    if resolution is not None:
        before = {"resolution": resolution.decision, "reason": resolution.reason_id}
        resolution.delete()
    else:
        votes = list(
            Vote.objects.filter(reference=reference, stage=stage).select_related(
                "reason", "reviewer"
            )
        )
        before = {"votes": [vote_facts(v) for v in votes]}
        Vote.objects.filter(pk__in=[v.pk for v in votes]).delete()
    forget_hints(project)
    audit_record(
        actor=user,
        verb="reference.reopen",
        project=project,
        obj=reference,
        before={"stage": stage, **before},
        after={"note": note},
    )
