"""A member's role in the reviewers' words (Membership.leads, .administers), read by every page
instead of comparing role strings: the menu and the lead's controls follow it."""

from __future__ import annotations

import pytest

from screening.models import Job, JobKind, JobStatus, Membership

LEADS_MENU = "/projects/microcredentials/import/"


@pytest.mark.parametrize(
    ("role", "leads", "administers"),
    [("reviewer", False, False), ("lead", True, False), ("admin", True, True)],
)
def test_a_role_reads_as_what_the_member_may_do(role: str, leads: bool, administers: bool) -> None:
    membership = Membership(role=role)
    assert (membership.leads, membership.administers) == (leads, administers)


@pytest.mark.django_db
def test_the_project_menu_offers_a_leads_pages_to_leads_only(
    browser_client, lead, reviewer_a
) -> None:
    assert LEADS_MENU in browser_client(lead).get("/projects/microcredentials/").content.decode()
    page = browser_client(reviewer_a).get("/projects/microcredentials/").content.decode()
    assert LEADS_MENU not in page


@pytest.mark.django_db
def test_a_jobs_page_shows_the_menu_for_the_members_role(
    browser_client, project, lead, reviewer_a
) -> None:
    job = Job.objects.create(
        kind=JobKind.IMPORT, project=project, created_by=lead, status=JobStatus.DONE
    )
    assert LEADS_MENU in browser_client(lead).get(f"/jobs/{job.pk}/").content.decode()
    assert LEADS_MENU not in browser_client(reviewer_a).get(f"/jobs/{job.pk}/").content.decode()
