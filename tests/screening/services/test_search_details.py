"""What the reviewers say about a search (services.imports.SearchDetails): one value taken by the
inline import and the queued one, kept in a queued job's JSON under the keys it always had."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from screening.errors import InvalidInput
from screening.models import Job, JobKind, JobStatus, Search
from screening.services.imports import SearchDetails, search_import, search_import_enqueue
from screening.services.jobs import job_run
from tests.screening.exports import MEDLINE_TWO_RECORDS

DETAILS = SearchDetails(
    database="Embase",
    platform="Ovid",
    searched_on=dt.date(2026, 10, 1),
    query="microcredential*",
    format="medline",
    new_search=True,
)


def test_the_details_keep_the_job_params_keys_and_read_back_the_same() -> None:
    params = DETAILS.as_params()
    assert params == {
        "database": "Embase",
        "format": "medline",
        "searched_on": "2026-10-01",
        "query": "microcredential*",
        "platform": "Ovid",
        "new_search": True,
    }
    assert SearchDetails.from_params(params) == DETAILS


def test_a_job_written_with_the_database_only_reads_the_defaults() -> None:
    assert SearchDetails.from_params({"database": "PubMed", "searched_on": None}) == SearchDetails(
        database="PubMed"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("importing", [search_import, search_import_enqueue])
def test_both_imports_refuse_a_search_without_a_database(importing, project, lead) -> None:
    with pytest.raises(InvalidInput) as refused:
        importing(
            project=project,
            data=MEDLINE_TWO_RECORDS,
            filename="pubmed.nbib",
            details=SearchDetails(database="  "),
            user=lead,
        )
    assert refused.value.message == "Name the database this export came from."
    assert refused.value.extra["field"] == "database"


@pytest.mark.django_db(transaction=True)
def test_a_job_queued_before_the_details_were_one_value_still_runs(project, lead) -> None:
    upload = default_storage.save("uploads/old-job.nbib", ContentFile(MEDLINE_TWO_RECORDS))
    # The params exactly as search_import_enqueue wrote them before SearchDetails.
    job = Job.objects.create(
        kind=JobKind.IMPORT,
        project=project,
        created_by=lead,
        params={
            "upload": upload,
            "sha256": "0" * 64,
            "filename": "pubmed.nbib",
            "database": "PubMed",
            "format": "auto",
            "searched_on": "2026-10-01",
            "query": "badges",
            "platform": "NCBI",
            "new_search": False,
        },
    )
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    search = Search.objects.get(pk=job.result["search"])
    assert (search.database, search.platform, search.query) == ("PubMed", "NCBI", "badges")
    assert search.searched_on == dt.date(2026, 10, 1)
    assert search.record_count == 2
