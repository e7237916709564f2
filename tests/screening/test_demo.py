"""`make run` loads the demo review from the sample exports the project ships."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from screening.models import ExclusionReason, Membership, Project, Record, Search

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
