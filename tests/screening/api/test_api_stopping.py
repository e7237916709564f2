"""The stopping aid's API: the figures, a sample, the stop and its reversal, for leads only."""

from __future__ import annotations

import pytest

from screening.models import AuditEvent, StoppingSample
from tests.screening.stopping_setup import ranked_with_settled_includes

pytestmark = pytest.mark.django_db

BASE = "/projects/microcredentials"
TA = "title_abstract"


@pytest.fixture
def ranked(project, reviewer_a, reviewer_b) -> list[int]:
    """30 references ranked on title and abstract, the first 20 settled includes."""
    return ranked_with_settled_includes(project, (reviewer_a, reviewer_b))


def _screen_sample(api, reviewers) -> None:
    sample = StoppingSample.objects.get(closed_at__isnull=True)
    for pk in sample.members.values_list("reference_id", flat=True):
        for who in reviewers:
            answer = api(who).post(
                f"{BASE}/references/{pk}/votes", {"stage": TA, "vote": "exclude"}
            )
            assert answer.status_code == 201, answer.content


def test_the_lead_draws_a_sample_stops_and_reverses(
    api, lead, reviewer_a, reviewer_b, ranked
) -> None:
    boss = api(lead)
    figures = boss.get(f"{BASE}/stopping", stage=TA).json()
    assert figures["unscreened"] == 10
    assert figures["includes"] == 20
    assert figures["proposed_sample_size"] == 8
    assert figures["sample"] is None
    assert figures["stop"] is None
    refused = boss.post(f"{BASE}/stopping/stop", {"stage": TA, "reason": "Enough"})
    assert refused.status_code == 409
    assert "sample" in refused.json()["detail"]

    drawn = boss.post(f"{BASE}/stopping/sample", {"stage": TA})
    assert drawn.status_code == 201, drawn.content
    assert drawn.json()["sample"]["size"] == 8
    assert drawn.json()["sample"]["screened"] == 0
    first = api(reviewer_a).get(f"{BASE}/references/next", stage=TA).json()["id"]
    sample = StoppingSample.objects.get()
    assert first == sample.members.order_by("position").first().reference_id

    _screen_sample(api, (reviewer_a, reviewer_b))
    settled = boss.get(f"{BASE}/stopping").json()["sample"]
    assert settled["screened"] == 8
    assert settled["evidence"]["stop_supported"] is True
    assert settled["evidence"]["in_words"].startswith("Recall reached is at least")

    no_reason = boss.post(f"{BASE}/stopping/stop", {"stage": TA, "reason": ""})
    assert no_reason.status_code == 400
    assert no_reason.json()["field"] == "reason"
    stopped = boss.post(f"{BASE}/stopping/stop", {"stage": TA, "reason": "Sample clean"})
    assert stopped.status_code == 201, stopped.content
    assert stopped.json()["stop"]["references"] == 2
    assert stopped.json()["stopped"] == 2
    assert stopped.json()["stop"]["method"].startswith("random-sample stopping test")
    prisma = api(lead).get(f"{BASE}/prisma").json()
    assert prisma["excluded_automatic"] == 2
    assert prisma["records_screened"] == 28
    assert api(reviewer_a).get(f"{BASE}/references/next", stage=TA).status_code == 204

    reversed_ = boss.post(f"{BASE}/stopping/reverse", {"stage": TA, "reason": "Too early"})
    assert reversed_.status_code == 200, reversed_.content
    assert reversed_.json()["stop"] is None
    assert api(lead).get(f"{BASE}/prisma").json()["excluded_automatic"] == 0
    assert api(reviewer_a).get(f"{BASE}/references/next", stage=TA).status_code == 200
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"stopping.sample_draw", "stopping.stop", "stopping.reverse"} <= verbs


def test_reviewers_cannot_see_nor_stop(api, reviewer_a, ranked) -> None:
    reviewer = api(reviewer_a)
    assert reviewer.get(f"{BASE}/stopping").status_code == 403
    assert reviewer.post(f"{BASE}/stopping/sample", {"stage": TA}).status_code == 403
    assert reviewer.post(f"{BASE}/stopping/set-aside", {"stage": TA}).status_code == 403
    assert reviewer.post(f"{BASE}/stopping/stop", {"stage": TA, "reason": "x"}).status_code == 403
    assert (
        reviewer.post(f"{BASE}/stopping/reverse", {"stage": TA, "reason": "x"}).status_code == 403
    )
    assert not StoppingSample.objects.exists()


def test_another_project_is_not_found(api, outsider, ranked) -> None:
    other = api(outsider)
    assert other.get(f"{BASE}/stopping").status_code == 404
    assert other.post(f"{BASE}/stopping/stop", {"stage": TA, "reason": "x"}).status_code == 404


def test_bad_stage_and_size_are_named(api, lead, ranked) -> None:
    boss = api(lead)
    assert boss.get(f"{BASE}/stopping", stage="full_text").json()["field"] == "stage"
    assert boss.get(f"{BASE}/stopping", stage="abstract").status_code == 400
    answer = boss.post(f"{BASE}/stopping/sample", {"stage": TA, "size": 500})
    assert answer.status_code == 400
    assert answer.json()["field"] == "size"


def test_the_lead_sets_a_sample_aside(api, lead, ranked) -> None:
    boss = api(lead)
    assert boss.post(f"{BASE}/stopping/set-aside", {"stage": TA}).status_code == 409
    assert boss.post(f"{BASE}/stopping/sample", {"stage": TA, "size": 3}).status_code == 201
    answer = boss.post(f"{BASE}/stopping/set-aside", {"stage": TA})
    assert answer.status_code == 200
    assert answer.json()["sample"] is None
    assert StoppingSample.objects.get().closed_at is not None
    assert AuditEvent.objects.filter(verb="stopping.sample_set_aside").count() == 1
