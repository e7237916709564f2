"""The life of a Job: created and enqueued after commit, claimed once, progress, done or failed;
and the one entry point through which services start background work.

Tasks call services, so services never import tasks: work is started by the task's name, through
the Celery app's registry (see `background_start`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from celery import Signature, current_app
from celery.app.task import Task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..errors import ServiceError
from ..models import Job, JobStatus, Project

logger = logging.getLogger(__name__)

# The tasks' names, spelt once: tasks.py registers each under its name, services start it by it.
RUN_JOB = "screening.run_job"
DEDUP_COMPARE_CHUNK = "screening.dedup_compare_chunk"
DEDUP_FINISH = "screening.dedup_finish"

# A handler returns this when it has handed the rest of the work to other tasks (a chord), which
# finish the job themselves with `job_finish`.
DEFERRED: dict[str, Any] = {"deferred": True}

# kind -> the service that does the work: `handler(job) -> result dict`. Filled by the services
# that register a handler (imports.py, dedup.py), so that this module needs no knowledge of them.
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
    job = Job.objects.create(kind=kind, project=project, created_by=created_by, params=params or {})
    background_start(task_signature(RUN_JOB, job.pk))
    return job


def task_signature(name: str, *args: Any) -> Signature:
    """The call of the task registered under `name`, with these arguments, ready to start."""
    return _task(name).s(*args)


def background_start(work: Signature) -> None:
    """Start background work (one task's call, or a chord of them) once the surrounding
    transaction commits: a worker must find the rows this transaction writes.

    On the embedded default (`task_always_eager`) the work runs inline at the commit, as a
    worker would run it; with a broker it is sent to the workers.
    """
    transaction.on_commit(work.delay)


def _task(name: str) -> Task:
    """The task registered under `name`. The app registers tasks when it imports each installed
    app's tasks module, which a worker does at start; a web process has not done it yet when it
    starts its first job, so the same autodiscovery is asked for here. By name, not by import:
    importing tasks.py from a service would be a cycle (tasks import services)."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


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
