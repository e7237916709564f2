"""Blinding: reviewer B learns nothing of reviewer A's vote, not even whether A voted.

While a stage is blind (workflow.Blinding), B sees every reference pending; only a lead's own act
shows through: a resolution, a report, or unblinding the stage. That every answer B gets, on every
surface B reaches, is the same whatever A's open votes are is test_blinding_surfaces.py's test,
over the permission matrix's rows; here, the rules one at a time.
"""

from __future__ import annotations

import io

import pytest

from screening.models import AuditEvent, Reference, Vote
from tests.pdfs import pdf_with_text

pytestmark = pytest.mark.django_db

BASE = "/projects/microcredentials"
TA, FT = "title_abstract", "full_text"
A_NOTE = "Zanzibar-7: the pilot in Table 3 convinced me"
STATUSES = ["pending", "conflict", "included", "excluded", "awaiting_report", "not_retrieved"]


class Recorder:
    """An API client that keeps every answer it was given, to search them all afterwards."""

    def __init__(self, client) -> None:
        self.client = client
        self.answers: list = []

    def get(self, path: str, **params: object):  # noqa: ANN201
        answer = self.client.get(path, **params)
        self.answers.append(answer)
        return answer

    def post(self, path: str, data: object = None):  # noqa: ANN201
        answer = self.client.post(path, data)
        self.answers.append(answer)
        return answer

    def assert_never_saw(self, *needles: str) -> None:
        for answer in self.answers:
            body = b"".join(answer.streaming_content) if answer.streaming else answer.content
            for needle in needles:
                assert needle.encode() not in body, (answer.request, body[:500])


def _listed(client, **params: str) -> dict[int, str]:
    answer = client.get(f"{BASE}/references", limit=1000, **params)
    assert answer.status_code == 200, answer.content
    return {item["id"]: item["status"] for item in answer.json()["items"]}


def _vote(client, reference: int, stage: str, vote: str, **extra: str) -> dict:
    answer = client.post(
        f"{BASE}/references/{reference}/votes", {"stage": stage, "vote": vote, **extra}
    )
    assert answer.status_code == 201, answer.content
    return answer.json()


def _assert_b_sees_pending(b: Recorder, reference: int, stage: str) -> None:
    """Every list filter, the detail: R is pending to B, and never a conflict."""
    for stage_filter in ("", stage):
        for status in ["", *STATUSES]:
            params = {k: v for k, v in (("stage", stage_filter), ("status", status)) if v}
            listed = _listed(b, **params)
            if status in {"", "pending"}:
                assert listed[reference] == "pending", params
            else:
                assert reference not in listed, params
            assert "conflict" not in listed.values(), params
    detail = b.get(f"{BASE}/references/{reference}")
    assert detail.status_code == 200
    assert (detail.json()["stage"], detail.json()["status"]) == (stage, "pending")


@pytest.fixture
def r(api, demo_imports, lead) -> int:
    """The first reference of the demo import: the one A and B screen."""
    return api(lead).get(f"{BASE}/references", limit=1).json()["items"][0]["id"]


def _upload_report(boss, reference: int) -> None:
    pdf = io.BytesIO(pdf_with_text("Full text"))
    pdf.name = f"{reference}.pdf"
    answer = boss.upload(f"{BASE}/references/{reference}/report", {"file": pdf})
    assert answer.status_code == 201, answer.content


def test_a_change_after_the_other_vote_is_flagged_and_agreement_counts_the_first(
    api, r: int, lead, reviewer_a, reviewer_b
) -> None:
    a, b, boss = api(reviewer_a), api(reviewer_b), api(lead)
    _vote(a, r, TA, "include")
    _vote(b, r, TA, "include")  # an agreement: included, though B is shown pending
    changed = _vote(b, r, TA, "exclude")
    assert (changed["status"], changed["waiting_for_team"]) == ("pending", True)
    vote = Vote.objects.get(reference_id=r, reviewer=reviewer_b)
    assert (vote.vote, vote.first_vote) == ("exclude", "include")
    assert vote.changed_after_others_at is not None
    # The lead sees the conflict the change made, and the change flagged.
    [conflict] = boss.get(f"{BASE}/conflicts", stage=TA).json()["items"]
    flags = {
        v["reviewer"]: (v["vote"], v["first_vote"], v["changed_after_others"])
        for v in conflict["votes"]
    }
    assert flags == {
        "reviewer_a": ("include", "", False),
        "reviewer_b": ("exclude", "include", True),
    }
    # Agreement counts the independent first votes: the two agreed.
    agreement = boss.get(f"{BASE}/agreement", stage=TA).json()
    assert (agreement["references"], agreement["percent_agreement"]) == (1, 100.0)
    assert agreement["changed_after_others"] == 1
    assert boss.get(f"{BASE}/agreement", stage=FT).json()["changed_after_others"] == 0
    # B's own history shows the change, and nothing of the flag: it would say A had voted.
    [replaced, _] = b.get(f"{BASE}/history").json()["items"]
    assert replaced["action"] == "vote.replace"
    assert set(replaced["after"]) == {
        "reference",
        "stage",
        "reviewer",
        "vote",
        "reason",
        "note",
        "order",
    }
    # A later change keeps the first vote.
    _vote(b, r, TA, "maybe")
    assert Vote.objects.get(reference_id=r, reviewer=reviewer_b).first_vote == "include"


