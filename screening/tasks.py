"""Celery tasks: thin adapters that take a Job id and call one service."""

from __future__ import annotations

from celery import shared_task

from . import deduplication, services  # noqa: F401 - they register the job handlers
from .jobs import job_run


@shared_task(name="screening.run_job", acks_late=True, reject_on_worker_lost=True)
def run_job_task(job_id: int) -> None:
    # Every handler is idempotent, so a redelivery after a lost worker is safe (acks_late).
    job_run(job_id)
