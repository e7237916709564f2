"""A running job's progress is seen while its transaction is still open (an import stores its
whole file in one), through the cache's copy beside the row."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from screening.models import Job, JobKind, JobStatus
from screening.services.jobs import job_set_progress


def _running_job(project: object) -> Job:
    return Job.objects.create(kind=JobKind.IMPORT, project=project, status=JobStatus.RUNNING)


@pytest.mark.django_db
def test_progress_written_in_a_transaction_not_yet_seen_is_read_from_the_cache(
    api, lead, project
) -> None:
    job = _running_job(project)
    with transaction.atomic():
        job_set_progress(job, 0.4)
        transaction.set_rollback(True)  # the row's update never shows, as before a commit
    assert Job.objects.get(pk=job.pk).progress == 0.0
    assert api(as_=lead).get(f"/jobs/{job.pk}").json()["progress"] == 0.4


@pytest.mark.django_db
def test_a_finished_job_reports_its_row_whatever_the_cache_held(api, lead, project) -> None:
    job = _running_job(project)
    job_set_progress(job, 0.4)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, progress=1.0)
    assert api(as_=lead).get(f"/jobs/{job.pk}").json()["progress"] == 1.0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once")
@pytest.mark.django_db(transaction=True)
def test_another_connection_sees_progress_while_the_import_s_transaction_is_open(
    api, lead, project
) -> None:
    job = _running_job(project)
    written, release = threading.Event(), threading.Event()

    def import_in_progress() -> None:
        try:
            with transaction.atomic():
                job_set_progress(Job.objects.get(pk=job.pk), 0.6)
                written.set()
                release.wait(30)
        finally:
            connection.close()

    worker = threading.Thread(target=import_in_progress)
    worker.start()
    try:
        assert written.wait(30)
        assert Job.objects.get(pk=job.pk).progress == 0.0  # the row's update is not seen yet
        assert api(as_=lead).get(f"/jobs/{job.pk}").json()["progress"] == 0.6
    finally:
        release.set()
        worker.join(30)
