"""A reviewer's vote on a reference at a stage."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from ..access import get_project_for_user
from ..models import Reference
from ..services.screening import vote_cast
from ..vocabulary import Status as StageStatus

router = Router(tags=["screening"])


class VoteIn(Schema):
    stage: str
    vote: str
    reason: str = ""
    note: str = ""


class VoteOut(Schema):
    id: int
    reference: int
    stage: str
    vote: str
    reason: str
    note: str
    status: str
    waiting_for_team: bool


@router.post("/projects/{slug}/references/{reference_id}/votes", response={201: VoteOut})
def vote_create(
    request: HttpRequest, slug: str, reference_id: int, payload: VoteIn
) -> Status[dict[str, Any]]:
    """Cast (or replace) the caller's vote; the answer is the same whatever others voted.

    While the stage is blind to the caller, the status is `pending` and `waiting_for_team` true.
    """
    project, membership = get_project_for_user(request.user, slug)
    vote, status = vote_cast(
        # A stand-in: vote_cast reads the row once, locked, and answers 404 when it is not ours.
        reference=Reference(pk=reference_id, project_id=project.pk),
        reviewer=request.user,
        stage=payload.stage,
        vote=payload.vote,
        reason=payload.reason,
        note=payload.note,
        membership=membership,
    )
    return Status(
        201,
        {
            "id": vote.pk,
            "reference": vote.reference_id,
            "stage": vote.stage,
            "vote": vote.vote,
            "reason": vote.reason.name if vote.reason_id else "",
            "note": vote.note,
            "status": status,
            "waiting_for_team": status == StageStatus.PENDING,
        },
    )
