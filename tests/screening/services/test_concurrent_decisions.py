"""Votes and resolutions arriving at the same moment on PostgreSQL: none lost, none doubled, no 500.

Each request runs in its own thread with its own database connection; a barrier releases them
together, and the reference's row lock in services/screening.py puts them one after the other.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from screening.models import Reference, Resolution, Vote
from tests.factories import MembershipFactory
from tests.screening.together import together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only(db) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time anyway")


def test_three_reviewers_at_once_leave_exactly_two_votes(
    api,
    project,
    demo_imports,
    reviewer_a,
    reviewer_b,
) -> None:
    third = MembershipFactory(project=project, user__username="reviewer_c").user
    for reference in Reference.objects.filter(project=project)[:5]:
        path = f"/projects/microcredentials/references/{reference.pk}/votes"
        body = {"stage": "title_abstract", "vote": "include"}
        statuses = together(api, [(u, "post", path, body) for u in (reviewer_a, reviewer_b, third)])
        assert sorted(statuses) == [201, 201, 409]
        assert Vote.objects.filter(reference=reference).count() == 2


def test_a_lead_resolving_while_a_reviewer_votes_again_keeps_one_outcome(
    api,
    project,
    demo_imports,
    lead,
    reviewer_a,
    reviewer_b,
) -> None:
    for reference in Reference.objects.filter(project=project)[:5]:
        base = f"/projects/microcredentials/references/{reference.pk}"
        assert (
            api(reviewer_a)
            .post(f"{base}/votes", {"stage": "title_abstract", "vote": "include"})
            .status_code
            == 201
        )
        assert (
            api(reviewer_b)
            .post(f"{base}/votes", {"stage": "title_abstract", "vote": "exclude"})
            .status_code
            == 201
        )
        statuses = together(
            api,
            [
                (
                    lead,
                    "post",
                    f"{base}/resolution",
                    {"stage": "title_abstract", "decision": "include"},
                ),
                (
                    reviewer_b,
                    "post",
                    f"{base}/votes",
                    {"stage": "title_abstract", "vote": "include"},
                ),
            ],
        )
        resolved = Resolution.objects.filter(reference=reference).exists()
        votes = dict(
            Vote.objects.filter(reference=reference).values_list("reviewer__username", "vote")
        )
        if resolved:  # the resolution came first: the re-vote found it decided
            assert statuses == [201, 409]
            assert votes == {"reviewer_a": "include", "reviewer_b": "exclude"}
        else:  # the re-vote came first: agreement, so nothing was left to resolve
            assert statuses == [409, 201]
            assert votes == {"reviewer_a": "include", "reviewer_b": "include"}


def test_reviewers_asking_at_once_get_no_more_than_two_to_a_reference(
    api, project, demo_imports
) -> None:
    reviewers = [
        MembershipFactory(project=project, user__username=f"reviewer_{i}").user for i in range(10)
    ]
    barrier = threading.Barrier(len(reviewers))
    handed: list[int] = []

    def ask(user: object) -> None:
        client = api(user)
        try:
            barrier.wait(timeout=10)
            handed.append(client.get("/projects/microcredentials/references/next").json()["id"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask, args=(user,)) for user in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(handed) == 10
    assert max(handed.count(reference) for reference in handed) == 2
    assert len(set(handed)) == 5