def test_a_change_before_anyone_else_voted_is_the_independent_vote(
    api, r: int, lead, reviewer_a, reviewer_b
) -> None:
    a, b, boss = api(reviewer_a), api(reviewer_b), api(lead)
    _vote(b, r, TA, "include")
    _vote(b, r, TA, "exclude")  # nobody else had voted: still independent
    _vote(a, r, TA, "exclude")
    vote = Vote.objects.get(reference_id=r, reviewer=reviewer_b)
    assert (vote.vote, vote.first_vote, vote.changed_after_others_at) == ("exclude", "", None)
    assert boss.get(f"{BASE}/references/{r}").json()["status"] == "excluded"
    # A note changed after the other vote is no change of decision: not flagged.
    _vote(b, r, TA, "exclude", note="on second reading")
    assert Vote.objects.get(reference_id=r, reviewer=reviewer_b).changed_after_others_at is None


def test_the_lead_s_resolution_is_shown_and_closes_the_vote(
    api, r: int, lead, reviewer_a, reviewer_b
) -> None:
    a, b, boss = api(reviewer_a), Recorder(api(reviewer_b)), api(lead)
    _vote(a, r, TA, "include", note=A_NOTE)
    _vote(api(reviewer_b), r, TA, "exclude")
    _assert_b_sees_pending(b, r, TA)
    resolved = boss.post(f"{BASE}/references/{r}/resolution", {"stage": TA, "decision": "exclude"})
    assert resolved.status_code == 201, resolved.content
    detail = b.get(f"{BASE}/references/{r}").json()
    assert (detail["stage"], detail["status"]) == (TA, "excluded")
    refused = b.post(f"{BASE}/references/{r}/votes", {"stage": TA, "vote": "include"})
    assert refused.status_code == 409
    assert "decided" in refused.json()["detail"]
    b.assert_never_saw(A_NOTE, "reviewer_a")


def test_a_report_shows_the_reference_reached_full_text(
    api, r: int, lead, reviewer_a, reviewer_b
) -> None:
    a, b, boss = api(reviewer_a), api(reviewer_b), api(lead)
    _vote(a, r, TA, "include")
    _vote(b, r, TA, "include")
    assert (b.get(f"{BASE}/references/{r}").json()["stage"]) == TA
    _upload_report(boss, r)
    detail = b.get(f"{BASE}/references/{r}").json()
    assert (detail["stage"], detail["status"]) == (FT, "pending")
    refused = b.post(f"{BASE}/references/{r}/votes", {"stage": TA, "vote": "exclude"})
    assert (refused.status_code, refused.json()["field"]) == (409, "stage")


def test_unblinding_a_stage_shows_its_outcomes_and_conflicts(
    api, browser_client, r: int, lead, reviewer_a, reviewer_b
) -> None:
    a, b, boss = api(reviewer_a), api(reviewer_b), api(lead)
    refs = [i["id"] for i in boss.get(f"{BASE}/references", limit=2).json()["items"]]
    _vote(a, refs[0], TA, "include")
    _vote(b, refs[0], TA, "exclude")
    _vote(a, refs[1], TA, "exclude")
    _vote(b, refs[1], TA, "exclude")
    assert _listed(b, status="pending")[refs[1]] == "pending"
    assert b.post(f"{BASE}/blinding", {"stage": TA, "blind": False}).status_code == 403
    unblinded = boss.post(f"{BASE}/blinding", {"stage": TA, "blind": False})
    assert (unblinded.status_code, unblinded.json()) == (200, {"blind_stages": [FT]})
    assert _listed(b, status="conflict") == {refs[0]: "conflict"}
    assert _listed(b, status="excluded") == {refs[1]: "excluded"}
    assert b.get(BASE).json()["counts"]["stages"][TA]["conflict"] == 1
    # Unblinded, a decided reference is closed to changes, as a lead's reopening opens it.
    refused = b.post(f"{BASE}/references/{refs[1]}/votes", {"stage": TA, "vote": "include"})
    assert refused.status_code == 409
    event = AuditEvent.objects.get(verb="stage.unblind")
    assert (event.actor, event.after) == (lead, {"stage": TA, "blind": False})
    # The dashboard's button does the same, and blinds it again.
    page = browser_client(lead).post(
        "/projects/microcredentials/blinding/", {"stage": TA, "blind": "1"}, follow=True
    )
    assert page.status_code == 200
    assert b"is blind again" in page.content
    assert _listed(b, status="conflict") == {}
    assert browser_client(reviewer_b).post(
        "/projects/microcredentials/blinding/", {"stage": TA, "blind": "0"}
    ).status_code in {403, 404}


