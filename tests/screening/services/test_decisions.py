"""The rules of votes, resolutions, reopening, exclusion reasons and reports (screening/services/).

Driven through the API, as a script would, with the database checked underneath where the API
answer alone would not show that a rule held (one vote row, the audit trail).
"""

from __future__ import annotations

import io

import pytest

from screening.models import (
    AuditEvent,
    ExclusionReason,
    Project,
    Reference,
    Report,
    Resolution,
    Vote,
)
from screening.workflow import SEES_ALL
from tests.factories import MembershipFactory
from tests.pdfs import pdf_with_text

pytestmark = pytest.mark.django_db

BASE = "/projects/microcredentials"
TA, FT = "title_abstract", "full_text"


@pytest.fixture(autouse=True)
def _unblinded(monkeypatch) -> None:
    """These tests read the stage rules through reviewers' answers: every stage is unblinded
    here (what a blind stage shows is tests/screening/test_blinding.py)."""
    monkeypatch.setattr(Project, "blinding", property(lambda _: SEES_ALL))


@pytest.fixture
def refs(project, demo_imports) -> list[int]:
    """The 22 references of the demo import (no dedup run), in import order."""
    return list(
        Reference.objects.filter(project=project).order_by("id").values_list("pk", flat=True)
    )


@pytest.fixture
def a(api, reviewer_a):  # noqa: ANN201
    return api(reviewer_a)


@pytest.fixture
def b(api, reviewer_b):  # noqa: ANN201
    return api(reviewer_b)


@pytest.fixture
def boss(api, lead):  # noqa: ANN201
    return api(lead)


def _post_vote(client, reference: int, stage: str, vote: str, base: str = BASE, **extra: str):  # noqa: ANN202
    return client.post(
        f"{base}/references/{reference}/votes", {"stage": stage, "vote": vote, **extra}
    )


def _vote(client, reference: int, stage: str, vote: str, **extra: str) -> dict:
    answer = _post_vote(client, reference, stage, vote, **extra)
    assert answer.status_code == 201, answer.content
    return answer.json()


def _resolve(client, reference: int, stage: str, decision: str, reason: str = ""):  # noqa: ANN202
    return client.post(
        f"{BASE}/references/{reference}/resolution",
        {"stage": stage, "decision": decision, "reason": reason},
    )


def _reopen(client, reference: int, stage: str):  # noqa: ANN202
    return client.post(f"{BASE}/references/{reference}/reopen", {"stage": stage})


def _pdf(text: str = "Full text", name: str = "study.pdf") -> io.BytesIO:
    pdf = io.BytesIO(pdf_with_text(text))
    pdf.name = name
    return pdf


def _upload(client, reference: int, pdf: io.BytesIO | None = None, base: str = BASE):  # noqa: ANN202
    return client.upload(f"{base}/references/{reference}/report", {"file": pdf or _pdf()})


def _status(client, reference: int, base: str = BASE) -> tuple[str, str]:
    body = client.get(f"{base}/references/{reference}").json()
    return body["stage"], body["status"]


def _at_full_text(a, b, boss, reference: int) -> None:
    """Both include on title and abstract, and the lead uploads the report."""
    _vote(a, reference, TA, "include")
    _vote(b, reference, TA, "include")
    assert _upload(boss, reference).status_code == 201


def _other_method_record(boss) -> int:
    answer = boss.post(
        f"{BASE}/records",
        {"title": "A pilot found in a reference list", "method": "citation searching"},
    )
    assert answer.status_code == 201, answer.content
    return answer.json()["reference"]


# Votes --------------------------------------------------------------------------------------


def test_voting_again_replaces_the_caller_s_vote_and_audits_both(a, refs, reviewer_a) -> None:
    r = refs[0]
    first = _vote(a, r, TA, "include", note="first look")
    second = _vote(a, r, TA, "exclude", note="second look")
    assert second["id"] == first["id"]
    [vote] = Vote.objects.filter(reference_id=r)
    assert (vote.reviewer, vote.vote, vote.note) == (reviewer_a, "exclude", "second look")
    events = list(AuditEvent.objects.filter(verb__startswith="vote.").order_by("id"))
    assert [e.verb for e in events] == ["vote.cast", "vote.replace"]
    assert all(e.actor == reviewer_a for e in events)
    assert events[0].before == {}
    assert events[0].after["vote"] == "include"
    assert (events[1].before["vote"], events[1].before["note"]) == ("include", "first look")
    assert (events[1].after["vote"], events[1].after["note"]) == ("exclude", "second look")
    assert events[1].after["reviewer"] == "reviewer_a"


