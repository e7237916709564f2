"""The lead's stopping aid: a random sample of the unscreened served first, a stop taken only on
its evidence and with a reason, counted in PRISMA, and reversed."""

from __future__ import annotations

import pytest

from screening.errors import Conflict, InvalidInput, NotAllowed
from screening.models import (
    AuditEvent,
    Project,
    Reference,
    ScreeningStop,
    StoppedReference,
    StoppingSample,
    Vote,
)
from screening.selectors import stopping as reads
from screening.selectors.prisma_counts import prisma_counts
from screening.selectors.queue import next_reference
from screening.services import stopping
from screening.services.screening import vote_cast
from tests.screening.stopping_setup import ranked_with_settled_includes

pytestmark = pytest.mark.django_db

TA = "title_abstract"


@pytest.fixture
def ranked(project, lead, reviewer_a, reviewer_b) -> list[int]:
    """30 references on title and abstract, ranked; the first 20 settled as includes by two
    reviewers: 10 left, and a sample of 8 with no include in it can show recall >= 0.95."""
    return ranked_with_settled_includes(project, (reviewer_a, reviewer_b))


def _settle(project: Project, reference: int, vote: str, *reviewers: object) -> None:
    for who in reviewers:
        vote_cast(
            reference=Reference(pk=reference, project_id=project.pk),
            reviewer=who,
            stage=TA,
            vote=vote,
        )


def _sample_ids(sample: StoppingSample) -> list[int]:
    return list(sample.members.order_by("position").values_list("reference_id", flat=True))


def test_the_sample_is_drawn_from_the_unscreened_at_the_proposed_size(
    project, lead, ranked
) -> None:
    figures = reads.stopping_figures(project)
    assert (figures.unscreened, figures.includes, figures.proposed_size) == (10, 20, 8)
    sample = stopping.stopping_sample_draw(project=project, stage=TA, user=lead)
    assert (sample.remaining, sample.screened_includes, sample.number) == (10, 20, 1)
    drawn = _sample_ids(sample)
    assert len(drawn) == 8
    assert set(drawn) <= set(ranked[20:])
    event = AuditEvent.objects.get(verb="stopping.sample_draw")
    assert event.after["seed"] == sample.seed
    assert event.after["references"] == drawn


def test_a_new_sample_closes_the_open_one_and_spends_alpha(project, lead, ranked) -> None:
    first = stopping.stopping_sample_draw(project=project, stage=TA, user=lead, size=3)
    second = stopping.stopping_sample_draw(project=project, stage=TA, user=lead, size=3)
    first.refresh_from_db()
    assert first.closed_at is not None
    assert second.closed_at is None
    assert second.number == 2
    assert reads.sample_progress(second).level < reads.sample_progress(first).level
    assert AuditEvent.objects.filter(verb="stopping.sample_close").count() == 1


def test_a_sample_size_beyond_the_unscreened_is_refused(project, lead, ranked) -> None:
    with pytest.raises(InvalidInput) as refused:
        stopping.stopping_sample_draw(project=project, stage=TA, user=lead, size=11)
    assert refused.value.extra["field"] == "size"


def test_full_text_has_no_stopping_aid(project, lead, ranked) -> None:
    with pytest.raises(InvalidInput) as refused:
        stopping.stopping_sample_draw(project=project, stage="full_text", user=lead)
    assert refused.value.extra["field"] == "stage"


def test_a_sample_needs_a_ranked_stage(project, lead, ranked) -> None:
    Project.objects.filter(pk=project.pk).update(title_abstract_order="import")
    project.refresh_from_db()
    with pytest.raises(Conflict):
        stopping.stopping_sample_draw(project=project, stage=TA, user=lead)


