"""Jobs under faults, without a worker (issue 19): a message the broker does not take, stale
jobs and their reaper, orphaned uploads, and the dedup run's idempotent last step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from kombu.exceptions import OperationalError

from screening.models import Job, JobKind, JobStatus, Record
from screening.services import jobs
from tests.screening.exports import MEDLINE_TWO_RECORDS


@pytest.fixture
def broker_down(monkeypatch) -> Iterator[None]:
    """A broker that refuses every message, as Redis does while it is down: the tasks are sent,
    not run inline, and sending raises what kombu raises for a refused connection."""
    from celery.app.task import Task

    from reviewtool.celery import app

    def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refuse)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


@pytest.mark.django_db(transaction=True)
def test_starting_a_dedup_with_the_broker_down_answers_503_and_leaves_the_job_failed(
    broker_down, api, lead
) -> None:
    answer = api(as_=lead).post("/projects/microcredentials/dedup")
    assert answer.status_code == 503, answer.content
    assert answer.json() == {"detail": jobs.QUEUE_UNREACHABLE}
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED  # never left `queued` with no message behind it
    assert job.error == jobs.QUEUE_UNREACHABLE
    assert job.finished_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_dedup_page_with_the_broker_down_answers_503_with_the_message(
    broker_down, browser_client, lead
) -> None:
    answer = browser_client(lead).post("/projects/microcredentials/duplicates/", {"action": "run"})
    assert answer.status_code == 503
    assert "task queue could not be reached" in answer.content.decode()
    assert Job.objects.get().status == JobStatus.FAILED


@pytest.mark.django_db(transaction=True)
def test_an_async_import_with_the_broker_down_answers_503_and_keeps_no_upload(
    broker_down, api, lead, settings
) -> None:
    body = {"file": SimpleUploadedFile("pubmed.nbib", MEDLINE_TWO_RECORDS), "database": "PubMed"}
    answer = api(as_=lead).upload("/projects/microcredentials/searches?async=1", body)
    assert answer.status_code == 503, answer.content
    assert answer.json()["detail"] == jobs.QUEUE_UNREACHABLE
    job = Job.objects.get()
    assert (job.kind, job.status) == (JobKind.IMPORT, JobStatus.FAILED)
    assert not default_storage.exists(job.params["upload"])
    assert Record.objects.count() == 0


def _stale(job: Job, *, minutes: int, status: str = JobStatus.RUNNING, attempts: int = 1) -> Job:
    when = timezone.now() - dt.timedelta(minutes=minutes)
    Job.objects.filter(pk=job.pk).update(
        status=status, started_at=when, created_at=when, attempts=attempts, progress=0.05
    )
    job.refresh_from_db()
    return job


def _queued_import(project, lead) -> Job:
    """An import job as search_import_async leaves it, without running it."""
    from screening.services.imports import file_sha256

    data = MEDLINE_TWO_RECORDS
    upload = default_storage.save(f"uploads/{project.pk}/kept.nbib", ContentFile(data))
    import io

    return Job.objects.create(
        kind=JobKind.IMPORT,
        project=project,
        created_by=lead,
        params={
            "upload": upload,
            "sha256": file_sha256(io.BytesIO(data)),
            "filename": "pubmed.nbib",
            "database": "PubMed",
            "new_search": True,
        },
    )


@pytest.mark.django_db(transaction=True)
def test_the_reaper_reruns_a_running_job_no_worker_holds_and_it_ends_done(project, lead) -> None:
    job = _stale(_queued_import(project, lead), minutes=20)
    done = jobs.jobs_reap(held=set())
    assert done["requeued"] == [job.pk]
    job.refresh_from_db()
    # Inline here (the embedded default), as a worker would run the re-sent message.
    assert job.status == JobStatus.DONE, job.error
    assert job.result["records"] == 2
    assert job.attempts == 2
    assert Record.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_reaper_leaves_a_job_a_live_worker_holds_and_a_young_one(project, lead) -> None:
    held = _stale(_queued_import(project, lead), minutes=20)
    young = _stale(_queued_import(project, lead), minutes=1)
    assert jobs.jobs_reap(held={held.pk}) == {"requeued": [], "failed": [], "uploads_removed": []}
    assert Job.objects.get(pk=held.pk).status == JobStatus.RUNNING
    assert Job.objects.get(pk=young.pk).status == JobStatus.RUNNING


@pytest.mark.django_db(transaction=True)
def test_the_reaper_fails_a_job_whose_worker_died_too_often_and_removes_its_upload(
    project, lead, settings
) -> None:
    settings.UPLOAD_ORPHAN_SECONDS = 0
    job = _stale(_queued_import(project, lead), minutes=20, attempts=settings.JOB_MAX_ATTEMPTS)
    done = jobs.jobs_reap(held=set())
    assert done["failed"] == [job.pk]
    assert done["uploads_removed"] == [job.params["upload"]]
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == (
        f"The worker running this job stopped (it was killed or lost) {settings.JOB_MAX_ATTEMPTS} "
        "times; start it again. Nothing was stored from this file."
    )
    assert not default_storage.exists(job.params["upload"])
    assert Record.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_reaper_fails_a_job_no_worker_took_and_keeps_the_uploads_still_wanted(
    project, lead, settings
) -> None:
    settings.UPLOAD_ORPHAN_SECONDS = 0
    untaken = _stale(_queued_import(project, lead), minutes=90, status=JobStatus.QUEUED)
    waiting = _queued_import(project, lead)  # queued a moment ago: its upload stays
    orphan = default_storage.save(f"uploads/{project.pk}/orphan.nbib", ContentFile(b"x"))
    done = jobs.jobs_reap(held=set())
    assert done["failed"] == [untaken.pk]
    assert sorted(done["uploads_removed"]) == sorted([orphan, untaken.params["upload"]])
    untaken.refresh_from_db()
    assert untaken.error == "No worker took this job within 60 minutes; start it again."
    assert Job.objects.get(pk=waiting.pk).status == JobStatus.QUEUED
    assert default_storage.exists(waiting.params["upload"])


@pytest.mark.django_db(transaction=True)
def test_the_reaper_keeps_uploads_younger_than_the_grace(project, lead) -> None:
    orphan = default_storage.save(f"uploads/{project.pk}/fresh.nbib", ContentFile(b"x"))
    assert jobs.jobs_reap(held=set())["uploads_removed"] == []
    assert default_storage.exists(orphan)


@pytest.mark.django_db(transaction=True)
def test_reap_jobs_command_says_what_it_did(project, lead) -> None:
    job = _stale(_queued_import(project, lead), minutes=20)
    out = StringIO()
    call_command("reap_jobs", stdout=out)
    assert f"re-queued 1 job(s) [{job.pk}]" in out.getvalue()
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE


@pytest.mark.django_db(transaction=True)
def test_a_lost_database_connection_is_said_plainly() -> None:
    from django.db import OperationalError as DbOperationalError

    said = (
        "Stopped: the connection to the database was lost; start it again. "
        "Nothing was stored from this file."
    )
    # What PostgreSQL says to pg_terminate_backend's victim, and what psycopg says after.
    for text in (
        "terminating connection due to administrator command",
        "server closed the connection unexpectedly",
    ):
        assert jobs.job_failure_message(JobKind.IMPORT, DbOperationalError(text)) == said
    by_state = DbOperationalError("admin shutdown")
    by_state.__cause__ = type("PgError", (Exception,), {"sqlstate": "57P01"})()
    assert jobs.job_failure_message(JobKind.IMPORT, by_state) == said
    # Any other database error keeps its plain, detail-free message.
    other = jobs.job_failure_message(JobKind.IMPORT, DbOperationalError("deadlock detected"))
    assert other.startswith("Stopped by an unexpected error (OperationalError;")


@pytest.mark.django_db(transaction=True)
def test_the_dedup_finish_applies_once_however_often_it_is_delivered(
    project, lead, demo_imports
) -> None:
    from dataclasses import asdict

    from screening import dedup
    from screening.models import DuplicateCandidate, Reference
    from screening.services.dedup import dedup_finish, dedup_records

    records = dedup_records(list(Reference.objects.filter(project=project).order_by("pk")))
    pairs = dedup.blocked_pairs(records)
    decisions = [asdict(d) for d in dedup.compare_pairs(records, pairs)]
    expected = dedup.find_duplicates(records)
    merged = sum(len(c) - 1 for c in expected.clusters)
    assert merged > 0
    job = Job.objects.create(kind=JobKind.DEDUP, project=project, created_by=lead)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    ids = [r.id for r in records]
    # A chunk counted twice (redelivered after its worker died) changes nothing.
    chunks = [decisions[: len(decisions) // 2], decisions[len(decisions) // 2 :]]
    dedup_finish(job_id=job.pk, chunks=[*chunks, chunks[0]], ids=ids)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.result["merged"] == merged
    before = list(DuplicateCandidate.objects.order_by("pk").values_list("pk", "status"))
    dedup_finish(job_id=job.pk, chunks=chunks, ids=ids)  # the callback delivered again
    assert list(DuplicateCandidate.objects.order_by("pk").values_list("pk", "status")) == before
    assert Job.objects.get(pk=job.pk).result == job.result


def test_every_service_restarts_and_web_and_worker_have_healthchecks() -> None:
    from pathlib import Path

    compose = (Path(__file__).resolve().parents[3] / "docker-compose.yml").read_text()
    services = compose.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    blocks: dict[str, str] = {}
    name = ""
    for line in services.splitlines():
        if line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":"):
            name = line.strip().rstrip(":")
            blocks[name] = ""
        elif name:
            blocks[name] += line + "\n"
    assert set(blocks) == {"db", "redis", "web", "worker"}
    for name, body in blocks.items():
        assert "restart: unless-stopped" in body, name
    assert "healthcheck:" in blocks["web"]
    assert "inspect ping" in blocks["worker"].split("healthcheck:", 1)[1]


@pytest.mark.django_db(transaction=True)
def test_a_vote_that_starts_a_retrain_stands_when_the_task_queue_is_down(
    broker_down, api, project, reviewer_a, reviewer_b
) -> None:
    from screening.models import Reference, Vote

    project.ranking_retrain_every = 1
    project.title_abstract_order = "ranked"
    project.save()
    reference = Reference.objects.create(project=project, title="Microcredentials for nurses")
    path = f"/projects/{project.slug}/references/{reference.pk}/votes"
    body = {"stage": "title_abstract", "vote": "include"}
    assert api(as_=reviewer_a).post(path, body).status_code == 201
    # The second vote settles the reference, and the retrain it starts cannot be sent.
    assert api(as_=reviewer_b).post(path, body).status_code == 201
    assert Vote.objects.filter(reference=reference).count() == 2
    retrain = Job.objects.get(project=project, kind=JobKind.RANK)
    assert retrain.status == JobStatus.FAILED
    assert "task queue could not be reached" in retrain.error
