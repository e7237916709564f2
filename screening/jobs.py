"""The life of a Job: created and enqueued after commit, claimed once, progress, done or failed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Job, JobStatus, Project

logger = logging.getLogger(__name__)

# A handler returns this when it has handed the rest of the work to other tasks (a chord), which
# finish the job themselves with `job_finish`.
DEFERRED: dict[str, Any] = {"deferred": True}

# kind -> the service that does the work: `handler(job) -> result dict`. Filled by services.py so
# that this module needs no knowledge of imports or dedup.
HANDLERS: dict[str, Callable[[Job], dict[str, Any]]] = {}


def job_handler(
    kind: str,
) -> Callable[[Callable[[Job], dict[str, Any]]], Callable[[Job], dict[str, Any]]]:
    def register(func: Callable[[Job], dict[str, Any]]) -> Callable[[Job], dict[str, Any]]:
        HANDLERS[kind] = func
        return func

    return register


def job_create(
    *,
    kind: str,
    project: Project | None,
    created_by: AbstractBaseUser | None,
    params: dict[str, Any] | None = None,
) -> Job:
    """Create a queued job and hand it to a worker once the surrounding transaction commits."""
    from .tasks import run_job_task  # tasks import services, which import this module

    job = Job.objects.create(kind=kind, project=project, created_by=created_by, params=params or {})
    transaction.on_commit(partial(run_job_task.delay, job.pk))
    return job


def job_claim(job_id: int) -> Job | None:
    """Mark the job running, or None if it is already finished (a duplicate delivery).

    A job found `running` is claimed again: with acks_late a message comes back only when the
    worker that held it died, and every handler is idempotent, so re-running it is safe.
    """
    claimed = Job.objects.filter(
        pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).update(status=JobStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1)
    if not claimed:
        return None
    return Job.objects.get(pk=job_id)


def job_set_progress(job: Job, fraction: float) -> None:
    """Store progress (0..1) without touching anything else on the row."""
    fraction = min(max(fraction, 0.0), 1.0)
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(progress=fraction)
    job.progress = fraction


def job_run(job_id: int) -> Job | None:
    """Claim the job and run its handler, recording the result or the failure plainly."""
    job = job_claim(job_id)
    if job is None:
        return None
    handler = HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise LookupError(f"no handler for jobs of kind {job.kind!r}")
        result = handler(job)
    except Exception as error:
        message = getattr(error, "message", None) or str(error) or error.__class__.__name__
        job_fail(job.pk, message)
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        job.refresh_from_db()
        return job
    if result is not DEFERRED:
        job_finish(job.pk, result)
    job.refresh_from_db()
    return job


def job_finish(job_id: int, result: dict[str, Any]) -> None:
    """Mark a running job done with its result."""
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.DONE, progress=1.0, result=result, error="", finished_at=timezone.now()
    )


def job_fail(job_id: int, error: str) -> None:
    """Mark a job failed, saying why."""
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.FAILED, error=error, finished_at=timezone.now()
    )
