"""`make run` loads the demo review from the sample exports the project ships."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from screening.models import AuditEvent, ExclusionReason, Membership, Project, Record, Search

User = get_user_model()

pytestmark = pytest.mark.django_db


def test_the_demo_review_is_loaded_once_with_everything_a_new_user_needs() -> None:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    project = Project.objects.get(slug="demo-microcredentials")
    assert Search.objects.filter(project=project).count() == 3
    assert Record.objects.filter(project=project).count() == 26
    assert dict(
        Membership.objects.filter(project=project).values_list("user__username", "role")
    ) == {
        "admin": "admin",
        "lead": "lead",
        "reviewer_a": "reviewer",
        "reviewer_b": "reviewer",
    }
    assert "microcredential*" in project.include_terms
    assert ExclusionReason.objects.filter(project=project, proposed=False).count() == 3
    assert "reviewer_a  demo-reviewer-a-pass" in out.getvalue()
    again = io.StringIO()
    call_command("load_demo", stdout=again)
    assert "already loaded" in again.getvalue()
    assert Record.objects.filter(project=project).count() == 26


def test_a_second_run_keeps_a_changed_password_and_says_so() -> None:
    call_command("load_demo", stdout=io.StringIO())
    reviewer = User.objects.get(username="reviewer_a")
    reviewer.set_password("my own secret")
    reviewer.save()
    audited = AuditEvent.objects.count()
    again = io.StringIO()
    call_command("load_demo", stdout=again)
    reviewer.refresh_from_db()
    assert reviewer.check_password("my own secret")
    said = again.getvalue()
    assert "reviewer_a  exists: password unchanged" in said
    assert "admin       exists: password unchanged" in said
    assert "(demo-admin-pass if you have not changed it)" in said
    assert "reviewer_a  demo-reviewer-a-pass" not in said
    assert AuditEvent.objects.count() == audited


def test_only_the_users_it_creates_get_their_password_printed_plainly() -> None:
    User.objects.create_user(username="lead", password="chosen by the lead")
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    said = out.getvalue()
    assert "lead        exists: password unchanged" in said
    assert "reviewer_b  demo-reviewer-b-pass" in said
    assert User.objects.get(username="lead").check_password("chosen by the lead")
    assert User.objects.get(username="reviewer_b").check_password("demo-reviewer-b-pass")


@pytest.mark.parametrize(
    ("address", "url"),
    [
        (None, "http://127.0.0.1:8000/projects/demo-microcredentials/"),
        ("8011", "http://127.0.0.1:8011/projects/demo-microcredentials/"),
        ("0.0.0.0:8001", "http://0.0.0.0:8001/projects/demo-microcredentials/"),
        ("[::1]:9000", "http://[::1]:9000/projects/demo-microcredentials/"),
    ],
)
def test_the_printed_address_is_the_one_the_server_is_given(address: str | None, url: str) -> None:
    out = io.StringIO()
    call_command("load_demo", *(["--address", address] if address else []), stdout=out)
    assert f"Open {url}" in out.getvalue()


def test_an_address_that_is_no_port_is_refused_before_anything_is_stored() -> None:
    with pytest.raises(CommandError, match="'localhost' is not a port or host:port"):
        call_command("load_demo", "--address", "localhost", stdout=io.StringIO())
    assert not User.objects.exists()