def test_reviewer_b_learns_nothing_of_a_s_vote_until_the_lead_decides(
    api,
    r: int,
    lead,
    reviewer_a,
    reviewer_b,
) -> None:
    a, b, boss = api(reviewer_a), Recorder(api(reviewer_b)), Recorder(api(lead))
    _vote(a, r, TA, "include", note=A_NOTE)

    # B has not voted: R is pending everywhere, and it is B's next reference.
    _assert_b_sees_pending(b, r, TA)
    following = b.get(f"{BASE}/references/next", stage=TA)
    assert following.status_code == 200
    assert (following.json()["id"], following.json()["status"]) == (r, "pending")

    # B votes against A: a conflict, which B must still see as pending.
    answer = b.post(f"{BASE}/references/{r}/votes", {"stage": TA, "vote": "exclude"})
    assert answer.status_code == 201
    assert answer.json()["status"] == "pending"
    assert answer.json()["note"] == ""
    _assert_b_sees_pending(b, r, TA)
    assert b.get(f"{BASE}/references", status="conflict").json() == {"count": 0, "items": []}
    after_voting = b.get(f"{BASE}/references/next", stage=TA)
    assert after_voting.status_code == 200
    assert after_voting.json()["id"] != r
    assert b.get(f"{BASE}/conflicts").status_code == 403
    assert b.get(f"{BASE}/conflicts", stage=TA).status_code == 403
    assert b.get(f"{BASE}/agreement", stage=TA).status_code == 403
    assert b.get(f"{BASE}/export").status_code == 403

    # The lead sees the conflict, both votes and A's note.
    assert _listed(boss, status="conflict") == {r: "conflict"}
    assert boss.get(f"{BASE}/references/{r}").json()["status"] == "conflict"
    conflicts = boss.get(f"{BASE}/conflicts", stage=TA).json()
    [conflict] = conflicts["items"]
    assert (conflict["reference"], conflict["stage"]) == (r, TA)
    assert [(v["reviewer"], v["vote"], v["note"]) for v in conflict["votes"]] == [
        ("reviewer_a", "include", A_NOTE),
        ("reviewer_b", "exclude", ""),
    ]
    assert b.get(f"{BASE}/history").json()["count"] == 1  # B's own vote
    assert b.get(f"{BASE}/history.csv").status_code == 200
    b.assert_never_saw(A_NOTE, "reviewer_a")
    # The search is not blind itself: the lead's answers did carry both.
    with pytest.raises(AssertionError):
        boss.assert_never_saw(A_NOTE)
    with pytest.raises(AssertionError):
        boss.assert_never_saw("reviewer_a")


def test_full_text_outcomes_are_hidden_from_reviewers_too(
    api,
    r: int,
    lead,
    reviewer_a,
    reviewer_b,
) -> None:
    a, b, boss = api(reviewer_a), Recorder(api(reviewer_b)), api(lead)
    _vote(a, r, TA, "include")
    _vote(api(reviewer_b), r, TA, "include")
    _upload_report(boss, r)
    assert boss.post(f"{BASE}/exclusion-reasons", {"name": "Wrong population"}).status_code == 201

    _vote(a, r, FT, "include", note=A_NOTE)
    _assert_b_sees_pending(b, r, FT)
    following = b.get(f"{BASE}/references/next", stage=FT)
    assert (following.status_code, following.json()["id"]) == (200, r)
    answer = b.post(
        f"{BASE}/references/{r}/votes",
        {"stage": FT, "vote": "include"},
    )
    assert (answer.status_code, answer.json()["status"]) == (201, "pending")  # included, hidden
    _assert_b_sees_pending(b, r, FT)
    assert b.get(f"{BASE}/references/next", stage=FT).status_code == 204
    assert _listed(boss, stage=FT, status="included") == {r: "included"}
    b.assert_never_saw(A_NOTE, "reviewer_a")


def test_the_project_counts_do_not_show_a_reviewer_the_outcomes(
    api,
    r: int,
    reviewer_a,
    reviewer_b,
) -> None:
    _vote(api(reviewer_a), r, TA, "include", note=A_NOTE)
    _vote(api(reviewer_b), r, TA, "exclude")
    project = api(reviewer_b).get(BASE)
    assert project.status_code == 200
    stages = project.json()["counts"]["stages"]
    assert stages[TA] == {"pending": Reference.objects.count()}
    assert project.json()["blind_stages"] == [FT, TA]
