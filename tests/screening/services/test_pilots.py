"""Pilot rounds and per-reviewer progress: a random sample screened first, its kappa, then on."""

from __future__ import annotations

import pytest

from screening.models import AuditEvent, Pilot, Reference

pytestmark = pytest.mark.django_db

BASE = "/projects/microcredentials"
TA = "title_abstract"


def _drain(client) -> list[int]:
    """Ask for the next reference and include it until there is none: the references handed."""
    handed = []
    while (answer := client.get(f"{BASE}/references/next", stage=TA)).status_code == 200:
        reference = answer.json()["id"]
        assert reference not in handed
        handed.append(reference)
        vote = client.post(f"{BASE}/references/{reference}/votes", {"stage": TA, "vote": "include"})
        assert vote.status_code == 201, vote.content
    assert answer.status_code == 204
    return handed


def _start(client, size: int) -> dict:
    answer = client.post(f"{BASE}/pilot", {"size": size})
    assert answer.status_code == 201, answer.content
    return answer.json()


def test_while_a_pilot_is_open_next_hands_out_only_its_references(
    api, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    pilot = _start(api(lead), 4)
    assert (pilot["size"], pilot["open"], pilot["screened"]) == (4, True, 0)
    sample = set(Reference.objects.filter(pilot_id=pilot["id"]).values_list("id", flat=True))
    assert len(sample) == 4
    assert set(_drain(api(reviewer_a))) == sample
    assert set(_drain(api(reviewer_b))) == sample
    assert api(lead).get(f"{BASE}/pilot").json()["screened"] == 4
    # Closed, the pilot lets screening go on over the other eighteen (demo_imports: 22, no dedup).
    closed = api(lead).post(f"{BASE}/pilot/close")
    assert (closed.status_code, closed.json()["open"]) == (200, False)
    rest = _drain(api(reviewer_a))
    assert len(rest) == 22 - 4
    assert not sample & set(rest)


def test_the_pilot_s_agreement_is_computed_over_its_sample_only(
    api, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    boss, a, b = api(lead), api(reviewer_a), api(reviewer_b)
    # A vote outside the pilot, before it: a disagreement that must not count in the pilot.
    outside = boss.get(f"{BASE}/references", limit=1).json()["items"][0]["id"]
    for client, vote in ((a, "include"), (b, "exclude")):
        client.post(f"{BASE}/references/{outside}/votes", {"stage": TA, "vote": vote})
    pilot = _start(boss, 4)
    sample = sorted(Reference.objects.filter(pilot_id=pilot["id"]).values_list("id", flat=True))
    assert outside not in sample  # drawn from references nobody has screened
    # A: I I E E; B: I E E E -> 3 of 4 agree; p_e = .5 x .25 + .5 x .75 = .5; kappa = .5.
    for reference, va, vb in zip(sample, "IIEE", "IEEE", strict=True):
        for client, v in ((a, va), (b, vb)):
            vote = "include" if v == "I" else "exclude"
            answer = client.post(
                f"{BASE}/references/{reference}/votes", {"stage": TA, "vote": vote}
            )
            assert answer.status_code == 201
    seen = boss.get(f"{BASE}/pilot").json()
    assert seen["screened"] == 4
    assert seen["agreement"] == {
        "references": 4,
        "percent_agreement": 75.0,
        "cohen_kappa": 0.5,
        "maybe_counts_as": "include",
    }
    assert seen["votes_per_reviewer"] == {"reviewer_a": 4, "reviewer_b": 4}
    # A reviewer sees neither how many have their two votes (it would tell whether the other
    # reviewer voted yet) nor the agreement (it would tell how).
    mine = a.get(f"{BASE}/pilot").json()
    assert (mine["screened"], mine["agreement"], mine["votes_per_reviewer"]) == (None, None, None)
    assert mine["size"] == 4
    boss.post(f"{BASE}/pilot/close")
    closing = AuditEvent.objects.get(verb="pilot.close")
    assert (closing.after["screened"], closing.after["cohen_kappa"]) == (4, 0.5)


def test_in_a_rapid_review_the_pilot_s_references_need_two_votes(
    api, project, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    project.review_type, project.reviewers_per_reference, project.second_reviewer_share = (
        "rapid",
        1,
        0,
    )
    project.save()
    sample = set(
        Reference.objects.filter(pilot_id=_start(api(lead), 3)["id"]).values_list("id", flat=True)
    )
    assert set(_drain(api(reviewer_a))) == sample
    # One vote decides a reference of this rapid review, but not one of its pilot.
    assert set(_drain(api(reviewer_b))) == sample
    assert api(lead).get(f"{BASE}/pilot").json()["agreement"]["references"] == 3
    api(lead).post(f"{BASE}/pilot/close")
    # After the pilot: one vote each, so A and B share the other nineteen between them.
    assert len(_drain(api(reviewer_a))) + len(_drain(api(reviewer_b))) == 19


def test_refused_pilots(api, demo_imports, lead, reviewer_a) -> None:
    boss = api(lead)
    assert boss.post(f"{BASE}/pilot", {"size": 0}).status_code == 400
    assert boss.post(f"{BASE}/pilot/close").status_code == 409  # none open
    assert boss.get(f"{BASE}/pilot").status_code == 404  # none ever
    _start(boss, 2)
    again = boss.post(f"{BASE}/pilot", {"size": 2})
    assert again.status_code == 409
    assert "close it first" in again.json()["detail"]
    assert api(reviewer_a).post(f"{BASE}/pilot/close").status_code == 403
    assert Pilot.objects.count() == 1
    assert Reference.objects.filter(pilot__isnull=False).count() == 2


def test_a_pilot_larger_than_what_is_left_takes_what_is_left(api, demo_imports, lead) -> None:
    pilot = _start(api(lead), 500)
    assert pilot["size"] == 22
    start = AuditEvent.objects.get(verb="pilot.start")
    assert (start.after["asked"], len(start.after["references"])) == (500, 22)


def test_progress_per_reviewer_and_what_a_reviewer_may_see_of_it(
    api, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    a, b = api(reviewer_a), api(reviewer_b)
    refs = [r["id"] for r in api(lead).get(f"{BASE}/references", limit=3).json()["items"]]
    for reference, vote in zip(refs, ("include", "exclude", "maybe"), strict=True):
        a.post(f"{BASE}/references/{reference}/votes", {"stage": TA, "vote": vote})
    b.post(f"{BASE}/references/{refs[0]}/votes", {"stage": TA, "vote": "exclude"})

    def rows(client) -> dict[str, dict]:
        answer = client.get(f"{BASE}/progress")
        assert answer.status_code == 200
        return {row["reviewer"]: row[TA] for row in answer.json()["reviewers"]}

    as_lead = rows(api(lead))
    assert as_lead["reviewer_a"] == {"votes": 3, "include": 1, "exclude": 1, "maybe": 1}
    assert as_lead["reviewer_b"] == {"votes": 1, "include": 0, "exclude": 1, "maybe": 0}
    assert as_lead["lead"] == {"votes": 0, "include": 0, "exclude": 0, "maybe": 0}
    as_b = rows(b)
    assert as_b["reviewer_b"] == as_lead["reviewer_b"]
    # While the stage is blind, B sees neither how A voted nor how often.
    assert as_b["reviewer_a"] == {"votes": None, "include": None, "exclude": None, "maybe": None}
    # The conflict on refs[0] is pending to B, a conflict to the lead.
    assert api(lead).get(f"{BASE}/progress").json()["stages"][TA]["conflict"] == 1
    assert "conflict" not in b.get(f"{BASE}/progress").json()["stages"][TA]
    # Once the lead unblinds the stage, B sees A's votes and the conflict.
    unblinded = api(lead).post(f"{BASE}/blinding", {"stage": TA, "blind": False})
    assert unblinded.status_code == 200, unblinded.content
    assert rows(b)["reviewer_a"] == as_lead["reviewer_a"]
    assert b.get(f"{BASE}/progress").json()["stages"][TA]["conflict"] == 1


def test_the_dashboard_shows_progress_and_runs_a_pilot(
    api, browser_client, demo_imports, lead, reviewer_a, django_assert_max_num_queries
) -> None:
    as_lead, as_a = browser_client(lead), browser_client(reviewer_a)
    started = as_lead.post(f"{BASE}/pilot/", {"size": "3"}, follow=True)
    assert "Pilot round started: 3 references drawn." in started.content.decode()
    _drain(api(reviewer_a))
    with django_assert_max_num_queries(17):
        page = as_lead.get(f"{BASE}/")
    html = page.content.decode()
    assert "0 of 3 references have their two votes" in html
    assert "Close the pilot and go on" in html
    mine = as_a.get(f"{BASE}/").content.decode()
    assert "Start a pilot round" not in mine
    assert "Close the pilot" not in mine
    assert "Agreement over the pilot" not in mine
    # A's own kinds of vote are shown to A; the lead's row (no votes) hides its kinds all the same.
    assert "Hidden: screening is blind" in mine
    assert "Hidden: screening is blind" not in html
    assert as_a.post(f"{BASE}/pilot/", {"action": "close"}).status_code == 403
    refused = as_lead.post(f"{BASE}/pilot/", {"size": "many"}, follow=True).content.decode()
    assert "must be a whole number" in refused
    closed = as_lead.post(f"{BASE}/pilot/", {"action": "close"}, follow=True).content.decode()
    assert "Pilot round closed" in closed
    assert Pilot.objects.get().closed_at is not None
