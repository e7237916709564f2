"""The life of a Job: created and enqueued after commit, claimed once, progress, done or failed;
and the one entry point through which services start background work.

Faults (issue 19): a job whose message cannot be sent (the broker is down) ends `failed` at once
and the caller gets QueueUnreachable (503), never a job left `queued` with no message; a job whose
worker died is found by `jobs_reap` (run by `manage.py reap_jobs` and, in every worker, at start
and then every JOB_REAP_INTERVAL_SECONDS: reviewtool/celery.py) and re-queued or failed.

Tasks call services, so services never import tasks: work is started by the task's name, through
the Celery app's registry (see `background_start`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from celery import Signature, current_app
from celery.app.task import Task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from ..errors import ServiceError
from ..models import Job, JobStatus, Project
from ..selectors.projects import job_progress_key

logger = logging.getLogger(__name__)

# How long a running job's progress stays in the cache: longer than any job may run.
PROGRESS_SECONDS = 2 * 60 * 60

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

# What a job says when its message could not be handed to the broker.
QUEUE_UNREACHABLE = "The task queue could not be reached; try again."


class QueueUnreachable(ServiceError):
    """The broker did not take the job's message: answered 503 by the API and the pages."""

    status = 503


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
    elif isinstance(error, DatabaseError) and _connection_lost(error):
        said = f"{where or 'Stopped: '}the connection to the database was lost; start it again."
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
    asked: bool = True,
) -> Job:
    """Create a queued job and hand it to a worker once the surrounding transaction commits.

    If the broker does not take the message, the job is marked failed (QUEUE_UNREACHABLE) and,
    for a job somebody `asked` for, QueueUnreachable is raised where the transaction commits:
    the caller answers 503, and no job stays `queued` with no message behind it. A job started
    on the side of another act (a retrain after a vote) is only marked failed: the act stands.
    """
    job = Job.objects.create(kind=kind, project=project, created_by=created_by, params=params or {})
    background_start(task_signature(RUN_JOB, job.pk), job_id=job.pk, asked=asked)
    return job


def task_signature(name: str, *args: Any) -> Signature:
    """The call of the task registered under `name`, with these arguments, ready to start."""
    return _task(name).s(*args)


def background_start(work: Signature, *, job_id: int | None = None, asked: bool = True) -> None:
    """Start background work (one task's call, or a chord of them) once the surrounding
    transaction commits: a worker must find the rows this transaction writes.

    On the embedded default (`task_always_eager`) the work runs inline at the commit, as a
    worker would run it; with a broker it is sent to the workers. When the broker cannot be
    reached, the job `job_id` (if given) is marked failed and, if it was `asked` for,
    QueueUnreachable is raised.
    """
    transaction.on_commit(lambda: _send(work, job_id, asked))


def _send(work: Signature, job_id: int | None, asked: bool = True) -> None:
    if current_app.conf.task_always_eager:
        work.delay()  # runs inline: the work's own errors propagate as they are
        return
    try:
        work.delay()  # only publishes: any error here means the message was not sent
    except Exception as error:
        logger.exception("could not send %s (job %s) to the broker", work, job_id)
        if job_id is not None:
            job_fail(job_id, QUEUE_UNREACHABLE)
            # The file kept for it (an import's upload) will never be read: removed now.
            params = Job.objects.filter(pk=job_id).values_list("params", flat=True).first()
            if isinstance(params, dict) and params.get("upload"):
                default_storage.delete(params["upload"])
        if asked:
            raise QueueUnreachable(QUEUE_UNREACHABLE) from error


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
    # The row's update is seen by others only when the handler's transaction commits (an
    # import stores its whole file in one): the cache's copy is seen at once.
    cache.set(job_progress_key(job.pk), fraction, PROGRESS_SECONDS)
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
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        job_fail(job.pk, job_failure_message(job.kind, error))
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
    """Mark an unfinished job failed, saying why (a late failure never rewrites a finished job).

    The failure may be the database connection itself (dropped mid-job): then the connection is
    closed and opened again once, so that the job does not stay `running` for want of a row.
    """

    def write() -> None:
        Job.objects.filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
            status=JobStatus.FAILED, error=error, finished_at=timezone.now()
        )

    try:
        write()
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        connection.close()
        write()


# SQLSTATE classes of a lost connection: 08 (connection exception), 57P (operator intervention:
# pg_terminate_backend, a server shutting down or restarting).
_LOST_SQLSTATES = ("08", "57P")
_LOST_WORDS = ("terminating connection", "server closed the connection", "connection is closed")


def _connection_lost(error: DatabaseError) -> bool:
    """Whether this database error means the connection is gone (terminated, server restarted)."""
    seen: BaseException | None = error
    while seen is not None:
        sqlstate = getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None) or ""
        if sqlstate.startswith(_LOST_SQLSTATES):
            return True
        if any(word in str(seen).lower() for word in _LOST_WORDS):
            return True
        seen = seen.__cause__ or seen.__context__
    return connection.connection is not None and not connection.is_usable()


