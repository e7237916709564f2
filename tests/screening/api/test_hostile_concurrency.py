"""20 full-text votes at once naming the same new exclusion reason, on PostgreSQL: every vote
kept, one reason row, no 500 (issue 19: one vote was lost to an IntegrityError).

Each request runs in its own thread with its own connection (tests/screening/together.py)."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from screening.models import ExclusionReason, Reference, Vote
from screening.services.fulltext import report_attach
from screening.services.screening import vote_cast
from tests.pdfs import pdf_with_text
from tests.screening.together import together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only(db) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time (BEGIN IMMEDIATE)")


@pytest.fixture
def twenty_at_full_text(project, demo_imports, lead, reviewer_a, reviewer_b) -> list[Reference]:
    references = list(Reference.objects.filter(project=project).order_by("id")[:20])
    for reference in references:
        for who in (reviewer_a, reviewer_b):
            vote_cast(reference=reference, reviewer=who, stage="title_abstract", vote="include")
        report_attach(
            reference=reference,
            data=io.BytesIO(pdf_with_text(f"Full text {reference.pk}")),
            filename=f"{reference.pk}.pdf",
            user=lead,
        )
    return references


def test_twenty_votes_naming_one_new_reason_at_once_keep_every_vote_and_one_reason(
    api, reviewer_a, twenty_at_full_text
) -> None:
    body = {"stage": "full_text", "vote": "exclude", "reason": "Wrong comparator"}
    calls = [
        (reviewer_a, "post", f"/projects/microcredentials/references/{r.pk}/votes", body)
        for r in twenty_at_full_text
    ]
    statuses = together(api, calls)
    assert statuses == [201] * 20
    [reason] = ExclusionReason.objects.filter(name="Wrong comparator")
    assert reason.proposed
    assert Vote.objects.filter(stage="full_text", reason=reason).count() == 20


def test_a_reason_name_longer_than_its_column_is_a_400_naming_it(
    api, reviewer_a, twenty_at_full_text
) -> None:
    reference = twenty_at_full_text[0]
    response = api(reviewer_a).post(
        f"/projects/microcredentials/references/{reference.pk}/votes",
        {"stage": "full_text", "vote": "exclude", "reason": "x" * 100_000},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "reason"
    assert "200 characters" in response.json()["detail"]
    assert not Vote.objects.filter(stage="full_text").exists()
