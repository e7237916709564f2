"""Ranking (an extension of ../shared/API.md): the order a stage is screened in, its newest
ranking, and a retrain on demand."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from ..access import get_project_for_user
from ..models import Membership, Project, Role
from ..selectors.blinding import blinding_for
from ..services import ranking
from ..vocabulary import Stage
from ._params import stage_param
from .schemas import JobQueued

router = Router(tags=["screening"])


class RankingIn(Schema):
    stage: str
    order: str


class RetrainIn(Schema):
    stage: str


class RankingRun(Schema):
    id: int
    created_at: str
    model: str
    # The settled decisions it learnt from.
    includes: int
    excludes: int


class RankingJob(Schema):
    id: int
    status: str
    progress: float


class RankingOut(Schema):
    stage: str
    order: str
    # Both None to a reviewer while the stage is blind: a retrain starts when a vote settles a
    # reference, so when one ran, and on how many settled decisions, would tell them whether
    # their vote agreed with another reviewer's.
    ranking: RankingRun | None
    job: RankingJob | None


def ranking_out(project: Project, stage: Stage, membership: Membership) -> dict[str, Any]:
    """The stage's order, its newest ranking and the retrain waiting or running, if any."""
    sees_runs = membership.leads or stage not in blinding_for(project, membership).blind_stages
    current = ranking.ranking_current(project, stage) if sees_runs else None
    running = ranking.ranking_job_running(project, stage) if sees_runs else None
    return {
        "stage": stage.value,
        "order": project.order_at(stage).value,
        "ranking": {
            "id": current.pk,
            "created_at": current.created_at.isoformat(),
            "model": current.model,
            "includes": current.includes,
            "excludes": current.excludes,
        }
        if current is not None
        else None,
        "job": {"id": running.pk, "status": running.status, "progress": running.progress}
        if running is not None
        else None,
    }


@router.get("/projects/{slug}/ranking", response=RankingOut, tags=["screening"])
def ranking_detail(
    request: HttpRequest, slug: str, stage: str = Stage.TITLE_ABSTRACT.value
) -> dict[str, Any]:
    """The order a stage is screened in, its newest ranking and any retrain under way."""
    project, membership = get_project_for_user(request.user, slug)
    return ranking_out(project, stage_param(stage, required=True), membership)


@router.put("/projects/{slug}/ranking", response=RankingOut, tags=["screening"])
def ranking_order_update(request: HttpRequest, slug: str, payload: RankingIn) -> dict[str, Any]:
    """Set the order a stage is screened in: import or ranked (leads and admins)."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    stage = stage_param(payload.stage, required=True)
    project = ranking.ranking_order_set(
        project=project, stage=stage, order=payload.order, user=request.user
    )
    return ranking_out(project, stage, membership)


@router.post("/projects/{slug}/ranking/retrain", response={202: JobQueued}, tags=["screening"])
def ranking_retrain_request(
    request: HttpRequest, slug: str, payload: RetrainIn
) -> Status[dict[str, Any]]:
    """Retrain the stage's ranking now, as a job (leads and admins); 202 with the job."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    stage = stage_param(payload.stage, required=True)
    job = ranking.ranking_retrain_start(project=project, stage=stage, user=request.user)
    return Status(202, {"job": job.pk})