def test_the_sample_s_references_are_served_first_in_its_order(
    project, lead, reviewer_a, reviewer_b, ranked
) -> None:
    sample = stopping.stopping_sample_draw(project=project, stage=TA, user=lead, size=4)
    drawn = _sample_ids(sample)
    served = []
    for _ in range(6):
        pk = next_reference(project, reviewer_a, TA)
        served.append(pk)
        _settle(project, pk, "exclude", reviewer_a)
    assert served[:4] == drawn
    assert not set(served[4:]) & set(drawn)
    # The votes on the sample record a random order; the rest the queue's (import order here:
    # the ranked stage has no ranking yet, services/screening.vote_order).
    orders = dict(
        Vote.objects.filter(reviewer=reviewer_a, stage=TA).values_list("reference", "order")
    )
    assert [orders[pk] for pk in served] == ["random"] * 4 + ["import"] * 2
    assert reads.vote_order_for(project, TA, drawn[0]) == "random"
    assert reads.vote_order_for(project, TA, served[5]) == "ranked"


def test_a_stop_is_refused_without_a_settled_sample(project, lead, reviewer_a, ranked) -> None:
    with pytest.raises(Conflict) as refused:
        stopping.screening_stop(project=project, stage=TA, user=lead, reason="Enough")
    assert "draw a random sample" in refused.value.message
    sample = stopping.stopping_sample_draw(project=project, stage=TA, user=lead)
    _settle(project, _sample_ids(sample)[0], "exclude", reviewer_a)  # one vote: not settled
    with pytest.raises(Conflict) as refused:
        stopping.screening_stop(project=project, stage=TA, user=lead, reason="Enough")
    assert "0 of the 8" in refused.value.message
    assert not ScreeningStop.objects.exists()


def test_a_stop_needs_a_reason_and_a_lead(project, lead, reviewer_a, ranked) -> None:
    with pytest.raises(InvalidInput) as refused:
        stopping.screening_stop(project=project, stage=TA, user=lead, reason="  ")
    assert refused.value.extra["field"] == "reason"
    with pytest.raises(NotAllowed):
        stopping.screening_stop(project=project, stage=TA, user=reviewer_a, reason="Enough")
    with pytest.raises(NotAllowed):
        stopping.stopping_sample_draw(project=project, stage=TA, user=reviewer_a)


def test_the_stop_takes_the_unscreened_out_counts_them_in_prisma_and_is_reversed(
    project, lead, reviewer_a, reviewer_b, ranked
) -> None:
    before = prisma_counts(project)
    assert (before.records_screened, before.excluded_automatic) == (30, 0)
    sample = stopping.stopping_sample_draw(project=project, stage=TA, user=lead)
    drawn = _sample_ids(sample)
    for pk in drawn:
        _settle(project, pk, "exclude", reviewer_a, reviewer_b)
    rest = [pk for pk in ranked[20:] if pk not in drawn]
    # One of the two left has a vote, not settled: it stays in the queue to be finished.
    _settle(project, rest[0], "exclude", reviewer_a)
    figures = reads.stopping_figures(project)
    evidence = figures.sample.evidence
    assert evidence is not None
    assert evidence.stop_supported
    assert evidence.p_value < figures.sample.level

    stop = stopping.screening_stop(
        project=project, stage=TA, user=lead, reason="The sample found no include"
    )
    assert set(StoppedReference.objects.values_list("reference_id", flat=True)) == {rest[1]}
    assert stop.method.startswith("random-sample stopping test (Callaghan & Müller-Hansen 2020)")
    assert stop.evidence["stop_supported"] is True
    assert stop.evidence["stopped"] == 1
    assert stop.evidence["sample_size"] == 8
    assert stop.evidence["remaining"] == 10
    sample.refresh_from_db()
    assert sample.closed_at is not None
    after = prisma_counts(project)
    assert (after.records_screened, after.excluded_automatic) == (29, 1)
    assert after.duplicates == before.duplicates
    # The stopped reference is never handed out; the one with a vote still is, to reviewer B.
    assert next_reference(project, reviewer_a, TA) is None
    assert next_reference(project, reviewer_b, TA) == rest[0]
    event = AuditEvent.objects.get(verb="stopping.stop")
    assert event.after["reason"] == "The sample found no include"
    assert event.after["references"] == 1

    with pytest.raises(InvalidInput):
        stopping.screening_stop_reverse(project=project, stage=TA, user=lead, reason="")
    stopping.screening_stop_reverse(
        project=project, stage=TA, user=lead, reason="A reviewer found a missed include"
    )
    stop.refresh_from_db()
    assert stop.reversed_at is not None
    assert stop.reversal_reason.startswith("A reviewer")
    assert StoppedReference.objects.filter(stop=stop).count() == 1  # the history stays
    back = prisma_counts(project)
    assert (back.records_screened, back.excluded_automatic) == (30, 0)
    assert next_reference(project, reviewer_a, TA) == rest[1]
    assert AuditEvent.objects.filter(verb="stopping.reverse").count() == 1
    with pytest.raises(Conflict):
        stopping.screening_stop_reverse(project=project, stage=TA, user=lead, reason="Again")