def test_it_refuses_a_vote_on_a_decided_reference_until_a_lead_reopens_it(
    a,
    b,
    boss,
    refs: list[int],
) -> None:
    r = refs[0]
    _vote(a, r, TA, "exclude")
    assert _vote(b, r, TA, "exclude")["status"] == "excluded"
    refused = _post_vote(a, r, TA, "include")
    assert refused.status_code == 409
    assert refused.json()["field"] == "stage"
    assert Vote.objects.get(reference_id=r, reviewer__username="reviewer_a").vote == "exclude"

    reopened = _reopen(boss, r, TA)
    assert reopened.status_code == 200, reopened.content
    assert (reopened.json()["stage"], reopened.json()["status"]) == (TA, "pending")
    assert not Vote.objects.filter(reference_id=r).exists()  # agreeing votes go
    assert AuditEvent.objects.filter(verb="reference.reopen", object_id=str(r)).exists()
    assert _vote(a, r, TA, "include")["status"] == "pending"


def test_a_reviewer_cannot_reopen(a, b, refs) -> None:
    _vote(a, refs[0], TA, "include")
    _vote(b, refs[0], TA, "include")
    assert _reopen(a, refs[0], TA).status_code == 403
    assert Vote.objects.filter(reference_id=refs[0]).count() == 2


def test_a_third_reviewer_gets_409_when_the_two_votes_are_in(
    api,
    project,
    a,
    b,
    refs: list[int],
) -> None:
    third = api(MembershipFactory(project=project, user__username="reviewer_c").user)
    r = refs[0]
    _vote(a, r, TA, "include")
    _vote(b, r, TA, "exclude")  # a conflict: undecided, so only the count refuses the third
    refused = _post_vote(third, r, TA, "include")
    assert refused.status_code == 409
    assert refused.json()["field"] == "vote"
    assert "2 votes" in refused.json()["detail"]
    assert Vote.objects.filter(reference_id=r).count() == 2
    # The two who voted may still change their minds while it is a conflict.
    assert _vote(b, r, TA, "include")["status"] == "included"


@pytest.mark.parametrize("value", ["yes", "", "INCLUDE", "excluded"])
def test_an_invalid_vote_value_is_400_naming_vote(a, refs, value: str) -> None:
    answer = _post_vote(a, refs[0], TA, value)
    assert answer.status_code == 400
    assert answer.json()["field"] == "vote"
    assert not Vote.objects.exists()


@pytest.mark.parametrize("stage", ["foo", "", "Title_Abstract", "fulltext"])
def test_an_unknown_stage_is_400_naming_stage(a, refs, stage: str) -> None:
    answer = _post_vote(a, refs[0], stage, "include")
    assert answer.status_code == 400
    assert answer.json()["field"] == "stage"


def test_a_vote_without_its_fields_is_400_not_500(a, refs) -> None:
    answer = a.post(f"{BASE}/references/{refs[0]}/votes", {"note": "no vote here"})
    assert answer.status_code == 400
    assert answer.json()["field"] in {"stage", "vote"}


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_full_text_exclusion_without_a_reason_is_400(a, b, boss, refs, reason: str) -> None:
    _at_full_text(a, b, boss, refs[0])
    answer = _post_vote(a, refs[0], FT, "exclude", reason=reason)
    assert answer.status_code == 400
    assert answer.json()["field"] == "reason"
    assert not Vote.objects.filter(stage=FT).exists()


@pytest.mark.parametrize(("stage", "vote"), [(TA, "include"), (TA, "maybe"), (FT, "include")])
def test_a_reason_on_anything_but_an_exclusion_is_400(
    a,
    b,
    boss,
    refs: list[int],
    stage: str,
    vote: str,
) -> None:
    if stage == FT:
        _at_full_text(a, b, boss, refs[0])
    answer = _post_vote(a, refs[0], stage, vote, reason="Wrong population")
    assert answer.status_code == 400
    assert answer.json()["field"] == "reason"
    assert not ExclusionReason.objects.exists()  # nothing proposed by a refused vote


