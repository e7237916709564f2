from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from screening.models import Job, JobKind, Membership, Project
from screening.services.imports import SearchDetails, search_import
from tests.conftest import PASSWORD
from tests.screening.exports import MEDLINE_TWO_RECORDS


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client, project) -> None:
    response = client.get("/projects/microcredentials/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


@pytest.mark.django_db
def test_a_reviewer_logs_in_and_sees_their_projects(client, reviewer_a, outsider) -> None:
    response = client.post("/login/", {"username": "reviewer_a", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert b"Microcredentials review" in response.content
    assert b"Another team" not in response.content


@pytest.mark.django_db
def test_a_user_creates_a_project_from_the_list_page(browser_client, reviewer_a) -> None:
    response = browser_client(reviewer_a).post(
        "/projects/", {"name": "Badges", "slug": "", "reviewers_per_reference": 2}, follow=True
    )
    assert response.status_code == 200
    assert Membership.objects.get(project__slug="badges", user=reviewer_a).role == "admin"


@pytest.mark.django_db
def test_a_taken_slug_on_the_form_is_shown_not_raised(browser_client, reviewer_a) -> None:
    response = browser_client(reviewer_a).post(
        "/projects/", {"name": "Again", "slug": "microcredentials", "reviewers_per_reference": 2}
    )
    assert response.status_code == 200
    assert b"exists already" in response.content
    assert Project.objects.filter(slug="microcredentials").count() == 1


@pytest.mark.django_db
def test_the_dashboard_shows_counts_members_and_jobs(
    browser_client, lead, reviewer_a, django_assert_max_num_queries
) -> None:
    search_import(
        project=Project.objects.get(slug="microcredentials"),
        data=MEDLINE_TWO_RECORDS,
        filename="pubmed.nbib",
        details=SearchDetails(database="PubMed"),
        user=lead,
    )
    client = browser_client(reviewer_a)
    with django_assert_max_num_queries(15):
        response = client.get("/projects/microcredentials/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "PubMed" in html
    assert "reviewer_a" in html
    assert "lead" in html


@pytest.mark.django_db
def test_the_dashboard_s_query_count_does_not_grow_with_members_and_jobs(
    browser_client, project, lead, reviewer_a, django_assert_max_num_queries
) -> None:
    from tests.factories import MembershipFactory

    client = browser_client(reviewer_a)
    for i in range(15):
        MembershipFactory(project=project, user__username=f"extra{i}")
        Job.objects.create(kind=JobKind.IMPORT, project=project, created_by=lead)
    with django_assert_max_num_queries(15):
        assert client.get("/projects/microcredentials/").status_code == 200


@pytest.mark.django_db
def test_outsiders_get_404_on_every_project_page(browser_client, outsider, project) -> None:
    client = browser_client(outsider)
    for path in ["", "members/", "jobs/", "import/", "searches/", "history/"]:
        assert client.get(f"/projects/microcredentials/{path}").status_code == 404, path


@pytest.mark.django_db
def test_the_jobs_panel_polls_while_a_job_runs_and_stops_when_done(
    browser_client, project, lead
) -> None:
    job = Job.objects.create(kind=JobKind.IMPORT, project=project, created_by=lead)
    client = browser_client(lead)
    running = client.get("/projects/microcredentials/jobs/", headers={"HX-Request": "true"})
    assert b'hx-trigger="every 1s"' in running.content
    job.status = "done"
    job.progress = 1
    job.save()
    done = client.get("/projects/microcredentials/jobs/", headers={"HX-Request": "true"})
    assert b"hx-trigger" not in done.content


@pytest.mark.django_db
def test_an_admin_adds_a_member_on_the_members_page(browser_client, admin, project) -> None:
    from tests.factories import UserFactory

    UserFactory(username="newcomer")
    response = browser_client(admin).post(
        "/projects/microcredentials/members/", {"username": "newcomer", "role": "reviewer"},
        follow=True,
    )  # fmt: skip
    assert b"newcomer added as reviewer" in response.content
    assert Membership.objects.filter(project=project, user__username="newcomer").exists()


@pytest.mark.django_db
def test_a_reviewer_sees_members_but_may_not_change_them(browser_client, reviewer_a, admin) -> None:
    client = browser_client(reviewer_a)
    page = client.get("/projects/microcredentials/members/")
    assert page.status_code == 200
    assert b"Only the project" in page.content
    refused = client.post(
        "/projects/microcredentials/members/", {"username": "reviewer_a", "role": "admin"}
    )
    assert refused.status_code == 403
    assert Membership.objects.get(user=reviewer_a).role == "reviewer"


@pytest.mark.django_db
def test_removing_the_last_admin_on_the_page_shows_a_message(browser_client, admin) -> None:
    response = browser_client(admin).post(
        "/projects/microcredentials/members/", {"remove": "admin"}, follow=True
    )
    assert b"at least one admin" in response.content
    assert Membership.objects.filter(user=admin, role="admin").exists()


@pytest.mark.django_db(transaction=True)
def test_a_lead_imports_on_the_page_and_sees_the_first_records(browser_client, lead) -> None:
    client = browser_client(lead)
    response = client.post(
        "/projects/microcredentials/import/",
        {
            "file": SimpleUploadedFile("pubmed.nbib", MEDLINE_TWO_RECORDS),
            "database": "PubMed",
            "format": "auto",
            "searched_on": "2026-10-01",
            "query": "microcredential*[tiab]",
        },
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "2</strong> records read" in html
    assert "Open badges for nurses" in html
    assert "10.1000/badges.2020.1" in html


@pytest.mark.django_db
def test_reviewers_do_not_get_the_import_page(browser_client, reviewer_a) -> None:
    assert browser_client(reviewer_a).get("/projects/microcredentials/import/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_lead_runs_dedup_and_reviews_merges_on_the_page(
    browser_client, project, lead, demo_imports, django_assert_max_num_queries
) -> None:
    from screening.models import DuplicateCandidate, Reference

    client = browser_client(lead)
    ran = client.post("/projects/microcredentials/duplicates/", {"action": "run"}, follow=True)
    assert b"merged automatically among 22 references" in ran.content
    # Constant whatever the number of sets: references, records and searches are prefetched
    # (and one count for the page links).
    with django_assert_max_num_queries(15):
        page = client.get("/projects/microcredentials/duplicates/?status=merged")
    html = page.content.decode()
    merged = DuplicateCandidate.objects.filter(status="merged")
    assert merged.count() >= 6
    assert html.count('name="action" value="unmerge" data-ask') == merged.count()
    assert "PubMed" in html
    assert "Embase" in html
    first = merged.first()
    undone = client.post(
        "/projects/microcredentials/duplicates/?status=merged",
        {"candidate": first.pk, "action": "unmerge"},
        follow=True,
    )
    assert b"Unmerged" in undone.content
    assert all(r.merged_into_id is None for r in Reference.objects.filter(pk__in=first.references))


@pytest.mark.django_db
def test_reviewers_do_not_get_the_duplicates_page(browser_client, reviewer_a) -> None:
    assert (
        browser_client(reviewer_a).get("/projects/microcredentials/duplicates/").status_code == 403
    )
