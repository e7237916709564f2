"""A lead's answers on a duplicate set beyond merge and reject: reopening a set marked not
duplicates (then merging it), and undoing an unmerge, which merges the set again as it was."""

from __future__ import annotations

import pytest

from screening.errors import Conflict
from screening.models import AuditEvent, DuplicateCandidate, Record, Reference, Vote
from screening.services import merges
from screening.services.screening import vote_cast

pytestmark = pytest.mark.django_db

DUPLICATES = "/projects/microcredentials/duplicates"
TA = "title_abstract"


def _reference(project, title: str, records: int = 1) -> Reference:
    reference = Reference.objects.create(project=project, title=title)
    for _ in range(records):
        Record.objects.create(project=project, method="websites", reference=reference, title=title)
    return reference


def _placement() -> dict[str, dict[int, int]]:
    return {
        "records": dict(Record.objects.values_list("pk", "reference_id")),
        "votes": dict(Vote.objects.values_list("pk", "reference_id")),
        "merged_into": dict(Reference.objects.values_list("pk", "merged_into_id")),
    }


def _moves(candidate: DuplicateCandidate) -> list[tuple[tuple[str, int], ...]]:
    return sorted(tuple(sorted(move.items())) for move in candidate.moves)


@pytest.fixture
def trio(project, lead) -> list[Reference]:
    return [
        _reference(project, "Badges for nurses", records=2),
        _reference(project, "Badges for nurses.", records=2),
        _reference(project, "BADGES FOR NURSES"),
    ]


def _candidate(references: list[Reference], **fields: object) -> DuplicateCandidate:
    return DuplicateCandidate.objects.create(
        project=references[0].project, references=[r.pk for r in references], score=0.9, **fields
    )


def test_a_set_marked_not_duplicates_is_reopened_then_merged(lead, trio) -> None:
    candidate = _candidate(trio)
    merges.duplicate_decide(candidate=candidate, action="reject", actor=lead)
    with pytest.raises(Conflict, match="not duplicates; it cannot be merged now"):
        merges.duplicate_decide(candidate=candidate, action="merge", actor=lead)
    reopened = merges.duplicate_decide(candidate=candidate, action="reopen", actor=lead)
    assert reopened.status == "pending"
    assert (reopened.decided_by, reopened.decided_at) == (None, None)
    merged = merges.duplicate_decide(
        candidate=candidate, action="merge", actor=lead, survivor=trio[1].pk
    )
    assert merged.status == "merged"
    assert set(Record.objects.values_list("reference_id", flat=True)) == {trio[1].pk}
    verbs = list(
        AuditEvent.objects.filter(object_type="duplicatecandidate", object_id=str(candidate.pk))
        .order_by("id")
        .values_list("verb", "actor__username")
    )
    assert verbs == [
        ("duplicate.reject", "lead"),
        ("duplicate.reopen", "lead"),
        ("duplicate.merge", "lead"),
    ]
    reopen = AuditEvent.objects.get(verb="duplicate.reopen")
    assert reopen.before["status"] == "rejected"
    assert reopen.after == {"status": "pending", "references": candidate.references}


def test_only_a_set_marked_not_duplicates_is_reopened(lead, trio) -> None:
    candidate = _candidate(trio)
    for status in ("pending", "merged"):
        DuplicateCandidate.objects.filter(pk=candidate.pk).update(status=status)
        with pytest.raises(Conflict, match="cannot be reopened now"):
            merges.duplicate_decide(candidate=candidate, action="reopen", actor=lead)
    assert not AuditEvent.objects.filter(verb="duplicate.reopen").exists()