@pytest.mark.parametrize("title_abstract", ["pending", "conflict", "excluded"])
def test_a_full_text_vote_on_a_reference_not_included_on_title_is_409(
    a,
    b,
    refs: list[int],
    title_abstract: str,
) -> None:
    r = refs[0]
    votes = {"pending": [], "conflict": ["include", "exclude"], "excluded": ["exclude"] * 2}
    for client, vote in zip((a, b), votes[title_abstract], strict=False):
        _vote(client, r, TA, vote)
    answer = _post_vote(a, r, FT, "include")
    assert answer.status_code == 409
    assert answer.json()["field"] == "stage"
    assert not Vote.objects.filter(stage=FT).exists()


def test_a_full_text_vote_before_the_report_is_409(a, b, refs) -> None:
    _vote(a, refs[0], TA, "include")
    _vote(b, refs[0], TA, "maybe")  # maybe moves it forward like include
    assert _status(a, refs[0]) == (FT, "awaiting_report")
    answer = _post_vote(a, refs[0], FT, "include")
    assert answer.status_code == 409
    assert "report" in answer.json()["detail"]


def test_a_full_text_vote_after_not_retrieved_is_409(a, b, boss, refs) -> None:
    _vote(a, refs[0], TA, "include")
    _vote(b, refs[0], TA, "include")
    marked = boss.post(
        f"{BASE}/references/{refs[0]}/report", {"not_retrieved": True, "note": "Out of print"}
    )
    assert marked.status_code == 201, marked.content
    assert marked.json()["not_retrieved"] is True
    assert _status(boss, refs[0]) == (FT, "not_retrieved")
    answer = _post_vote(a, refs[0], FT, "include")
    assert answer.status_code == 409
    assert answer.json()["field"] == "stage"


def test_a_report_cannot_be_marked_not_retrieved_once_full_text_votes_are_in(
    a,
    b,
    boss,
    refs: list[int],
) -> None:
    _at_full_text(a, b, boss, refs[0])
    _vote(a, refs[0], FT, "include")
    marked = boss.post(f"{BASE}/references/{refs[0]}/report", {"not_retrieved": True})
    assert marked.status_code == 409
    assert marked.json()["field"] == "not_retrieved"
    assert Report.objects.get(reference_id=refs[0]).not_retrieved is False


def test_a_record_found_by_other_methods_is_screened_on_full_text_only(
    a,
    b,
    boss,
    demo_imports,
) -> None:
    other = _other_method_record(boss)
    assert _status(a, other) == (FT, "awaiting_report")
    on_title = _post_vote(a, other, TA, "include")
    assert on_title.status_code == 409
    assert on_title.json()["field"] == "stage"
    assert _post_vote(a, other, FT, "include").status_code == 409  # no report yet
    assert a.get(f"{BASE}/references/next", stage=FT).status_code == 204
    assert _upload(boss, other).status_code == 201
    following = a.get(f"{BASE}/references/next", stage=FT)
    assert (following.status_code, following.json()["id"]) == (200, other)
    assert _vote(a, other, FT, "include")["status"] == "pending"
    assert _vote(b, other, FT, "maybe")["status"] == "included"
    assert other not in [
        item["id"] for item in a.get(f"{BASE}/references", stage=TA, limit=100).json()["items"]
    ]


# Resolutions and reopening ---------------------------------------------------------------


@pytest.mark.parametrize("title_abstract", ["pending", "included", "excluded"])
def test_a_resolution_on_anything_but_a_conflict_is_409(
    a,
    b,
    boss,
    refs: list[int],
    title_abstract: str,
) -> None:
    r = refs[0]
    votes = {"pending": ["include"], "included": ["include"] * 2, "excluded": ["exclude"] * 2}
    for client, vote in zip((a, b), votes[title_abstract], strict=False):
        _vote(client, r, TA, vote)
    answer = _resolve(boss, r, TA, "include")
    assert answer.status_code == 409
    assert title_abstract in answer.json()["detail"]
    assert not Resolution.objects.exists()


