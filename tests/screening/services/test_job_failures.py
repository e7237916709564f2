"""A failed job says what happened and what was kept, in the words of its kind (API `error`, the
job's page). Each failure is forced where the work can really fail."""

from __future__ import annotations

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile

from screening import tasks
from screening.models import DuplicateCandidate, Job, JobKind, JobStatus, Record, Reference, Search
from screening.services import dedup as dedup_service
from screening.services.jobs import job_fail, job_run
from tests.screening.exports import MEDLINE_TWO_RECORDS

NOT_AN_EXPORT = b"Dear colleagues,\nplease find the results attached.\n"

pytestmark = pytest.mark.django_db

KEPT_BY_A_FAILED_RUN = (
    "No merge or duplicate set of this run was kept: the references are as they were before it."
)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks) -> object:
    """Start jobs as a request does, running them when its transaction commits."""

    def call(start: object) -> object:
        with django_capture_on_commit_callbacks(execute=True):
            return start()

    return call


def _import(client: object, data: bytes, name: str, run_jobs: object) -> dict:
    body = {"file": SimpleUploadedFile(name, data), "database": "PubMed"}
    queued = run_jobs(lambda: client.upload("/projects/microcredentials/searches?async=1", body))
    return client.get(f"/jobs/{queued.json()['job']}").json()


def _dedup(client: object, run_jobs: object) -> dict:
    job_id = run_jobs(lambda: client.post("/projects/microcredentials/dedup")).json()["job"]
    return client.get(f"/jobs/{job_id}").json()


def _state() -> list[tuple[int, int | None]]:
    """Where every record is and which references stand: a failed run must leave both as they were."""
    return sorted(Record.objects.values_list("pk", "reference_id")) + sorted(
        Reference.objects.values_list("pk", "merged_into_id")
    )


def test_a_refused_import_file_says_where_and_that_nothing_was_stored(api, lead, run_jobs) -> None:
    job = _import(api(as_=lead), NOT_AN_EXPORT, "broken.ris", run_jobs)
    assert job["status"] == "failed"
    assert job["error"].startswith("broken.ris")
    assert job["error"].endswith(". Nothing was stored from this file.")
    assert not Search.objects.exists()


def test_an_import_that_fails_unexpectedly_names_no_internals_and_stores_nothing(
    api, lead, run_jobs, monkeypatch
) -> None:
    def disk_gone(*args: object, **kwargs: object) -> None:
        raise OSError("[Errno 5] Input/output error: '/srv/private/uploads/x'")

    monkeypatch.setattr("screening.services.imports.read_into", disk_gone)
    job = _import(api(as_=lead), MEDLINE_TWO_RECORDS, "pubmed.nbib", run_jobs)
    assert job["error"] == (
        "Stopped by an unexpected error (OSError; the server's log has the details). "
        "Nothing was stored from this file."
    )
    assert not Search.objects.exists()
    assert not Record.objects.exists()


@pytest.mark.parametrize(
    ("target", "step"),
    [
        ("screening.services.dedup.dedup_records", "reading the references"),
        ("screening.services.dedup.dedup.compare_pairs", "comparing the records"),
        (
            "screening.services.dedup.audit_record",
            "merging the certain duplicates and queuing the unsure sets",
        ),
    ],
)
def test_a_failed_dedup_run_names_its_step_and_keeps_no_merge(
    api, lead, demo_imports, run_jobs, monkeypatch, target: str, step: str
) -> None:
    # The last target fails after the run merged the demo's nine duplicates and queued its sets.
    before = _state()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("postgres://reviewtool:secret@db/reviewtool")

    monkeypatch.setattr(target, broken)
    job = _dedup(api(as_=lead), run_jobs)
    assert job["status"] == "failed"
    assert job["error"] == (
        f"Stopped while {step}: an unexpected error (RuntimeError; the server's log has the "
        f"details). {KEPT_BY_A_FAILED_RUN}"
    )
    assert _state() == before
    assert not DuplicateCandidate.objects.exists()


def test_the_same_run_without_the_failure_does_merge(api, lead, demo_imports, run_jobs) -> None:
    # What the test above would keep if the run's merges were not one transaction.
    before = _state()
    job = _dedup(api(as_=lead), run_jobs)
    assert job["status"] == "done"
    assert job["result"]["merged"] > 0
    assert _state() != before


def test_a_failed_chunk_of_a_split_run_fails_the_job_instead_of_leaving_it_running(
    lead, project, monkeypatch
) -> None:
    job = Job.objects.create(
        kind=JobKind.DEDUP, project=project, created_by=lead, status=JobStatus.RUNNING
    )

    def broken(**kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(dedup_service, "dedup_compare_chunk", broken)
    with pytest.raises(MemoryError):
        tasks.dedup_compare_chunk_task(job.pk, [["1", "2"]])
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == (
        "Stopped while comparing the records: an unexpected error (MemoryError; the server's "
        f"log has the details). {KEPT_BY_A_FAILED_RUN}"
    )


def test_a_split_run_whose_merging_fails_says_so_and_keeps_no_merge(
    lead, project, demo_imports, monkeypatch
) -> None:
    job = Job.objects.create(
        kind=JobKind.DEDUP, project=project, created_by=lead, status=JobStatus.RUNNING
    )
    records = dedup_service.dedup_records(dedup_service._active_references(project))
    decisions = dedup_service.dedup.compare_pairs(
        records, dedup_service.dedup.blocked_pairs(records)
    )
    chunks = [[vars(d) for d in decisions]]
    before = _state()

    def broken(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("screening.services.dedup.audit_record", broken)
    with pytest.raises(RuntimeError):
        dedup_service.dedup_finish(job_id=job.pk, chunks=chunks, ids=[r.id for r in records])
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith(
        "Stopped while merging the certain duplicates and queuing the unsure sets: "
    )
    assert job.error.endswith(KEPT_BY_A_FAILED_RUN)
    assert _state() == before


def test_a_job_past_its_time_limit_says_so(
    api, lead, demo_imports, run_jobs, monkeypatch, settings
) -> None:
    def too_long(*args: object, **kwargs: object) -> None:
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("screening.services.dedup.dedup.compare_pairs", too_long)
    job = _dedup(api(as_=lead), run_jobs)
    assert job["error"] == (
        f"Stopped while comparing the records: it ran longer than the "
        f"{settings.CELERY_TASK_SOFT_TIME_LIMIT} s a job may take. {KEPT_BY_A_FAILED_RUN}"
    )


def test_a_late_failure_never_rewrites_a_finished_job(lead, project) -> None:
    job = Job.objects.create(kind=JobKind.DEDUP, project=project, created_by=lead)
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    job_fail(job.pk, "a chunk redelivered after the run finished failed")
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.DONE, "")


def test_the_job_page_shows_the_failure_in_the_words_of_its_kind(
    api, lead, demo_imports, run_jobs, browser_client, monkeypatch
) -> None:
    imported = _import(api(as_=lead), NOT_AN_EXPORT, "broken.ris", run_jobs)
    page = browser_client(lead).get(f"/jobs/{imported['id']}/").content.decode()
    assert page.count("Nothing was stored from this file.") == 1
    assert "Try another file" in page

    monkeypatch.setattr("screening.services.dedup.dedup_records", lambda *a: 1 / 0)
    deduplicated = _dedup(api(as_=lead), run_jobs)
    page = browser_client(lead).get(f"/jobs/{deduplicated['id']}/").content.decode()
    assert "Stopped while reading the references" in page
    assert "No merge or duplicate set of this run was kept" in page
    assert "Nothing was stored from this file" not in page
    assert "Back to the duplicates" in page
