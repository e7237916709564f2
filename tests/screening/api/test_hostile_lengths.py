"""Texts longer than they may be are a 400 naming the field and its limit, and store nothing,
through the API and the pages (issue 19: a 100,000-character name was stored, or a 500 on
PostgreSQL)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from screening.models import ExclusionReason, Project, Record, Search

pytestmark = pytest.mark.django_db

RIS = b"TY  - JOUR\nTI  - A title\nAU  - Smith, J\nER  - \n"
HUGE = "x" * 100_000


def _import(client, **form: str):  # noqa: ANN202
    body = {"file": SimpleUploadedFile("e.ris", RIS), "database": "Embase", **form}
    return client.upload("/projects/microcredentials/searches", body)


@pytest.mark.parametrize(
    ("field", "value", "limit"),
    [("query", HUGE, "50,000"), ("database", "d" * 121, "120"), ("platform", "p" * 121, "120")],
)
@pytest.mark.parametrize("queued", [False, True], ids=["inline", "queued"])
def test_an_import_s_detail_over_its_limit_is_a_400_naming_it(
    api, lead, field: str, value: str, limit: str, queued: bool
) -> None:
    client = api(as_=lead)
    if queued:
        body = {"file": SimpleUploadedFile("e.ris", RIS), "database": "Embase", field: value}
        response = client.upload("/projects/microcredentials/searches?async=1", body)
    else:
        response = _import(client, **{field: value})
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert limit in response.json()["detail"]
    assert Search.objects.count() == Record.objects.count() == 0


def test_a_long_search_strategy_within_the_limit_is_kept_whole(api, lead) -> None:
    query = "(badge* OR microcredential*) AND " * 1_000
    response = _import(api(as_=lead), query=query)
    assert response.status_code == 201
    assert Search.objects.get().query == query


def test_the_import_page_refuses_a_query_over_its_limit(lead) -> None:
    client = Client()
    client.force_login(lead)
    response = client.post(
        "/projects/microcredentials/import/",
        {"file": SimpleUploadedFile("e.ris", RIS), "database": "Embase", "query": HUGE},
    )
    assert response.status_code == 200  # the form again, with its error
    assert "50000 characters" in response.content.decode() or "50,000" in response.content.decode()
    assert not Search.objects.exists()


def test_a_record_typed_in_with_a_journal_over_its_column_is_a_400(api, lead) -> None:
    response = api(as_=lead).post(
        "/projects/microcredentials/records",
        {"title": "A", "journal": "j" * 501, "method": "citation searching"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "journal"
    assert not Record.objects.exists()


@pytest.mark.parametrize("path", ["/projects/microcredentials/exclusion-reasons"])
def test_a_reason_name_over_200_characters_is_a_400(api, lead, path: str) -> None:
    response = api(as_=lead).post(path, {"name": HUGE})
    assert response.status_code == 400
    assert response.json()["field"] == "name"
    assert "200" in response.json()["detail"]
    assert not ExclusionReason.objects.exists()


def test_the_pages_refuse_a_project_or_reason_name_over_its_limit(lead) -> None:
    client = Client()
    client.force_login(lead)
    created = client.post("/projects/", {"name": HUGE, "reviewers_per_reference": "2"})
    assert created.status_code == 200
    assert not Project.objects.filter(name=HUGE).exists()
    client.post("/projects/microcredentials/reasons/", {"action": "add", "name": HUGE})
    assert not ExclusionReason.objects.exists()
