"""Conflicts and what leads do about them: resolve, reopen a decision, blind or unblind a stage."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from ..access import get_project_for_user
from ..models import Role
from ..selectors import conflicts as conflict_reads
from ..services import conflicts
from ..services.projects import stage_blinding_set
from ._params import project_reference, screened_reference, stage_param
from .schemas import ReferenceOut, reference_out

router = Router(tags=["screening"])


class ConflictVote(Schema):
    reviewer: str
    vote: str
    reason: str
    note: str
    # The vote as it stood when the other reviewer had voted, where it was changed after that.
    first_vote: str
    changed_after_others: bool


class ConflictOut(Schema):
    reference: int
    stage: str
    title: str
    votes: list[ConflictVote]


class _ConflictPage(LimitOffsetPagination):
    def paginate_queryset(self, queryset: Any, pagination: Any, **params: Any) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, **params)
        page["items"] = conflict_reads.conflicts_with_votes(page["items"])
        return page


@router.get("/projects/{slug}/conflicts", response=list[ConflictOut])
@paginate(_ConflictPage)
def conflict_list(request: HttpRequest, slug: str, stage: str = "") -> Any:
    """References whose votes disagree, with every vote (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    return conflict_reads.conflicts(project, stage_param(stage))


class ResolutionIn(Schema):
    stage: str
    decision: str
    reason: str = ""
    note: str = ""


class ResolutionOut(Schema):
    id: int
    reference: int
    stage: str
    decision: str
    reason: str
    status: str


@router.post("/projects/{slug}/references/{reference_id}/resolution", response={201: ResolutionOut})
def resolution_create(
    request: HttpRequest, slug: str, reference_id: int, payload: ResolutionIn
) -> Status[dict[str, Any]]:
    """Settle a conflict (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    resolution, status = conflicts.resolution_record(
        reference=project_reference(project.pk, reference_id),
        stage=payload.stage,
        decision=payload.decision,
        reason=payload.reason,
        note=payload.note,
        user=request.user,
    )
    return Status(
        201,
        {
            "id": resolution.pk,
            "reference": resolution.reference_id,
            "stage": resolution.stage,
            "decision": resolution.decision,
            "reason": resolution.reason.name if resolution.reason_id else "",
            "status": status,
        },
    )


class ReopenIn(Schema):
    stage: str
    note: str = ""


@router.post("/projects/{slug}/references/{reference_id}/reopen", response=ReferenceOut)
def reference_reopen(request: HttpRequest, slug: str, reference_id: int, payload: ReopenIn) -> Any:
    """Undo a decision: a resolution, or agreeing votes (leads and admins; audited)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    conflicts.reference_reopen(
        reference=project_reference(project.pk, reference_id),
        stage=payload.stage,
        note=payload.note,
        user=request.user,
    )
    return reference_out(screened_reference(project, reference_id))


# Blinding (an extension of ../shared/API.md) ------------------------------------------------


class BlindingIn(Schema):
    stage: str
    blind: bool


@router.post("/projects/{slug}/blinding", tags=["screening"])
def blinding_set(request: HttpRequest, slug: str, payload: BlindingIn) -> dict[str, Any]:
    """Unblind a stage (reviewers then see its outcomes) or blind it again (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    project = stage_blinding_set(
        project=project, stage=payload.stage, blind=payload.blind, user=request.user
    )
    return {"blind_stages": sorted(project.blinding.blind_stages)}
