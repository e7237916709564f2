"""Ranking (an extension of ../shared/API.md): the order a stage is screened in, its newest
ranking, a retrain on demand, and the lead's seed references.

- `GET /projects/{slug}/ranking?stage=` (members): the stage's `order`, `ranking_retrain_every`,
  the newest `ranking` and the retrain `job` waiting or running (both null to a reviewer while
  the stage is blind).
- `PUT /projects/{slug}/ranking` (leads and admins): `{"stage", "order"?: "import"|"ranked",
  "ranking_retrain_every"?: 1..10000}`, at least one of the two; all or nothing.
- `POST /projects/{slug}/ranking/retrain` (leads and admins): `{"stage"}` → 202 `{"job"}`.
- `GET /projects/{slug}/ranking/references?stage=` (leads and admins): the newest ranking's order
  and scores, paginated `{"count", "items": [{"reference", "title", "position", "score",
  "relevance"}]}`, first place first (empty before the first ranking). The references settled
  since it was written stay in it; `next` skips them.
- `GET /projects/{slug}/ranking/seeds` (leads and admins): the seed references, paginated
  `{"count", "items": [{"reference", "title", "year", "marked_by", "marked_at"}]}`. Not shown to
  reviewers: a seed is a known include, and knowing it would sway their independent vote.
- `POST /projects/{slug}/ranking/seeds` (leads and admins): `{"reference"}` → 201 with the seed,
  200 when it was one already.
- `DELETE /projects/{slug}/ranking/seeds/{reference_id}` (leads and admins): 204, or 404 when
  the reference is not a seed.

Seeds join the criteria and include terms in the ranker's cold start (services.ranking_seeds);
they are never a training label unless settled as includes.

`GET /projects/{slug}/references/next` (api/references.py) adds `relevance` to the reference:
"high", "medium" or "low" on a ranked stage (the screening card's cue: the reference's score
against the thirds of the current ranking's scores), null in import order and in an open pilot.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from ..access import get_project_for_user
from ..errors import InvalidInput, NotFound
from ..models import Membership, Project, RankingSeed, Role
from ..selectors.blinding import blinding_for
from ..selectors.ranking_progress import project_seeds, ranking_positions
from ..services import ranking, ranking_seeds
from ..vocabulary import Stage
from ._params import stage_param
from .schemas import JobQueued

router = Router(tags=["screening"])


class RankingIn(Schema):
    stage: str
    order: str | None = None
    ranking_retrain_every: int | None = None


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
    # A retrain starts after every this many settled decisions while the stage is ranked.
    ranking_retrain_every: int
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
        "ranking_retrain_every": project.ranking_retrain_every,
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
    """Set the order a stage is screened in (import or ranked) and after how many settled
    decisions a ranked stage is retrained (leads and admins)."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    stage = stage_param(payload.stage, required=True)
    if payload.order is None and payload.ranking_retrain_every is None:
        raise InvalidInput("Give the order, ranking_retrain_every or both.", field="order")
    with transaction.atomic():  # both or neither
        if payload.ranking_retrain_every is not None:
            project = ranking_seeds.ranking_retrain_every_set(
                project=project, every=payload.ranking_retrain_every, user=request.user
            )
        if payload.order is not None:
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


class SeedIn(Schema):
    reference: int


class RankedOut(Schema):
    reference: int
    title: str
    position: int
    score: float | None
    relevance: str | None


@router.get("/projects/{slug}/ranking/references", response=list[RankedOut], tags=["screening"])
@paginate(LimitOffsetPagination)
def ranking_reference_list(
    request: HttpRequest, slug: str, stage: str = Stage.TITLE_ABSTRACT.value
) -> Any:
    """The stage's newest ranking: its references in order with their scores (leads and
    admins; a score on a blind stage's reference is the leads' to read)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    current = ranking.ranking_current(project, stage_param(stage, required=True).value)
    return ranking_positions(current) if current is not None else []


class SeedOut(Schema):
    reference: int
    title: str
    year: int | None
    marked_by: str | None
    marked_at: str


def seed_out(seed: RankingSeed) -> dict[str, Any]:
    return {
        "reference": seed.reference.pk,
        "title": seed.reference.title,
        "year": seed.reference.year,
        "marked_by": seed.marked_by.username if seed.marked_by else None,
        "marked_at": seed.marked_at.isoformat(),
    }


@router.get("/projects/{slug}/ranking/seeds", response=list[SeedOut], tags=["screening"])
@paginate(LimitOffsetPagination)
def ranking_seed_list(request: HttpRequest, slug: str) -> Any:
    """The references the lead marked as known includes (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    return [seed_out(seed) for seed in project_seeds(project)]


@router.post(
    "/projects/{slug}/ranking/seeds", response={201: SeedOut, 200: SeedOut}, tags=["screening"]
)
def ranking_seed_add(request: HttpRequest, slug: str, payload: SeedIn) -> Status[dict[str, Any]]:
    """Mark a reference as a known include for the ranker's cold start (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    seed, created = ranking_seeds.ranking_seed_mark(
        project=project, reference_id=payload.reference, user=request.user
    )
    return Status(201 if created else 200, seed_out(seed))


@router.delete(
    "/projects/{slug}/ranking/seeds/{reference_id}", response={204: None}, tags=["screening"]
)
def ranking_seed_remove(request: HttpRequest, slug: str, reference_id: int) -> Status[None]:
    """Take a reference's seed mark off (leads and admins); 404 when it is not a seed."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    if not ranking_seeds.ranking_seed_unmark(
        project=project, reference_id=reference_id, user=request.user
    ):
        raise NotFound(f"Reference {reference_id} is not a seed of this project.")
    return Status(204, None)
