"""Ranking a stage: learnt from settled decisions only, a cold start from the criteria, a failed
retrain that leaves the previous order, and the order each vote was cast in."""

from __future__ import annotations

import pytest

from screening.models import (
    AuditEvent,
    Job,
    JobKind,
    JobStatus,
    Membership,
    Project,
    RankedReference,
    Reference,
    Vote,
)
from screening.selectors.queue import next_reference
from screening.services import ranking
from screening.services.screening import vote_cast
from tests.factories import MembershipFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TA = "title_abstract"

# Papers on two subjects: the review seeks microcredentials in continuing education.
SOUGHT = [
    "Microcredentials for nurses in continuing professional education",
    "Digital badges and microcredentials in continuing medical education",
    "Stackable microcredentials for pharmacists' continuing education",
    "Continuing education of physicians through online microcredentials",
    "Microcredential courses in continuing education for allied health",
]
OTHER = [
    "Soil bacteria and nitrogen fixation in wheat fields",
    "Groundwater nitrate in agricultural catchments",
    "Wheat yield under drought stress and nitrogen supply",
    "Bacteria of the rhizosphere in maize and wheat",
    "Fertiliser nitrogen losses from drained fields",
]


def _references(project: Project, titles: list[str]) -> list[int]:
    return [
        Reference.objects.create(project=project, title=title, abstract=f"{title}. A study.").pk
        for title in titles
    ]


def _vote(project: Project, reference: int, reviewer: object, vote: str) -> None:
    vote_cast(
        reference=Reference(pk=reference, project_id=project.pk),
        reviewer=reviewer,
        stage=TA,
        vote=vote,
    )


def _order(found: ranking.Ranking) -> list[int]:
    return list(found.positions.order_by("position").values_list("reference_id", flat=True))


def test_the_order_never_depends_on_another_reviewer_s_open_votes(reviewer_a, reviewer_b) -> None:
    titles = [t for pair in zip(OTHER, SOUGHT, strict=True) for t in pair]
    orders = []
    for slug, open_votes in (("first", "include"), ("second", "exclude")):
        project = ProjectFactory(slug=slug)
        for user in (reviewer_a, reviewer_b):
            MembershipFactory(project=project, user=user)
        ids = _references(project, titles)
        # Settled: both agree on a sought paper (include) and on another (exclude).
        for who in (reviewer_a, reviewer_b):
            _vote(project, ids[1], who, "include")
            _vote(project, ids[0], who, "exclude")
        # Open: reviewer B alone, differently in the two projects.
        for reference in ids[2:6]:
            _vote(project, reference, reviewer_b, open_votes)
        found = ranking.ranking_retrain(project=project, stage=TA)
        assert (found.includes, found.excludes) == (1, 1)
        orders.append([ids.index(pk) for pk in _order(found)])
    assert orders[0] == orders[1]
    # The sought papers still to screen come first.
    assert set(orders[0][:4]) == {3, 5, 7, 9}


def test_cold_start_ranks_the_references_matching_the_criteria_first(project) -> None:
    project.eligibility_criteria = "Microcredentials in continuing education of health workers"
    project.include_terms = 'microcredential*\n"continuing education"'
    project.save()
    ids = _references(project, [t for pair in zip(OTHER, SOUGHT, strict=True) for t in pair])
    found = ranking.ranking_retrain(project=project, stage=TA)
    assert found.model == "similarity"
    assert (found.includes, found.excludes) == (0, 0)
    assert set(_order(found)[:5]) == set(ids[1::2])


def test_cold_start_without_criteria_keeps_import_order(project) -> None:
    ids = _references(project, OTHER + SOUGHT)
    found = ranking.ranking_retrain(project=project, stage=TA)
    assert found.model == "import"
    assert _order(found) == ids
    assert set(found.positions.values_list("score", flat=True)) == {None}


