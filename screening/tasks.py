"""Celery tasks: thin adapters that take a Job id and call one service.

Services start these by name (services.jobs.background_start) and never import this module.
"""

from __future__ import annotations

from celery import shared_task

from .models import JobKind
from .services import dedup, imports, ranking, ranking_replay  # noqa: F401 - they register the job handlers
from .services.jobs import (
    DEDUP_COMPARE_CHUNK,
    DEDUP_FINISH,
    RUN_JOB,
    job_fail,
    job_failure_message,
    job_run,
    job_step,
)


@shared_task(name=RUN_JOB, acks_late=True, reject_on_worker_lost=True)
def run_job_task(job_id: int) -> None:
    # Every handler is idempotent, so a redelivery after a lost worker is safe (acks_late).
    job_run(job_id)


@shared_task(name=DEDUP_COMPARE_CHUNK, acks_late=True, reject_on_worker_lost=True)
def dedup_compare_chunk_task(job_id: int, pairs: list[list[str]]) -> list[dict]:
    # Pure reads: a chunk redelivered after a lost worker gives the same answer.
    try:
        with job_step(dedup.COMPARING):
            return dedup.dedup_compare_chunk(job_id=job_id, pairs=pairs)
    except Exception as error:
        # A failed chunk stops the chord: dedup_finish never runs to say so, and the job would
        # stay "running" for ever.
        job_fail(job_id, job_failure_message(JobKind.DEDUP, error))
        raise


@shared_task(name=DEDUP_FINISH, acks_late=True, reject_on_worker_lost=True)
def dedup_finish_task(chunks: list[list[dict]], job_id: int, ids: list[str]) -> None:
    # Idempotent: a finished job is not applied twice.
    dedup.dedup_finish(job_id=job_id, chunks=chunks, ids=ids)
