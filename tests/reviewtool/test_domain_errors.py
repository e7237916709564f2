"""The domain's errors (screening.errors) reach people as HTTP in one place each: the pages
through reviewtool.middleware.DomainErrorsMiddleware, the API through its exception handlers."""

from __future__ import annotations

import json
from html import unescape

import pytest

from screening.errors import Conflict, NotAllowed, NotFound, ServiceError

ERRORS = [
    (NotFound("No such set in this project."), 404, "Not found"),
    (NotAllowed("Your role may not see these counts."), 403, "Not allowed"),
    (Conflict("The reference was decided meanwhile."), 409, "Bad request"),
]


def _raising(error: ServiceError):  # noqa: ANN202
    def refused(*args: object, **kwargs: object) -> None:
        raise error

    return refused


@pytest.mark.parametrize(("error", "status", "heading"), ERRORS)
def test_a_page_answers_a_domain_error_with_the_apps_own_page(
    monkeypatch, browser_client, lead, error: ServiceError, status: int, heading: str
) -> None:
    # As a selector deep under the view would raise it, knowing nothing of HTTP.
    monkeypatch.setattr("screening.views.projects.project_counts", _raising(error))
    response = browser_client(lead).get("/projects/microcredentials/")
    assert response.status_code == status
    page = unescape(response.content.decode())
    assert f"<h1>{heading}</h1>" in page
    assert "Back to your projects" in page
    if not isinstance(error, NotFound):  # the 404 page says the same for anything not there
        assert error.message in page


def test_a_view_raises_not_found_for_a_reference_outside_the_project(
    browser_client, reviewer_a
) -> None:
    response = browser_client(reviewer_a).get("/projects/microcredentials/screen/?reference=999999")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.content.decode()


def test_a_view_raises_not_allowed_for_a_role_below_the_action(browser_client, reviewer_a) -> None:
    response = browser_client(reviewer_a).post(
        "/projects/microcredentials/members/", {"username": "someone", "role": "lead"}
    )
    assert response.status_code == 403
    assert "Only the project&#x27;s admins manage its members." in response.content.decode()


@pytest.mark.parametrize(("error", "status", "heading"), ERRORS)
def test_the_api_answers_a_domain_error_with_its_status_and_detail(
    monkeypatch, api, lead, error: ServiceError, status: int, heading: str
) -> None:
    monkeypatch.setattr("screening.api.projects.project_counts", _raising(error))
    response = api(as_=lead).get("/projects/microcredentials")
    assert response.status_code == status
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content) == {"detail": error.message}


def test_the_api_answers_404_for_a_pilot_the_project_never_had(api, reviewer_a) -> None:
    response = api(as_=reviewer_a).get("/projects/microcredentials/pilot")
    assert response.status_code == 404
    assert json.loads(response.content) == {"detail": "This project has had no pilot round."}


def test_the_api_answers_409_for_a_project_slug_taken(api, lead) -> None:
    response = api(as_=lead).post("/projects", {"name": "Again", "slug": "microcredentials"})
    assert response.status_code == 409
    assert "detail" in json.loads(response.content)


@pytest.mark.parametrize(("error", "status", "heading"), ERRORS[:2])
def test_a_view_showing_refusals_as_messages_still_answers_404_and_403_pages(
    monkeypatch, browser_client, lead, error: ServiceError, status: int, heading: str
) -> None:
    # The Reasons page shows a service's refusal beside its list; not one that is an error page.
    monkeypatch.setattr("screening.views.reasons.exclusion_reason_add", _raising(error))
    response = browser_client(lead).post("/projects/microcredentials/reasons/", {"name": "Other"})
    assert response.status_code == status
    assert f"<h1>{heading}</h1>" in response.content.decode()