def test_a_resolution_at_full_text_excluding_without_a_reason_is_400(
    a,
    b,
    boss,
    refs: list[int],
) -> None:
    r = refs[0]
    _at_full_text(a, b, boss, r)
    _vote(a, r, FT, "include")
    _vote(b, r, FT, "exclude", reason="Wrong population")
    assert _status(boss, r) == (FT, "conflict")
    answer = _resolve(boss, r, FT, "exclude")
    assert answer.status_code == 400
    assert answer.json()["field"] == "reason"
    assert not Resolution.objects.exists()
    settled = _resolve(boss, r, FT, "exclude", reason="wrong population")
    assert settled.status_code == 201, settled.content
    assert (settled.json()["status"], settled.json()["reason"]) == ("excluded", "Wrong population")


def test_two_exclusions_for_different_reasons_at_full_text_are_a_conflict(
    a,
    b,
    boss,
    refs: list[int],
) -> None:
    _at_full_text(a, b, boss, refs[0])
    _vote(a, refs[0], FT, "exclude", reason="Wrong population")
    _vote(b, refs[0], FT, "exclude", reason="Not microcredentials")
    assert _status(boss, refs[0]) == (FT, "conflict")
    _at_full_text(a, b, boss, refs[1])
    _vote(a, refs[1], FT, "exclude", reason="Wrong population")
    _vote(b, refs[1], FT, "exclude", reason="WRONG  population")  # the same reason
    assert _status(boss, refs[1]) == (FT, "excluded")


def test_reopening_a_resolved_conflict_returns_it_to_conflict(a, b, boss, refs) -> None:
    r = refs[0]
    _vote(a, r, TA, "include")
    _vote(b, r, TA, "exclude")
    assert _resolve(boss, r, TA, "exclude").status_code == 201
    assert _status(boss, r) == (TA, "excluded")
    reopened = _reopen(boss, r, TA)
    assert reopened.status_code == 200, reopened.content
    assert reopened.json()["status"] == "conflict"
    assert not Resolution.objects.filter(reference_id=r).exists()
    assert Vote.objects.filter(reference_id=r).count() == 2  # the votes stay
    # A reviewer (of this unblinded stage) sees the conflict again; it may be resolved afresh.
    assert _status(a, r) == (TA, "conflict")
    assert _resolve(boss, r, TA, "include").status_code == 201
    assert _status(a, r) == (FT, "awaiting_report")


def test_reopening_title_and_abstract_with_full_text_votes_is_409(a, b, boss, refs) -> None:
    r = refs[0]
    _at_full_text(a, b, boss, r)
    _vote(a, r, FT, "include")
    answer = _reopen(boss, r, TA)
    assert answer.status_code == 409
    assert "full-text" in answer.json()["detail"]
    assert Vote.objects.filter(reference_id=r, stage=TA).count() == 2


@pytest.mark.parametrize("title_abstract", ["pending", "conflict"])
def test_only_a_decided_reference_is_reopened(a, b, boss, refs, title_abstract: str) -> None:
    _vote(a, refs[0], TA, "include")
    if title_abstract == "conflict":
        _vote(b, refs[0], TA, "exclude")
    answer = _reopen(boss, refs[0], TA)
    assert answer.status_code == 409
    assert answer.json()["field"] == "stage"


def test_reopening_at_an_unknown_stage_is_400(boss, refs) -> None:
    answer = _reopen(boss, refs[0], "foo")
    assert answer.status_code == 400
    assert answer.json()["field"] == "stage"


def test_reopening_title_and_abstract_keeps_the_report_but_takes_it_back_from_full_text(
    a,
    b,
    boss,
    refs: list[int],
) -> None:
    r = refs[0]
    _at_full_text(a, b, boss, r)
    assert _reopen(boss, r, TA).status_code == 200
    assert _status(a, r) == (TA, "pending")
    assert Report.objects.filter(reference_id=r).exists()
    refused = _post_vote(a, r, FT, "include")
    assert refused.status_code == 409
    assert refused.json()["field"] == "stage"


