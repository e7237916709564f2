"""The job lifecycle through a real Celery worker on Redis (the PostgreSQL + Redis pass only)."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from screening.models import Record
from tests.screening.exports import MEDLINE_TWO_RECORDS, XML_DAMAGED

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for_job(client, job_id: int, timeout: float = 60.0) -> dict:
    """Poll the API until the worker finishes the job (a bounded wait on a real condition)."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/jobs/{job_id}").json()
        if job["status"] in {"done", "failed"}:
            return job
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} still {job['status']} after {timeout}s")
        time.sleep(0.1)


def test_a_real_worker_runs_an_import_job_to_done(celery_worker_process, api, lead) -> None:
    client = api(as_=lead)
    body = {"file": SimpleUploadedFile("pubmed.nbib", MEDLINE_TWO_RECORDS), "database": "PubMed"}
    queued = client.upload("/projects/microcredentials/searches?async=1", body)
    assert queued.status_code == 202
    job = _wait_for_job(client, queued.json()["job"])
    assert job["status"] == "done", job
    assert job["progress"] == 1.0
    assert job["result"]["records"] == 2
    assert Record.objects.filter(search_id=job["result"]["search"]).count() == 2


def test_a_real_worker_reports_a_failed_job_plainly(celery_worker_process, api, lead) -> None:
    client = api(as_=lead)
    body = {"file": SimpleUploadedFile("broken.xml", XML_DAMAGED), "database": "Embase"}
    queued = client.upload("/projects/microcredentials/searches?async=1", body)
    job = _wait_for_job(client, queued.json()["job"])
    assert job["status"] == "failed"
    assert "broken.xml" in job["error"]
    assert Record.objects.count() == 0


def test_a_dedup_run_split_over_real_workers_merges_what_inline_would(
    celery_worker_process, api, lead, project, demo_imports
) -> None:
    from screening import dedup
    from screening.models import DuplicateCandidate, Reference
    from screening.services.dedup import dedup_records

    references = list(Reference.objects.filter(project=project).order_by("pk"))
    records = dedup_records(references)
    expected = dedup.find_duplicates(records)
    assert len(dedup.blocked_pairs(records)) > 10  # more than one chunk of 10 pairs
    client = api(as_=lead)
    job = _wait_for_job(client, client.post("/projects/microcredentials/dedup").json()["job"])
    assert job["status"] == "done", job
    assert job["result"]["merged"] == sum(len(c) - 1 for c in expected.clusters)
    merged_sets = {
        frozenset(c.references) for c in DuplicateCandidate.objects.filter(status="merged")
    }
    assert merged_sets == {frozenset(int(m) for m in c) for c in expected.clusters if len(c) > 1}


def test_an_import_whose_worker_process_is_killed_finishes_on_retry_with_every_record_once(
    celery_worker_process, api, lead
) -> None:
    import signal
    import subprocess

    from benchmarks.corpus import medline_bytes

    client = api(as_=lead)
    body = {"file": SimpleUploadedFile("big.nbib", medline_bytes(40_000)), "database": "PubMed"}
    job_id = client.upload("/projects/microcredentials/searches?async=1", body).json()["job"]
    deadline = time.monotonic() + 60
    while client.get(f"/jobs/{job_id}").json()["status"] != "running":
        assert time.monotonic() < deadline, "the worker never started the import"
        time.sleep(0.05)
    children = subprocess.run(
        ["pgrep", "-P", str(celery_worker_process.pid)], capture_output=True, text=True
    ).stdout.split()
    for pid in children:  # the pool processes; the worker's main process requeues their task
        subprocess.run(["kill", f"-{signal.SIGKILL.value}", pid], check=False)
    job = _wait_for_job(client, job_id, timeout=180)
    assert job["status"] == "done", job
    assert job["result"]["records"] == 40_000
    assert Record.objects.count() == 40_000  # the killed attempt left nothing behind
    from screening.models import Job

    assert Job.objects.get(pk=job_id).attempts >= 2


def test_a_dedup_run_whose_worker_processes_are_killed_finishes_with_the_same_merges(
    celery_worker_process, api, lead, project
) -> None:
    import signal
    import subprocess

    from screening.models import DuplicateCandidate, Job, Reference
    from tests.screening.dedup_runs import imported_twice

    # The same 1,500 records imported twice: 1,500 certain pairs, in chunks of 10 pairs.
    expected_sets = imported_twice(project, lead, 1500)
    imported = Reference.objects.filter(project=project).count()
    assert len(expected_sets) >= 1500
    client = api(as_=lead)
    job_id = client.post("/projects/microcredentials/dedup").json()["job"]
    deadline = time.monotonic() + 60
    # The chunks are out once the run has split the work (progress 0.05) and until it ends.
    while Job.objects.get(pk=job_id).progress < 0.05:
        assert time.monotonic() < deadline, "the worker never split the run"
        time.sleep(0.05)
    assert Job.objects.get(pk=job_id).status == "running"  # killed mid-run, not after
    children = subprocess.run(
        ["pgrep", "-P", str(celery_worker_process.pid)], capture_output=True, text=True
    ).stdout.split()
    for pid in children:  # the pool processes; their chunks go back to the queue
        subprocess.run(["kill", f"-{signal.SIGKILL.value}", pid], check=False)
    job = _wait_for_job(client, job_id, timeout=240)
    assert job["status"] == "done", job
    merged_sets = {
        frozenset(c.references) for c in DuplicateCandidate.objects.filter(status="merged")
    }
    assert merged_sets == expected_sets  # the same merges an uninterrupted run makes
    assert job["result"]["merged"] == sum(len(s) - 1 for s in expected_sets)
    assert Reference.objects.active().count() == imported - job["result"]["merged"]