def test_a_failed_retrain_leaves_the_previous_ranking_in_force(
    project, lead, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    project.eligibility_criteria = "microcredentials continuing education"
    project.save()
    _references(project, OTHER + SOUGHT)
    before = ranking.ranking_retrain(project=project, stage=TA)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("/secret/path: the scorer broke")

    monkeypatch.setattr(ranking, "ranking_scores", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = ranking.ranking_retrain_start(project=project, stage=TA, user=lead)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == (
        "Stopped while scoring the references: an unexpected error (RuntimeError; the server's "
        "log has the details). The previous ranking stays in force: the queue's order is as it was."
    )
    assert "/secret" not in job.error
    assert ranking.ranking_current(project, TA) == before


def test_a_retrain_as_a_job_stores_a_new_ranking_the_queue_serves(
    project, lead, reviewer_a, django_capture_on_commit_callbacks
) -> None:
    project.eligibility_criteria = "microcredentials continuing education"
    project.save()
    ids = _references(project, OTHER + SOUGHT)
    with django_capture_on_commit_callbacks(execute=True):
        ranking.ranking_order_set(project=project, stage=TA, order="ranked", user=lead)
    job = Job.objects.get(project=project, kind=JobKind.RANK)
    assert job.status == JobStatus.DONE
    current = ranking.ranking_current(project, TA)
    assert job.result["ranking"] == current.pk
    project.refresh_from_db()
    assert next_reference(project, reviewer_a, TA) == _order(current)[0]
    assert next_reference(project, reviewer_a, TA) in ids[5:]
    event = AuditEvent.objects.get(verb="ranking.order_set")
    assert (event.before["order"], event.after["order"]) == ("import", "ranked")


def test_references_imported_after_the_ranking_come_after_it_in_import_order(
    project, lead, reviewer_a
) -> None:
    project.eligibility_criteria = "microcredentials continuing education"
    project.title_abstract_order = "ranked"
    project.save()
    _references(project, OTHER + SOUGHT)
    ranked = _order(ranking.ranking_retrain(project=project, stage=TA))
    later = _references(project, ["Microcredentials again, imported later"])
    seen = []
    while (pk := next_reference(project, reviewer_a, TA)) is not None:
        seen.append(pk)
        _vote(project, pk, reviewer_a, "exclude")
    assert seen == ranked + later


def test_the_vote_records_the_order_it_was_cast_in(project, lead, reviewer_a) -> None:
    first, second = _references(project, SOUGHT[:2])
    _vote(project, first, reviewer_a, "include")
    ranking.ranking_order_set(project=project, stage=TA, order="ranked", user=lead)
    ranking.ranking_retrain(project=project, stage=TA)  # ranked, once a ranking exists
    _vote(project, second, reviewer_a, "include")
    votes = dict(Vote.objects.values_list("reference_id", "order"))
    assert votes == {first: "import", second: "ranked"}
    audited = {
        int(e.object_id): e.after["order"] for e in AuditEvent.objects.filter(verb="vote.cast")
    }
    assert audited == {Vote.objects.get(reference_id=r).pk: o for r, o in votes.items()}


def test_a_retrain_starts_after_every_n_settled_decisions_once(
    project, lead, reviewer_a, reviewer_b
) -> None:
    project.ranking_retrain_every = 2
    project.title_abstract_order = "ranked"
    project.save()
    ids = _references(project, SOUGHT)
    jobs = Job.objects.filter(project=project, kind=JobKind.RANK)
    for reference in ids[:3]:
        _vote(project, reference, reviewer_a, "include")
    assert not jobs.exists()  # open votes settle nothing
    _vote(project, ids[0], reviewer_b, "include")
    assert not jobs.exists()
    _vote(project, ids[1], reviewer_b, "include")
    assert jobs.count() == 1
    # Two more settled while it is still queued (no commit in a test): still one job.
    _vote(project, ids[2], reviewer_b, "include")
    _vote(project, ids[3], reviewer_a, "exclude")
    _vote(project, ids[3], reviewer_b, "exclude")
    assert jobs.count() == 1


def test_the_lead_s_order_is_import_or_ranked(project, lead) -> None:
    from screening.errors import InvalidInput

    for stage, order in ((TA, "random"), (TA, "best"), ("abstract", "ranked")):
        with pytest.raises(InvalidInput):
            ranking.ranking_order_set(project=project, stage=stage, order=order, user=lead)
    assert Membership.objects.filter(project=project).count() == 1


def test_full_text_is_ranked_over_the_references_that_reached_it(project, reviewer_a) -> None:
    from screening.models import ReferenceSource, Report

    FT = "full_text"
    project.eligibility_criteria = "microcredentials continuing education"
    project.full_text_order = "ranked"
    project.save()
    titles = [t for pair in zip(OTHER, SOUGHT, strict=True) for t in pair]
    ids = []
    for title in titles:
        # Found by other methods: straight to full text, once its report is here.
        reference = Reference.objects.create(
            project=project, title=title, abstract=title, source=ReferenceSource.OTHER
        )
        Report.objects.create(
            project=project, reference=reference, file=f"reports/{reference.pk}.pdf"
        )
        ids.append(reference.pk)
    _references(project, ["Microcredentials screened on title only"])  # not at full text
    found = ranking.ranking_retrain(project=project, stage=FT)
    assert sorted(_order(found)) == ids
    assert set(_order(found)[:5]) == set(ids[1::2])
    assert next_reference(project, reviewer_a, FT) == _order(found)[0]


def test_a_deleted_reference_or_project_takes_its_ranked_positions_with_it(project) -> None:
    # The positions' keys are not database constraints (a retrain's write is half as long
    # without them), so the ORM's cascade is what keeps no position pointing at nothing.
    project.eligibility_criteria = "microcredentials in continuing education"
    project.save()
    ids = _references(project, SOUGHT + OTHER)
    found = ranking.ranking_retrain(project=project, stage=TA)
    assert sorted(_order(found)) == sorted(ids)
    Reference.objects.filter(pk=ids[0]).delete()
    assert sorted(_order(found)) == sorted(ids[1:])
    positions = RankedReference.objects.filter(ranking=found)
    assert positions.count() == len(ids) - 1
    project.delete()
    assert not positions.exists()
