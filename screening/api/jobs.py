"""Long-running jobs: an import, a deduplication run."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from ..models import Job
from ..selectors.projects import job_for_user

router = Router()


class JobOut(Schema):
    id: int
    kind: str
    status: str
    progress: float
    result: dict[str, Any]
    error: str


@router.get("/jobs/{job_id}", response=JobOut, tags=["jobs"])
def job_detail(request: HttpRequest, job_id: int) -> Job:
    """A long-running job's state and progress."""
    return job_for_user(request.user, job_id)
