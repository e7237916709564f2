"""Deduplication: queue a run, list the duplicate sets, decide one."""

from __future__ import annotations

from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from ..access import get_project_for_user
from ..errors import InvalidInput
from ..models import DuplicateCandidate, DuplicateStatus, JobKind, Role
from ..services import merges
from ..services.jobs import job_create
from .schemas import JobQueued

router = Router()


@router.post("/projects/{slug}/dedup", response={202: JobQueued}, tags=["deduplication"])
def dedup_start(request: HttpRequest, slug: str) -> Status[dict[str, int]]:
    """Queue a deduplication run over the project's references (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    with transaction.atomic():
        job = job_create(kind=JobKind.DEDUP, project=project, created_by=request.user)
    return Status(202, {"job": job.pk})


class DuplicateOut(Schema):
    id: int
    score: float
    status: str
    auto: bool
    references: list[int]
    reasons: list[str]


@router.get("/projects/{slug}/duplicates", response=list[DuplicateOut], tags=["deduplication"])
@paginate(LimitOffsetPagination)
def duplicate_list(request: HttpRequest, slug: str, status: str = "") -> Any:
    """Duplicate sets, strongest first; `?status=pending` for those waiting for a person."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    if status and status not in DuplicateStatus.values:
        raise InvalidInput(
            f"status must be one of {', '.join(DuplicateStatus.values)}.", field="status"
        )
    candidates = DuplicateCandidate.objects.filter(project=project)
    return candidates.filter(status=status) if status else candidates


class DuplicateAction(Schema):
    action: Literal["merge", "reject", "unmerge", "reopen"]
    # A merge may name the reference that stays; it must when the references were decided
    # differently (409 says which may), and that reference's decisions then stand.
    survivor: int | None = None


@router.post(
    "/projects/{slug}/duplicates/{candidate_id}", response=DuplicateOut, tags=["deduplication"]
)
def duplicate_decide(
    request: HttpRequest, slug: str, candidate_id: int, payload: DuplicateAction
) -> DuplicateCandidate:
    """Merge a candidate set, mark it not duplicates, undo a merge, or reopen a set marked not
    duplicates so that it waits for a person again (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    candidate = get_object_or_404(DuplicateCandidate, pk=candidate_id, project=project)
    return merges.duplicate_decide(
        candidate=candidate, action=payload.action, actor=request.user, survivor=payload.survivor
    )
