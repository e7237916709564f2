"""Vote.order records the order the reviewer actually met the reference in: random in an open
pilot round, ranked once the ranked stage has a ranking, import otherwise (a ranked stage with
no ranking yet is served in import order, so its votes say import)."""

from __future__ import annotations

import pytest

from screening.models import AuditEvent, Project, Reference, Vote
from screening.services import pilots, ranking
from screening.services.screening import vote_cast, vote_order
from screening.vocabulary import Order

pytestmark = pytest.mark.django_db

TA = "title_abstract"
FT = "full_text"


def _references(project: Project, n: int) -> list[int]:
    return [
        Reference.objects.create(
            project=project, title=f"Microcredentials study {i}", abstract="Continuing education."
        ).pk
        for i in range(n)
    ]


def _vote(project: Project, reference: int, reviewer: object, vote: str = "include") -> Vote:
    cast, _ = vote_cast(
        reference=Reference(pk=reference, project_id=project.pk),
        reviewer=reviewer,
        stage=TA,
        vote=vote,
    )
    return cast


def test_votes_in_import_order_record_import(project, reviewer_a) -> None:
    first, _ = _references(project, 2)
    assert _vote(project, first, reviewer_a).order == Order.IMPORT


def test_a_ranked_stage_without_a_ranking_yet_records_import(project, lead, reviewer_a) -> None:
    first, second = _references(project, 2)
    # The first retrain is queued, not run (no commit in this test): the queue serves import order.
    ranking.ranking_order_set(project=project, stage=TA, order="ranked", user=lead)
    project.refresh_from_db()
    assert project.order_at(TA) == Order.RANKED
    assert _vote(project, first, reviewer_a).order == Order.IMPORT
    ranking.ranking_retrain(project=project, stage=TA)
    assert _vote(project, second, reviewer_a).order == Order.RANKED


def test_votes_in_a_ranked_stage_record_ranked_and_the_audit_says_so(
    project, lead, reviewer_a
) -> None:
    (first,) = _references(project, 1)
    project.title_abstract_order = Order.RANKED
    project.save()
    ranking.ranking_retrain(project=project, stage=TA)
    vote = _vote(project, first, reviewer_a)
    assert vote.order == Order.RANKED
    event = AuditEvent.objects.get(verb="vote.cast", object_id=str(vote.pk))
    assert event.after["order"] == "ranked"


def test_votes_on_an_open_pilot_s_references_record_random(project, lead, reviewer_a) -> None:
    ids = _references(project, 6)
    project.title_abstract_order = Order.RANKED
    project.save()
    ranking.ranking_retrain(project=project, stage=TA)
    pilot = pilots.pilot_start(project=project, size=3, user=lead)
    drawn = list(Reference.objects.filter(pilot=pilot).values_list("id", flat=True))
    assert _vote(project, drawn[0], reviewer_a).order == Order.RANDOM
    # Not drawn: met in the stage's order (only by opening it directly while the pilot is open).
    other = next(pk for pk in ids if pk not in drawn)
    assert _vote(project, other, reviewer_a).order == Order.RANKED
    # Closed, the pilot's remaining references are served in the stage's order again.
    pilots.pilot_close(project=project, user=lead)
    assert _vote(project, drawn[1], reviewer_a).order == Order.RANKED


def test_a_replaced_vote_keeps_the_order_it_was_first_cast_in(project, lead, reviewer_a) -> None:
    (first,) = _references(project, 1)
    _vote(project, first, reviewer_a, "include")
    project.title_abstract_order = Order.RANKED
    project.save()
    ranking.ranking_retrain(project=project, stage=TA)
    assert _vote(project, first, reviewer_a, "exclude").order == Order.IMPORT


def test_full_text_records_its_own_stage_s_order(project) -> None:
    (first,) = _references(project, 1)
    reference = Reference.objects.get(pk=first)
    project.title_abstract_order = Order.RANKED
    project.save()
    ranking.ranking_retrain(project=project, stage=TA)
    assert vote_order(project, TA, reference) == Order.RANKED
    assert vote_order(project, FT, reference) == Order.IMPORT
    project.full_text_order = Order.RANKED
    assert vote_order(project, FT, reference) == Order.IMPORT  # no full-text ranking yet
