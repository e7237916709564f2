"""The lead's seed references: marked and unmarked (audited, each undoing the other), pulling
references like them up in the cold start, and never a training label unless settled; and the
retrain interval the lead sets."""

from __future__ import annotations

import pytest

from screening.errors import Conflict, InvalidInput, NotFound
from screening.models import AuditEvent, Project, RankingSeed, Reference
from screening.services import ranking
from screening.services.ranking_seeds import (
    ranking_retrain_every_set,
    ranking_seed_mark,
    ranking_seed_texts,
    ranking_seed_unmark,
)
from screening.services.screening import vote_cast
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

TA = "title_abstract"

# Two subjects and no criteria: without a seed the cold start has nothing to go by.
SOUGHT = [
    "Microcredentials for nurses in continuing professional education",
    "Digital badges and microcredentials in continuing medical education",
    "Stackable microcredentials for pharmacists continuing education",
    "Continuing education of physicians through online microcredentials",
]
OTHER = [
    "Soil bacteria and nitrogen fixation in wheat fields",
    "Groundwater nitrate in agricultural catchments",
    "Wheat yield under drought stress and nitrogen supply",
    "Bacteria of the rhizosphere in maize and wheat",
]


def _references(project: Project, titles: list[str]) -> list[int]:
    return [
        Reference.objects.create(project=project, title=title, abstract=f"{title}. A study.").pk
        for title in titles
    ]


def _order(found: ranking.Ranking) -> list[int]:
    return list(found.positions.order_by("position").values_list("reference_id", flat=True))


def test_a_seed_pulls_references_like_it_up_before_any_settled_include(project, lead) -> None:
    ids = _references(project, OTHER + SOUGHT)
    assert ranking.ranking_retrain(project=project, stage=TA).model == "import"
    ranking_seed_mark(project=project, reference_id=ids[-1], user=lead)
    found = ranking.ranking_retrain(project=project, stage=TA)
    assert found.model == "similarity"
    assert (found.includes, found.excludes) == (0, 0)  # a seed is no label
    order = _order(found)
    assert order[0] == ids[-1]  # the seed, still to screen, first
    assert set(order[:4]) == set(ids[4:])


def test_seeds_join_the_criteria_in_the_cold_start(project, lead) -> None:
    project.eligibility_criteria = "Nitrogen in wheat"
    project.save()
    ids = _references(project, OTHER + SOUGHT)
    ranking_seed_mark(project=project, reference_id=ids[4], user=lead)
    order = _order(ranking.ranking_retrain(project=project, stage=TA))
    assert order[0] == ids[4]
    # Both descriptions count: the wheat papers and the seed's likes share the top of the order.
    assert {ids[0], ids[2]} <= set(order[:5])


def test_a_seed_is_an_include_for_training_only_once_it_is_settled_as_one(
    project, lead, reviewer_a, reviewer_b
) -> None:
    ids = _references(project, OTHER + SOUGHT)
    for reference in (ids[4], ids[0]):
        ranking_seed_mark(project=project, reference_id=reference, user=lead)

    def vote(reference: int, who: object, choice: str) -> None:
        vote_cast(
            reference=Reference(pk=reference, project_id=project.pk),
            reviewer=who,
            stage=TA,
            vote=choice,
        )

    # One settled exclude, and an open include on a seed: still no include to learn from.
    vote(ids[1], reviewer_a, "exclude")
    vote(ids[1], reviewer_b, "exclude")
    vote(ids[4], reviewer_a, "include")
    found = ranking.ranking_retrain(project=project, stage=TA)
    assert (found.includes, found.excludes, found.model) == (0, 1, "similarity")
    # Settled as excluded, the other seed is an exclude like any other reference.
    vote(ids[0], reviewer_a, "exclude")
    vote(ids[0], reviewer_b, "exclude")
    found = ranking.ranking_retrain(project=project, stage=TA)
    assert (found.includes, found.excludes) == (0, 2)
    # Settled as included, the seed is an include: the model takes over.
    vote(ids[4], reviewer_b, "include")
    found = ranking.ranking_retrain(project=project, stage=TA)
    assert (found.includes, found.excludes, found.model) == (1, 2, "logreg")


def test_marking_and_unmarking_are_audited_and_undo_each_other(project, lead) -> None:
    (pk,) = _references(project, SOUGHT[:1])
    seed, created = ranking_seed_mark(project=project, reference_id=pk, user=lead)
    assert created
    assert seed.marked_by == lead
    again, created = ranking_seed_mark(project=project, reference_id=pk, user=lead)
    assert (again.pk, created) == (seed.pk, False)
    assert ranking_seed_texts(project) == [f"{SOUGHT[0]} {SOUGHT[0]}. A study."]
    assert ranking_seed_unmark(project=project, reference_id=pk, user=lead) is True
    assert ranking_seed_unmark(project=project, reference_id=pk, user=lead) is False
    assert not RankingSeed.objects.exists()
    assert ranking_seed_texts(project) == []
    events = AuditEvent.objects.filter(verb__startswith="ranking.seed").order_by("id")
    assert [(e.verb, e.actor, e.after, e.before) for e in events] == [
        ("ranking.seed_mark", lead, {"reference": pk, "title": SOUGHT[0]}, {}),
        ("ranking.seed_unmark", lead, {}, {"reference": pk, "title": SOUGHT[0]}),
    ]
    assert Reference.objects.filter(pk=pk).exists()


def test_a_reference_of_another_project_or_merged_away_is_refused(project, lead) -> None:
    other = ProjectFactory(slug="another")
    (theirs,) = _references(other, SOUGHT[:1])
    first, second = _references(project, SOUGHT[1:3])
    with pytest.raises(NotFound):
        ranking_seed_mark(project=project, reference_id=theirs, user=lead)
    with pytest.raises(NotFound):
        ranking_seed_unmark(project=project, reference_id=theirs, user=lead)
    Reference.objects.filter(pk=first).update(merged_into_id=second)
    with pytest.raises(Conflict) as refused:
        ranking_seed_mark(project=project, reference_id=first, user=lead)
    assert refused.value.extra["field"] == "reference"
    assert not RankingSeed.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="ranking.seed").exists()


def test_the_retrain_interval_is_a_whole_number_from_1_to_10000(project, lead) -> None:
    for bad in ("0", "10001", "-3", "ten", "", "2.5", None):
        with pytest.raises(InvalidInput) as refused:
            ranking_retrain_every_set(project=project, every=bad, user=lead)
        assert refused.value.extra["field"] == "ranking_retrain_every"
    project.refresh_from_db()
    assert project.ranking_retrain_every == 25
    assert not AuditEvent.objects.filter(verb="ranking.retrain_every_set").exists()
    for good in (1, "10000", " 50 "):
        ranking_retrain_every_set(project=project, every=good, user=lead)
    project.refresh_from_db()
    assert project.ranking_retrain_every == 50
    ranking_retrain_every_set(project=project, every=50, user=lead)  # unchanged: no event
    events = AuditEvent.objects.filter(verb="ranking.retrain_every_set").order_by("id")
    assert [(e.before, e.after) for e in events] == [
        ({"ranking_retrain_every": 25}, {"ranking_retrain_every": 1}),
        ({"ranking_retrain_every": 1}, {"ranking_retrain_every": 10000}),
        ({"ranking_retrain_every": 10000}, {"ranking_retrain_every": 50}),
    ]
