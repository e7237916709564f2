"""A lead's replay of the title/abstract screening in ranked order (an extension of
../shared/API.md): started here as a job, read through /jobs/{job_id}."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from ..access import get_project_for_user
from ..models import Role
from ..services import ranking_replay
from .schemas import JobQueued

router = Router(tags=["screening"])


class ReplayIn(Schema):
    # Draws the prior include and exclude; the same seed gives the same replay.
    seed: int = 0


@router.post("/projects/{slug}/ranking/replay", response={202: JobQueued}, tags=["screening"])
def ranking_replay_request(
    request: HttpRequest, slug: str, payload: ReplayIn
) -> Status[dict[str, Any]]:
    """Replay the settled title/abstract decisions in ranked order, as a job (leads and
    admins); 202 with the job, 409 without a settled include and exclude."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    job = ranking_replay.replay_start(project=project, user=request.user, seed=payload.seed)
    return Status(202, {"job": job.pk})