def test_the_next_full_text_reference_is_never_one_still_pending_on_title(
    a,
    b,
    boss,
    refs: list[int],
) -> None:
    r = refs[0]
    _at_full_text(a, b, boss, r)
    assert _reopen(boss, r, TA).status_code == 200
    _vote(a, r, TA, "include")  # one vote of the two needed: pending on title and abstract
    assert _status(b, r) == (TA, "pending")
    following = b.get(f"{BASE}/references/next", stage=FT)
    assert following.status_code == 204, following.content


# Exclusion reasons -------------------------------------------------------------------------


@pytest.mark.parametrize("again", ["wrong population", "WRONG POPULATION", "  Wrong   population "])
def test_an_exclusion_reason_already_listed_is_409_whatever_its_case(
    boss,
    project,
    again: str,
) -> None:
    first = boss.post(f"{BASE}/exclusion-reasons", {"name": "Wrong population"})
    assert first.status_code == 201
    assert first.json()["proposed"] is False
    answer = boss.post(f"{BASE}/exclusion-reasons", {"name": again})
    assert answer.status_code == 409
    assert answer.json()["field"] == "name"
    assert ExclusionReason.objects.count() == 1


def test_a_vote_naming_an_unknown_reason_proposes_it_and_the_lead_confirms_it(
    a,
    b,
    boss,
    refs: list[int],
) -> None:
    _at_full_text(a, b, boss, refs[0])
    answer = _vote(a, refs[0], FT, "exclude", reason="Wrong comparator")
    assert answer["reason"] == "Wrong comparator"
    listed = boss.get(f"{BASE}/exclusion-reasons").json()
    assert [(r["name"], r["proposed"]) for r in listed] == [("Wrong comparator", True)]
    assert AuditEvent.objects.filter(verb="reason.propose").count() == 1

    confirmed = boss.post(f"{BASE}/exclusion-reasons", {"name": "wrong comparator"})
    assert confirmed.status_code == 201, confirmed.content
    assert confirmed.json() == {
        "id": listed[0]["id"],
        "name": "Wrong comparator",
        "proposed": False,
    }
    assert ExclusionReason.objects.count() == 1
    # Confirmed once, it is on the list: adding it again is a duplicate.
    assert boss.post(f"{BASE}/exclusion-reasons", {"name": "Wrong comparator"}).status_code == 409


# Reports -----------------------------------------------------------------------------------


def test_a_file_that_is_not_a_pdf_is_400_naming_the_file(a, b, boss, refs) -> None:
    _vote(a, refs[0], TA, "include")
    _vote(b, refs[0], TA, "include")
    upload = io.BytesIO(b"hello")
    upload.name = "notes-from-the-library.pdf"
    answer = _upload(boss, refs[0], upload)
    assert answer.status_code == 400
    body = answer.json()
    assert body["field"] == "file"
    assert "notes-from-the-library.pdf" in body["detail"]
    assert not Report.objects.exists()
    assert _status(boss, refs[0]) == (FT, "awaiting_report")


def test_a_pdf_over_the_report_limit_is_413(a, b, boss, refs, settings) -> None:
    settings.REPORT_MAX_BYTES = 1000
    _vote(a, refs[0], TA, "include")
    _vote(b, refs[0], TA, "include")
    big = _pdf("A long full text. " * 100, name="big.pdf")
    assert len(big.getvalue()) > 1000
    answer = _upload(boss, refs[0], big)
    assert answer.status_code == 413
    assert answer.json()["field"] == "file"
    assert "big.pdf" in answer.json()["detail"]
    assert not Report.objects.exists()
    small = _pdf("Short", name="small.pdf")
    assert len(small.getvalue()) <= 1000
    assert _upload(boss, refs[0], small).status_code == 201


def test_a_report_is_refused_for_a_reference_not_at_full_text(boss, refs) -> None:
    answer = _upload(boss, refs[0])
    assert answer.status_code == 409
    marked = boss.post(f"{BASE}/references/{refs[0]}/report", {"not_retrieved": True})
    assert marked.status_code == 409
    assert not Report.objects.exists()


@pytest.mark.parametrize("body", [{}, {"not_retrieved": False}, {"not_retrieved": "yes"}])
def test_a_report_call_with_neither_file_nor_not_retrieved_is_400(a, b, boss, refs, body) -> None:
    _vote(a, refs[0], TA, "include")
    _vote(b, refs[0], TA, "include")
    answer = boss.post(f"{BASE}/references/{refs[0]}/report", body)
    assert answer.status_code == 400
    assert answer.json()["field"] == "not_retrieved"


