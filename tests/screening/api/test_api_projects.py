from __future__ import annotations

import pytest

from screening.models import AuditEvent, Membership, Project


@pytest.mark.django_db
def test_staff_create_users(api, staff) -> None:
    response = api(as_=staff).post(
        "/users", {"username": "newcomer", "password": "s3cret-pass", "email": "n@example.org"}
    )
    assert response.status_code == 201
    assert response.json() == {"username": "newcomer"}
    token = api().post("/auth/token", {"username": "newcomer", "password": "s3cret-pass"})
    assert token.status_code == 200
    assert AuditEvent.objects.filter(verb="user.create", actor=staff).exists()


@pytest.mark.django_db
def test_a_user_who_is_not_staff_cannot_create_users(api, admin) -> None:
    response = api(as_=admin).post("/users", {"username": "x", "password": "y"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_taken_username_is_a_409(api, staff, lead) -> None:
    response = api(as_=staff).post("/users", {"username": "LEAD", "password": "y"})
    assert response.status_code == 409
    assert response.json()["field"] == "username"


@pytest.mark.django_db
def test_creating_a_project_makes_the_caller_its_admin(api, lead) -> None:
    response = api(as_=lead).post("/projects", {"name": "Rapid review of badges"})
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "rapid-review-of-badges"
    assert body["reviewers_per_reference"] == 2
    assert body["role"] == "admin"
    assert Membership.objects.get(project__slug=body["slug"], user=lead).role == "admin"
    assert AuditEvent.objects.filter(verb="project.create", project__slug=body["slug"]).exists()


@pytest.mark.django_db
def test_a_project_can_ask_for_one_reviewer_and_a_chosen_slug(api, lead) -> None:
    response = api(as_=lead).post(
        "/projects", {"name": "Rapid", "slug": "rapid-2026", "reviewers_per_reference": 1}
    )
    assert response.status_code == 201
    assert Project.objects.get(slug="rapid-2026").reviewers_per_reference == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x", "reviewers_per_reference": 0}, "reviewers_per_reference"),
        ({"name": "x", "reviewers_per_reference": "two"}, "reviewers_per_reference"),
        ({}, "name"),
    ],
)
def test_bad_project_input_is_400_naming_the_field(api, lead, body, field) -> None:
    response = api(as_=lead).post("/projects", body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert Project.objects.count() == 1  # only the fixture's


@pytest.mark.django_db
def test_a_taken_slug_is_a_409(api, lead, project) -> None:
    response = api(as_=lead).post("/projects", {"name": "Other", "slug": "microcredentials"})
    assert response.status_code == 409


@pytest.mark.django_db
def test_members_see_the_project_with_its_counts(api, reviewer_a) -> None:
    response = api(as_=reviewer_a).get("/projects/microcredentials")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Microcredentials review"
    assert body["role"] == "reviewer"
    assert body["counts"]["records"] == 0


@pytest.mark.django_db
def test_outsiders_get_404_for_a_project_that_exists(api, outsider, project) -> None:
    existing = api(as_=outsider).get("/projects/microcredentials")
    missing = api(as_=outsider).get("/projects/no-such-project")
    assert existing.status_code == missing.status_code == 404
    assert existing.json() == missing.json()


@pytest.mark.django_db
def test_the_project_list_shows_only_the_caller_s_projects(api, reviewer_a, outsider) -> None:
    body = api(as_=reviewer_a).get("/projects").json()
    assert body["count"] == 1
    assert [p["slug"] for p in body["items"]] == ["microcredentials"]


@pytest.mark.django_db
def test_a_project_admin_adds_a_member_with_a_role(api, admin, reviewer_a) -> None:
    from tests.factories import UserFactory

    UserFactory(username="newcomer")
    response = api(as_=admin).post(
        "/projects/microcredentials/members", {"username": "newcomer", "role": "lead"}
    )
    assert response.status_code == 201
    assert response.json() == {"username": "newcomer", "role": "lead"}
    assert Membership.objects.get(user__username="newcomer").role == "lead"
    event = AuditEvent.objects.get(verb="member.add")
    assert event.actor == admin
    assert event.after == {"username": "newcomer", "role": "lead"}


@pytest.mark.django_db
def test_changing_a_member_s_role_is_audited_with_before_and_after(api, admin, reviewer_a) -> None:
    response = api(as_=admin).post(
        "/projects/microcredentials/members", {"username": "reviewer_a", "role": "lead"}
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(verb="member.role")
    assert event.before == {"role": "reviewer"}
    assert event.after["role"] == "lead"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["lead", "reviewer_a"])
def test_only_project_admins_add_members(api, request, admin, lead, reviewer_a, persona) -> None:
    user = request.getfixturevalue(persona)
    response = api(as_=user).post(
        "/projects/microcredentials/members", {"username": "reviewer_a", "role": "admin"}
    )
    assert response.status_code == 403
    assert Membership.objects.get(user__username="reviewer_a").role == "reviewer"


@pytest.mark.django_db
def test_outsiders_cannot_add_members_and_learn_nothing(api, outsider, project) -> None:
    response = api(as_=outsider).post(
        "/projects/microcredentials/members", {"username": "outsider", "role": "admin"}
    )
    assert response.status_code == 404
    assert not Membership.objects.filter(project=project, user=outsider).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"username": "ghost", "role": "reviewer"}, 400),
        ({"username": "reviewer_a", "role": "superuser"}, 400),
    ],
)
def test_bad_member_input_is_refused(api, admin, reviewer_a, body, status) -> None:
    response = api(as_=admin).post("/projects/microcredentials/members", body)
    assert response.status_code == status
    assert "detail" in response.json()


@pytest.mark.django_db
def test_the_last_admin_cannot_be_demoted_or_removed(api, admin) -> None:
    demote = api(as_=admin).post(
        "/projects/microcredentials/members", {"username": "admin", "role": "reviewer"}
    )
    remove = api(as_=admin).delete("/projects/microcredentials/members/admin")
    assert demote.status_code == remove.status_code == 409
    assert Membership.objects.get(user=admin).role == "admin"


@pytest.mark.django_db
def test_an_admin_removes_a_member(api, admin, reviewer_a) -> None:
    assert api(as_=admin).delete("/projects/microcredentials/members/reviewer_a").status_code == 204
    assert api(as_=reviewer_a).get("/projects/microcredentials").status_code == 404
    assert AuditEvent.objects.filter(verb="member.remove").exists()


@pytest.mark.django_db
def test_members_are_listed_with_pagination(api, admin, lead, reviewer_a, reviewer_b) -> None:
    body = api(as_=reviewer_a).get("/projects/microcredentials/members", limit=2, offset=1).json()
    assert body["count"] == 4
    assert [m["username"] for m in body["items"]] == ["lead", "reviewer_a"]
