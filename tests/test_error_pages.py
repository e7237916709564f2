"""What a failing request shows: the project's own 400, 403, 404 and 500 pages, never the debug
page with the settings in it; and a NUL character in any text a request carries is a clear 400."""

from __future__ import annotations

import json
from html import unescape
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError
from django.test import Client

from screening.models import Reference, Vote

pytestmark = pytest.mark.django_db

SECRETS = {
    "DATABASE_URL": "postgres://reviewtool:db-pass-4417@db.example:5432/reviewtool",
    "REDIS_URL": "redis://:redis-pass-9203@redis.example:6379/0",
    "CELERY_BROKER_URL": "redis://:broker-pass-5531@redis.example:6379/0",
}


@pytest.fixture
def failing_dashboard(monkeypatch, settings) -> None:
    """The dashboard fails as a request the app cannot answer does, with the settings filled in."""
    for name, value in SECRETS.items():
        setattr(settings, name, value)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"could not reach {SECRETS['DATABASE_URL']}")

    monkeypatch.setattr("screening.views.projects.project_counts", broken)


def _as(user: object) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_a_view_that_fails_gives_the_projects_500_page_and_no_setting(
    failing_dashboard, reviewer_a
) -> None:
    response = _as(reviewer_a).get("/projects/microcredentials/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "<h1>Something went wrong</h1>" in body
    assert 'href="/static/css/app.css"' in body
    for value in [*SECRETS.values(), django_settings.SECRET_KEY, "Traceback", "RuntimeError"]:
        assert value not in body


def test_an_unknown_address_gives_the_projects_404_page(reviewer_a) -> None:
    response = _as(reviewer_a).get("/projects/microcredentials/nowhere/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "<h1>Not found</h1>" in body
    assert "/static/css/app.css" in body
    assert "Log out reviewer_a" in body


def test_a_role_that_may_not_gives_the_projects_403_page(reviewer_a) -> None:
    response = _as(reviewer_a).get("/projects/microcredentials/settings/")
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in response.content.decode()


PAGES_WITH_TEXT_FILTERS = [
    ("/projects/?q=%00", "'q'"),
    ("/projects/microcredentials/references/?q=%00", "'q'"),
    ("/projects/microcredentials/references/?q=badge&status=%00", "'status'"),
    ("/projects/microcredentials/history/?kind=%00", "'kind'"),
    ("/projects/microcredentials/history/?actor=lead%00", "'actor'"),
    ("/projects/microcredentials/history/?actor=%00&format=csv", "'actor'"),
    ("/projects/microcredentials/references/?%00=1", "'%00'"),
]


@pytest.mark.parametrize(("url", "named"), PAGES_WITH_TEXT_FILTERS)
def test_a_nul_character_in_a_pages_filter_is_a_400_naming_it(
    reviewer_a, demo_imports, url: str, named: str
) -> None:
    response = _as(reviewer_a).get(url)
    assert response.status_code == 400
    body = unescape(response.content.decode())
    assert "<h1>Bad request</h1>" in body
    assert f"The parameter {named} contains a NUL character" in body


API_FILTERS = [
    ("/api/v1/projects/microcredentials/history?kind=%00", "'kind'"),
    ("/api/v1/projects/microcredentials/history?actor=%00", "'actor'"),
    ("/api/v1/projects/microcredentials/history.csv?actor=%00", "'actor'"),
    ("/api/v1/projects/microcredentials/references?status=%00", "'status'"),
    ("/api/v1/projects/microcredentials/duplicates?status=%00", "'status'"),
]


@pytest.mark.parametrize(("url", "named"), API_FILTERS)
def test_a_nul_character_in_an_api_filter_is_a_400_naming_it(
    api, lead, demo_imports, url: str, named: str
) -> None:
    client = api(as_=lead)
    response = client.client.get(url, headers=client._headers())
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"The parameter {named} contains a NUL character (%00), "
        "which no text here can hold: remove it."
    }


def test_a_nul_character_in_a_json_body_is_a_400_and_stores_nothing(
    api, reviewer_a, demo_imports
) -> None:
    reference = Reference.objects.filter(project__slug="microcredentials").first()
    response = api(as_=reviewer_a).post(
        f"/projects/microcredentials/references/{reference.pk}/votes",
        {"stage": "title_abstract", "vote": "include", "note": "see p.\u00003"},
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The field 'note' contains a NUL character")
    assert not Vote.objects.exists()


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul_character(
    api, reviewer_a, demo_imports
) -> None:
    reference = Reference.objects.filter(project__slug="microcredentials").first()
    note = "\\u0000 is how JSON spells it"
    response = api(as_=reviewer_a).post(
        f"/projects/microcredentials/references/{reference.pk}/votes",
        {"stage": "title_abstract", "vote": "include", "note": note},
    )
    assert response.status_code == 201, response.content
    assert Vote.objects.get().note == note


def test_a_nul_character_in_a_form_field_is_a_400_naming_it() -> None:
    form = urlencode({"username": "reviewer\x00_a", "password": "x"})
    response = Client().post("/login/", form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "The field 'username' contains a NUL character" in unescape(response.content.decode())


def test_postgresqls_refusal_of_a_nul_character_the_check_cannot_see_is_a_400(
    monkeypatch, api, lead
) -> None:
    # A multipart form's text fields are read by the view only, after it authorised the upload.
    def refused(**kwargs: object) -> None:
        raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")

    monkeypatch.setattr("screening.services.imports.search_import", refused)
    body = {"file": SimpleUploadedFile("a.ris", b"TY  - JOUR\nER  - \n"), "database": "P\x00"}
    client = api(as_=lead)
    client.client.raise_request_exception = False
    response = client.upload("/projects/microcredentials/searches", body)
    assert response.status_code == 400
    assert "contains a NUL character" in json.loads(response.content)["detail"]
