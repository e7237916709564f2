"""Every 4xx of the API is JSON with a "detail", also those Django and ninja make outside the API's
own handlers (reviewtool/api_errors.py); found by the fuzzed API (tests/test_api_fuzz.py, issue 19).
The pages keep their HTML error pages."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

P = "/api/v1/projects/microcredentials"


def _detail(response: object) -> str:
    assert response["Content-Type"].startswith("application/json"), response.content[:100]
    return response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nothing",
        # A slug holding "/" (as %2F) is two path segments: no operation has that path.
        "/api/v1/projects/a%2Fb/members",
        f"{P}/references/1/votes/extra",
    ],
)
def test_a_path_no_operation_has_is_a_json_404(api, lead, path: str) -> None:
    client = api(as_=lead)
    response = client.client.get(path, headers=client._headers())
    assert response.status_code == 404
    assert "openapi.json" in _detail(response)


def test_a_method_the_path_does_not_take_is_a_json_405_keeping_allow(api, project, lead) -> None:
    response = api(as_=lead).put(f"{P.removeprefix('/api/v1')}/exclusion-reasons", {})
    assert response.status_code == 405
    # ninja lists the methods from a set: in either order.
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}
    assert _detail(response) == f"PUT is not allowed here: use {response['Allow']}."


@pytest.mark.parametrize("path", ["/searches", "/references/{reference}/report"])
def test_an_upload_whose_multipart_body_has_no_boundary_is_a_json_400(
    api, project, demo_imports, lead, path: str
) -> None:
    reference = project.references.order_by("pk").first().pk
    client = api(as_=lead)
    response = client.client.post(
        P + path.format(reference=reference),
        b"x",
        content_type="multipart/form-data",
        headers=client._headers(),
    )
    assert response.status_code == 400
    assert "multipart" in _detail(response)


def test_a_failed_login_whose_body_is_not_the_multipart_it_says_is_a_json_400(db) -> None:
    # The failed-login record (django-axes) reads the form, which cannot be read.
    response = Client().post(
        "/api/v1/auth/token",
        b'{"username": "nobody", "password": "wrong"}',
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "multipart" in _detail(response)


def test_a_page_s_404_stays_the_html_page(browser_client, lead) -> None:
    response = browser_client(lead).get("/projects/no-such-project/nothing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
