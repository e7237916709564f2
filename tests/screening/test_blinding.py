"""Blinding: reviewer B learns nothing of reviewer A's vote or note until the reference is decided.

A reviewer sees a conflict as `pending` (workflow.visible_status); only leads and admins see
conflicts, the votes in them and their notes. Every answer B gets is kept and searched, raw, for
A's note and A's username.
"""

from __future__ import annotations

import io

import pytest

from screening.models import Reference
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


@pytest.mark.parametrize("decision", ["include", "exclude"])
def test_reviewer_b_learns_nothing_of_a_s_vote_until_the_lead_decides(
    api,
    r: int,
    lead,
    reviewer_a,
    reviewer_b,
    decision: str,
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
    # Voting the same way again (a replacement) answers pending too.
    again = b.post(f"{BASE}/references/{r}/votes", {"stage": TA, "vote": "exclude"})
    assert (again.status_code, again.json()["status"]) == (201, "pending")

    # The lead sees the conflict, both votes and A's note.
    assert _listed(boss, status="conflict") == {r: "conflict"}
    assert boss.get(f"{BASE}/references/{r}").json()["status"] == "conflict"
    conflicts = boss.get(f"{BASE}/conflicts", stage=TA).json()
    assert conflicts["count"] == 1
    [conflict] = conflicts["items"]
    assert conflict["reference"] == r
    assert conflict["stage"] == TA
    assert conflict["votes"] == [
        {"reviewer": "reviewer_a", "vote": "include", "reason": "", "note": A_NOTE},
        {"reviewer": "reviewer_b", "vote": "exclude", "reason": "", "note": ""},
    ]

    # The lead decides: now B sees the decision.
    resolved = boss.post(f"{BASE}/references/{r}/resolution", {"stage": TA, "decision": decision})
    assert resolved.status_code == 201, resolved.content
    stage, status = (FT, "awaiting_report") if decision == "include" else (TA, "excluded")
    detail = b.get(f"{BASE}/references/{r}").json()
    assert (detail["stage"], detail["status"]) == (stage, status)
    assert _listed(b, status=status)[r] == status
    assert r not in _listed(b, status="pending")

    # Nor does the history, in the API, its CSV or the page.
    assert b.get(f"{BASE}/history").json()["count"] == 2  # B's own two votes
    assert b.get(f"{BASE}/history.csv").status_code == 200
    b.assert_never_saw(A_NOTE, "reviewer_a")
    # The search is not blind itself: the lead's answers did carry both.
    with pytest.raises(AssertionError):
        boss.assert_never_saw(A_NOTE)
    with pytest.raises(AssertionError):
        boss.assert_never_saw("reviewer_a")


def test_a_vote_that_agrees_decides_and_shows_the_decision(
    api,
    r: int,
    reviewer_a,
    reviewer_b,
) -> None:
    a, b = api(reviewer_a), Recorder(api(reviewer_b))
    _vote(a, r, TA, "exclude", note=A_NOTE)
    answer = b.post(f"{BASE}/references/{r}/votes", {"stage": TA, "vote": "exclude"})
    assert (answer.status_code, answer.json()["status"]) == (201, "excluded")
    assert b.get(f"{BASE}/references/{r}").json()["status"] == "excluded"
    b.assert_never_saw(A_NOTE, "reviewer_a")


def test_full_text_conflicts_are_hidden_from_reviewers_too(
    api,
    r: int,
    lead,
    reviewer_a,
    reviewer_b,
) -> None:
    a, b, boss = api(reviewer_a), Recorder(api(reviewer_b)), api(lead)
    _vote(a, r, TA, "include")
    _vote(api(reviewer_b), r, TA, "include")
    pdf = io.BytesIO(pdf_with_text("Full text"))
    pdf.name = "r.pdf"
    assert boss.upload(f"{BASE}/references/{r}/report", {"file": pdf}).status_code == 201
    assert boss.post(f"{BASE}/exclusion-reasons", {"name": "Wrong population"}).status_code == 201

    _vote(a, r, FT, "include", note=A_NOTE)
    _assert_b_sees_pending(b, r, FT)
    following = b.get(f"{BASE}/references/next", stage=FT)
    assert (following.status_code, following.json()["id"]) == (200, r)
    answer = b.post(
        f"{BASE}/references/{r}/votes",
        {"stage": FT, "vote": "exclude", "reason": "Wrong population"},
    )
    assert (answer.status_code, answer.json()["status"]) == (201, "pending")
    _assert_b_sees_pending(b, r, FT)
    assert b.get(f"{BASE}/references/next", stage=FT).status_code == 204
    assert b.get(f"{BASE}/conflicts", stage=FT).status_code == 403
    assert b.get(f"{BASE}/agreement", stage=FT).status_code == 403
    assert _listed(boss, stage=FT, status="conflict") == {r: "conflict"}
    b.assert_never_saw(A_NOTE, "reviewer_a")


def test_the_project_counts_do_not_show_a_reviewer_the_conflicts(
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
    assert "conflict" not in stages[TA]
    assert stages[TA]["pending"] == Reference.objects.count()
