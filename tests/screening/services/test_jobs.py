"""The life of a Job, run inline (the worker pass repeats the key cases with a real worker)."""

from __future__ import annotations

import pytest

from screening.models import Job, JobKind, JobStatus, Record, Search
from screening.services.jobs import job_claim, job_create, job_run
from tests.screening.exports import MEDLINE_TWO_RECORDS, XML_DAMAGED


def _upload(api_client, data: bytes, name: str, **extra: str) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = {"file": SimpleUploadedFile(name, data), "database": "PubMed", **extra}
    return api_client.upload("/projects/microcredentials/searches?async=1", body)


@pytest.mark.django_db(transaction=True)
def test_an_import_job_runs_to_done_with_its_result(api, lead) -> None:
    client = api(as_=lead)
    queued = _upload(client, MEDLINE_TWO_RECORDS, "pubmed.nbib")
    assert queued.status_code == 202
    job = client.get(f"/jobs/{queued.json()['job']}").json()
    assert job["kind"] == "import"
    assert job["status"] == "done"
    assert job["progress"] == 1.0
    assert job["result"]["records"] == 2
    assert job["error"] == ""
    assert Search.objects.get(pk=job["result"]["search"]).record_count == 2


@pytest.mark.django_db(transaction=True)
def test_a_failed_import_job_says_why_and_stores_nothing(api, lead) -> None:
    client = api(as_=lead)
    queued = _upload(client, XML_DAMAGED, "broken.xml")
    job = client.get(f"/jobs/{queued.json()['job']}").json()
    assert job["status"] == "failed"
    assert "broken.xml" in job["error"]
    assert "line 6" in job["error"]
    assert Record.objects.count() == 0
    assert Search.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_finished_job_is_not_run_again(project, lead) -> None:
    job = Job.objects.create(
        kind=JobKind.IMPORT, project=project, created_by=lead, status=JobStatus.DONE
    )
    assert job_claim(job.pk) is None
    assert job_run(job.pk) is None
    job.refresh_from_db()
    assert job.attempts == 0


@pytest.mark.django_db(transaction=True)
def test_a_job_re_delivered_after_a_lost_worker_gives_the_same_result(api, lead, project) -> None:
    client = api(as_=lead)
    job_id = _upload(client, MEDLINE_TWO_RECORDS, "pubmed.nbib").json()["job"]
    # A redelivered message for a job whose worker died after the import committed.
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING)
    again = job_run(job_id)
    assert again.status == JobStatus.DONE
    assert again.attempts == 2
    assert Search.objects.count() == 1
    assert Record.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_job_of_an_unknown_kind_fails_plainly(project, lead) -> None:
    job = Job.objects.create(kind="mystery", project=project, created_by=lead)
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "no handler" in job.error


@pytest.mark.django_db
def test_a_job_is_enqueued_only_when_its_transaction_commits(
    project, lead, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_create(kind="mystery", project=project, created_by=lead)
    assert len(callbacks) == 1
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


@pytest.mark.django_db
def test_outsiders_and_unknown_ids_get_404_for_a_job(api, project, lead, outsider) -> None:
    job = Job.objects.create(kind=JobKind.IMPORT, project=project, created_by=lead)
    assert api(as_=outsider).get(f"/jobs/{job.pk}").status_code == 404
    assert api(as_=lead).get(f"/jobs/{job.pk + 1000}").status_code == 404


@pytest.mark.django_db
def test_any_member_follows_a_project_job(api, project, lead, reviewer_a) -> None:
    job = Job.objects.create(kind=JobKind.IMPORT, project=project, created_by=lead)
    body = api(as_=reviewer_a).get(f"/jobs/{job.pk}").json()
    assert body == {
        "id": job.pk,
        "kind": "import",
        "status": "queued",
        "progress": 0.0,
        "result": {},
        "error": "",
    }


@pytest.mark.django_db
def test_reviewers_cannot_import(api, reviewer_a) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = {"file": SimpleUploadedFile("p.nbib", MEDLINE_TWO_RECORDS), "database": "PubMed"}
    response = api(as_=reviewer_a).upload("/projects/microcredentials/searches", body)
    assert response.status_code == 403
    assert Search.objects.count() == 0