def test_the_report_pdf_goes_to_members_only(
    api,
    a,
    b,
    boss,
    outsider,
    refs: list[int],
) -> None:
    r = refs[0]
    _vote(a, r, TA, "include")
    _vote(b, r, TA, "include")
    content = pdf_with_text("The full text of reference one")
    pdf = io.BytesIO(content)
    pdf.name = "one.pdf"
    uploaded = _upload(boss, r, pdf)
    assert uploaded.status_code == 201
    assert uploaded.json()["filename"] == "one.pdf"
    assert uploaded.json()["size"] == len(content)

    answer = a.get(f"{BASE}/references/{r}/report")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert b"".join(answer.streaming_content) == content
    assert api(outsider).get(f"{BASE}/references/{r}/report").status_code == 404
    assert api().get(f"{BASE}/references/{r}/report").status_code == 401


def test_a_report_marked_not_retrieved_has_no_file_to_fetch(a, b, boss, refs) -> None:
    _vote(a, refs[0], TA, "include")
    _vote(b, refs[0], TA, "include")
    assert (
        boss.post(f"{BASE}/references/{refs[0]}/report", {"not_retrieved": True}).status_code == 201
    )
    assert a.get(f"{BASE}/references/{refs[0]}/report").status_code == 404
    # A PDF found later replaces the mark, and the reference can be screened.
    assert _upload(boss, refs[0]).status_code == 201
    assert _status(a, refs[0]) == (FT, "pending")


# One reviewer per reference (a rapid review) --------------------------------------------------


def test_a_rapid_review_decides_on_one_vote_except_for_its_sampled_share(
    api,
    lead,
    reviewer_a,
    reviewer_b,
) -> None:
    from pathlib import Path

    boss = api(lead)
    created = boss.post("/projects", {"name": "Rapid badges", "review_type": "rapid"})
    assert created.status_code == 201, created.content
    project = created.json()
    assert (project["reviewers_per_reference"], project["second_reviewer_share"]) == (1, 20)
    base = f"/projects/{project['slug']}"
    for user in (reviewer_a, reviewer_b):
        added = boss.post(f"{base}/members", {"username": user.username, "role": "reviewer"})
        assert added.status_code == 201
    demo = Path(__file__).resolve().parents[3] / "screening" / "demo"
    export = io.BytesIO((demo / "pubmed_microcredentials.nbib").read_bytes())
    export.name = "pubmed_microcredentials.nbib"
    imported = boss.upload(f"{base}/searches", {"file": export, "database": "PubMed"})
    assert imported.status_code == 201, imported.content

    a, b = api(reviewer_a), api(reviewer_b)
    ids = [i["id"] for i in a.get(f"{base}/references", limit=100).json()["items"]]
    # The documented sample: a reference gets a second reviewer when id * 61 % 100 < 20.
    sampled = [r for r in ids if r * 61 % 100 < 20]
    unsampled = [r for r in ids if r * 61 % 100 >= 20]
    assert sampled, ids
    assert unsampled, ids
    one, two = unsampled[0], sampled[0]

    # The vote's answer gives the status at the vote's stage; the reference moves on.
    answer = _post_vote(a, one, TA, "include", base)
    assert (answer.status_code, answer.json()["status"]) == (201, "included")
    assert _status(a, one, base) == (FT, "awaiting_report")
    assert _post_vote(b, one, TA, "include", base).status_code == 409  # decided: no 2nd vote
    excluded = _post_vote(a, unsampled[1], TA, "exclude", base)
    assert (excluded.status_code, excluded.json()["status"]) == (201, "excluded")

    assert _post_vote(a, two, TA, "include", base).json()["status"] == "pending"
    assert _post_vote(b, two, TA, "include", base).json()["status"] == "included"
    assert _status(a, two, base) == (FT, "awaiting_report")

    # At full text one vote decides too.
    assert _upload(boss, one, base=base).status_code == 201
    assert _post_vote(b, one, FT, "include", base).json()["status"] == "included"