# The reaper: jobs whose worker died (kill -9, out of memory, a lost machine) or whose message was
# lost. A killed worker's message comes back only after the broker's visibility timeout (40 min);
# until then the job would say `running` at the progress it had. There is no heartbeat column:
# a running job is stale when it started more than JOB_STALE_SECONDS ago (every claim restarts the
# clock) and no live worker says it holds it (`celery inspect active`); a queued job is stale
# when no worker took it within JOB_QUEUED_STALE_SECONDS.
REAPED_LOST = (
    "The worker running this job stopped (it was killed or lost) {attempts} times; start it again."
)
REAPED_UNTAKEN = "No worker took this job within {minutes} minutes; start it again."


def jobs_reap(
    *,
    stale_seconds: float | None = None,
    queued_stale_seconds: float | None = None,
    upload_grace_seconds: float | None = None,
    held: set[int] | None = None,
) -> dict[str, list[int] | list[str]]:
    """Re-queue or fail stale jobs and remove uploads no unfinished job needs; says what it did.

    A stale running job is sent again (every handler is idempotent: an import finds the search it
    stored, a dedup run's merge step skips what is merged) until it has been claimed
    JOB_MAX_ATTEMPTS times, then failed with a message saying so. `held`: the ids of the jobs
    live workers are running (asked of the workers when not given; if they cannot be asked,
    running jobs are left alone: nobody can tell they are dead).
    """
    now = timezone.now()
    stale = settings.JOB_STALE_SECONDS if stale_seconds is None else stale_seconds
    untaken = (
        settings.JOB_QUEUED_STALE_SECONDS if queued_stale_seconds is None else queued_stale_seconds
    )
    grace = settings.UPLOAD_ORPHAN_SECONDS if upload_grace_seconds is None else upload_grace_seconds
    done: dict[str, list[int] | list[str]] = {"requeued": [], "failed": [], "uploads_removed": []}

    running = list(
        Job.objects.filter(
            status=JobStatus.RUNNING, started_at__lte=now - timedelta(seconds=stale)
        ).values_list("pk", "attempts", "started_at", "kind")
    )
    if running and held is None:
        held = jobs_held_by_workers()
    for pk, attempts, started_at, kind in running if held is not None else []:
        if pk in held:
            continue
        if attempts >= settings.JOB_MAX_ATTEMPTS:
            message = REAPED_LOST.format(attempts=attempts)
            kept = KEPT_ON_FAILURE.get(kind, "")
            failed = Job.objects.filter(pk=pk, status=JobStatus.RUNNING, started_at=started_at)
            if failed.update(
                status=JobStatus.FAILED,
                error=f"{message} {kept}".strip(),
                finished_at=timezone.now(),
            ):
                done["failed"].append(pk)
            continue
        # Only the reaper that moves it back to `queued` sends it (several workers reap).
        if Job.objects.filter(pk=pk, status=JobStatus.RUNNING, started_at=started_at).update(
            status=JobStatus.QUEUED, progress=0.0
        ):
            try:
                _send(task_signature(RUN_JOB, pk), pk)
            except QueueUnreachable:
                done["failed"].append(pk)
            else:
                done["requeued"].append(pk)

    minutes = round(untaken / 60)
    for pk in Job.objects.filter(
        status=JobStatus.QUEUED, created_at__lte=now - timedelta(seconds=untaken)
    ).values_list("pk", flat=True):
        if Job.objects.filter(pk=pk, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED,
            error=REAPED_UNTAKEN.format(minutes=minutes),
            finished_at=timezone.now(),
        ):
            done["failed"].append(pk)

    done["uploads_removed"] = _orphaned_uploads_remove(now - timedelta(seconds=grace))
    if any(done.values()):
        logger.warning("reaped jobs: %s", done)
    return done


def jobs_held_by_workers(timeout: float = 1.0) -> set[int] | None:
    """The ids of the jobs the live workers are running or hold, or None if they cannot be asked
    (the broker is down). On the embedded default nothing runs in the background: empty."""
    if current_app.conf.task_always_eager:
        return set()
    try:
        inspect = current_app.control.inspect(timeout=timeout)
        answers = [inspect.active() or {}, inspect.reserved() or {}]
    except Exception:
        logger.warning("could not ask the workers which jobs they hold", exc_info=True)
        return None
    held: set[int] = set()
    for answer in answers:
        for tasks in answer.values():
            for task in tasks:
                args = task.get("args") or []
                if task.get("name") in {RUN_JOB, DEDUP_COMPARE_CHUNK} and args:
                    held.add(int(args[0]))
                elif task.get("name") == DEDUP_FINISH and len(args) > 1:
                    held.add(int(args[1]))
    return held


def _orphaned_uploads_remove(older_than: Any) -> list[str]:
    """Remove kept uploads (uploads/<project>/<file>) that no queued or running job will read:
    a killed import's file, once its job is failed or re-run. Younger files are left: an upload
    is saved a moment before its job is created."""
    wanted = {
        params.get("upload")
        for params in Job.objects.filter(
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        ).values_list("params", flat=True)
        if isinstance(params, dict)
    }
    removed: list[str] = []
    try:
        folders, _ = default_storage.listdir("uploads")
    except (FileNotFoundError, NotImplementedError):
        return removed
    for folder in folders:
        _, files = default_storage.listdir(f"uploads/{folder}")
        for name in files:
            path = f"uploads/{folder}/{name}"
            if path in wanted:
                continue
            try:
                if default_storage.get_modified_time(path) > older_than:
                    continue
                default_storage.delete(path)
            except (FileNotFoundError, NotImplementedError):
                continue
            removed.append(path)
    return removed