def test_an_unmerge_undone_keeps_the_same_survivor_and_moves_the_same_records(
    lead, reviewer_a, trio
) -> None:
    second = trio[1]
    vote_cast(reference=trio[2], reviewer=reviewer_a, stage=TA, vote="include")
    before = _placement()
    candidate = _candidate(trio)
    merges.duplicate_decide(candidate=candidate, action="merge", actor=lead, survivor=second.pk)
    merged = _placement()
    moves = _moves(DuplicateCandidate.objects.get(pk=candidate.pk))
    assert any(kind == "vote" for move in moves for kind, _ in move)  # the vote moved too
    merges.duplicate_decide(candidate=candidate, action="unmerge", actor=lead)
    assert _placement() == before
    again = merges.duplicate_unmerge_undo(candidate=candidate, actor=lead)
    assert again.status == "merged"
    assert again.survivor_id == second.pk  # not the first reference, which a merge would keep
    assert _moves(again) == moves
    assert _placement() == merged
    assert again.decided_by == lead
    undone = AuditEvent.objects.get(verb="duplicate.unmerge_undone")
    assert undone.actor == lead
    assert undone.after["survivor"] == second.pk
    assert sorted(tuple(sorted(m.items())) for m in undone.after["moves"]) == moves


def test_only_an_unmerged_set_can_have_its_unmerge_undone(lead, trio) -> None:
    rejected = _candidate(trio)
    merges.duplicate_decide(candidate=rejected, action="reject", actor=lead)
    with pytest.raises(Conflict, match="was not unmerged"):
        merges.duplicate_unmerge_undo(candidate=rejected, actor=lead)
    # A reopened set is decided afresh: the unmerge it had is no longer there to undo.
    merges.duplicate_decide(candidate=rejected, action="reopen", actor=lead)
    merges.duplicate_decide(candidate=rejected, action="merge", actor=lead)
    merges.duplicate_decide(candidate=rejected, action="unmerge", actor=lead)
    merges.duplicate_decide(candidate=rejected, action="reopen", actor=lead)
    merges.duplicate_decide(candidate=rejected, action="reject", actor=lead)
    with pytest.raises(Conflict, match="was not unmerged"):
        merges.duplicate_unmerge_undo(candidate=rejected, actor=lead)
    assert Reference.objects.filter(merged_into__isnull=False).count() == 0


def test_an_unmerge_is_not_undone_over_a_merge_made_since(project, lead, trio) -> None:
    candidate = _candidate(trio[:2])
    merges.duplicate_decide(candidate=candidate, action="merge", actor=lead)
    merges.duplicate_decide(candidate=candidate, action="unmerge", actor=lead)
    other = _candidate([trio[1], trio[2]])
    merges.duplicate_decide(candidate=other, action="merge", actor=lead, survivor=trio[2].pk)
    before = _placement()
    with pytest.raises(Conflict, match="merged elsewhere"):
        merges.duplicate_unmerge_undo(candidate=candidate, actor=lead)
    assert _placement() == before
    assert DuplicateCandidate.objects.get(pk=candidate.pk).status == "rejected"


def test_the_api_reopens_a_set_for_leads_and_admins_only(
    api, admin, lead, reviewer_a, outsider, trio
) -> None:
    candidate = _candidate(trio, status="rejected")
    path = f"{DUPLICATES}/{candidate.pk}"
    assert api(as_=reviewer_a).post(path, {"action": "reopen"}).status_code == 403
    assert api(as_=outsider).post(path, {"action": "reopen"}).status_code == 404
    assert DuplicateCandidate.objects.get(pk=candidate.pk).status == "rejected"
    answer = api(as_=lead).post(path, {"action": "reopen"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "pending"
    assert api(as_=lead).post(path, {"action": "reopen"}).status_code == 409
    assert api(as_=admin).post(path, {"action": "reject"}).status_code == 200
    assert api(as_=admin).post(path, {"action": "reopen"}).json()["status"] == "pending"
    assert api(as_=admin).post(path, {"action": "merge"}).json()["status"] == "merged"
    assert list(
        AuditEvent.objects.filter(verb="duplicate.reopen")
        .order_by("id")
        .values_list("actor__username", flat=True)
    ) == ["lead", "admin"]