def test_a_stop_on_a_sample_that_does_not_support_it_keeps_that_said(
    project, lead, reviewer_a, reviewer_b, ranked
) -> None:
    sample = stopping.stopping_sample_draw(project=project, stage=TA, user=lead, size=2)
    drawn = _sample_ids(sample)
    _settle(project, drawn[0], "include", reviewer_a, reviewer_b)
    _settle(project, drawn[1], "exclude", reviewer_a, reviewer_b)
    progress = reads.sample_progress(sample)
    assert progress.complete
    assert not progress.can_still_support
    stop = stopping.screening_stop(project=project, stage=TA, user=lead, reason="Out of time")
    assert stop.evidence["stop_supported"] is False
    assert "not supported" in stop.evidence["summary"]
    assert prisma_counts(project).excluded_automatic == 8


def test_a_stopped_reference_voted_on_later_counts_as_screened(
    project, lead, reviewer_a, reviewer_b, ranked
) -> None:
    sample = stopping.stopping_sample_draw(project=project, stage=TA, user=lead, size=9)
    for pk in _sample_ids(sample):
        _settle(project, pk, "exclude", reviewer_a, reviewer_b)
    stopping.screening_stop(project=project, stage=TA, user=lead, reason="Sample clean")
    stopped = StoppedReference.objects.get().reference_id
    _settle(project, stopped, "include", reviewer_a)  # by its id, through the API
    counts = prisma_counts(project)
    assert (counts.records_screened, counts.excluded_automatic) == (30, 0)
    # Voted on, it is back in the queue to be finished by a second reviewer.
    assert next_reference(project, reviewer_b, TA) == stopped
    assert next_reference(project, reviewer_a, TA) is None


def test_setting_a_sample_aside_returns_its_references_to_the_ranked_queue(
    project, lead, reviewer_a, ranked
) -> None:
    sample = stopping.stopping_sample_draw(project=project, stage=TA, user=lead, size=3)
    stopping.stopping_sample_set_aside(project=project, stage=TA, user=lead)
    sample.refresh_from_db()
    assert sample.closed_at is not None
    assert next_reference(project, reviewer_a, TA) == ranked[20]  # ranked (here: import) order
    assert reads.vote_order_for(project, TA, _sample_ids(sample)[0]) == "ranked"
    assert AuditEvent.objects.filter(verb="stopping.sample_set_aside").count() == 1
    with pytest.raises(Conflict):
        stopping.stopping_sample_set_aside(project=project, stage=TA, user=lead)


def test_a_sample_is_proposed_after_5_percent_without_an_include(
    project, reviewer_a, reviewer_b, ranked
) -> None:
    figures = reads.stopping_figures(project)
    assert (figures.quiet_needed, figures.since_last_include) == (2, 0)
    assert not figures.sample_proposed
    _settle(project, ranked[20], "exclude", reviewer_a, reviewer_b)
    assert not reads.stopping_figures(project).sample_proposed
    _settle(project, ranked[21], "exclude", reviewer_a, reviewer_b)
    figures = reads.stopping_figures(project)
    assert figures.since_last_include == 2
    assert figures.sample_proposed
    assert figures.proposed_size == reads.rule.proposed_sample_size(
        8, 20, alpha=reads.rule.sample_alpha(1)
    )
