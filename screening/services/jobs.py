"""The life of a Job: created and enqueued after commit, claimed once, progress, done or failed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..errors import ServiceError
from ..models import Job, JobStatus, Project

logger = logging.getLogger(__name__)

# A handler returns this when it has handed the rest of the work to other tasks (a chord), which
# finish the job themselves with `job_finish`.
DEFERRED: dict[str, Any] = {"deferred": True}

# kind -> the service that does the work: `handler(job) -> result dict`. Filled by services.py so
# that this module needs no knowledge of imports or dedup.
HANDLERS: dict[str, Callable[[Job], dict[str, Any]]] = {}
# kind -> what a failed job of that kind kept, in its own words ("Nothing was stored from this
# file."), said after what went wrong. Each handler states it where it registers, beside the code
# whose transactions make it true.
KEPT_ON_FAILURE: dict[str, str] = {}


def job_handler(
    kind: str, *, on_failure: str
) -> Callable[[Callable[[Job], dict[str, Any]]], Callable[[Job], dict[str, Any]]]:
    def register(func: Callable[[Job], dict[str, Any]]) -> Callable[[Job], dict[str, Any]]:
        HANDLERS[kind] = func
        KEPT_ON_FAILURE[kind] = on_failure
        return func

    return register


@contextmanager
def job_step(name: str) -> Iterator[None]:
    """Name the step a job is in ("comparing the records"), so that its failure says where."""
    try:
        yield
    except Exception as error:
        if not hasattr(error, "job_step"):  # the innermost step is the most precise
            error.job_step = name
        raise


def job_failure_message(kind: str, error: BaseException) -> str:
    """What went wrong, at which step, and what was kept: the text a failed job shows."""
    step = getattr(error, "job_step", None)
    where = f"Stopped while {step}: " if step else ""
    if isinstance(error, ServiceError):  # written for the user
        said = f"{where}{error.message.rstrip('.')}."
    elif isinstance(error, SoftTimeLimitExceeded):
        limit = settings.CELERY_TASK_SOFT_TIME_LIMIT
        said = f"{where or 'Stopped: '}it ran longer than the {limit} s a job may take."
    else:
        # Not the exception's text: it may hold paths, SQL or connection details. The log has it.
        said = (
            f"{where or 'Stopped by '}an unexpected error ({error.__class__.__name__}; "
            "the server's log has the details)."
        )
    kept = KEPT_ON_FAILURE.get(kind, "")
    return f"{said} {kept}" if kept else said


def job_create(
    *,
    kind: str,
    project: Project | None,
    created_by: AbstractBaseUser | None,
    params: dict[str, Any] | None = None,
) -> Job:
    """Create a queued job and hand it to a worker once the surrounding transaction commits."""
    from ..tasks import run_job_task  # tasks import services, which import this module

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
    if handler is None:
        job_fail(job.pk, f"This job never started: no handler for jobs of kind {job.kind!r}.")
        job.refresh_from_db()
        return job
    try:
        result = handler(job)
    except Exception as error:
        job_fail(job.pk, job_failure_message(job.kind, error))
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
    """Mark an unfinished job failed, saying why (a late failure never rewrites a finished job)."""
    Job.objects.filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.FAILED, error=error, finished_at=timezone.now()
    )
