"""Deduplication through the API: certain duplicates merged, unsure ones for a person, any merge undone."""

from __future__ import annotations

import pytest

from screening.models import AuditEvent, DuplicateCandidate, Record, Reference

DEDUP = "/projects/microcredentials/dedup"
DUPLICATES = "/projects/microcredentials/duplicates"


def _placement() -> dict[int, int]:
    return dict(Record.objects.values_list("pk", "reference_id"))


@pytest.mark.django_db(transaction=True)
def test_a_dedup_run_merges_the_same_papers_from_two_databases(api, lead, demo_imports) -> None:
    client = api(as_=lead)
    queued = client.post(DEDUP)
    assert queued.status_code == 202
    job = client.get(f"/jobs/{queued.json()['job']}").json()
    assert job["status"] == "done", job
    assert job["result"]["references"] == 22
    assert Record.objects.count() == 22  # nothing is deleted
    active = Reference.objects.active()
    # The demo exports were written with 9 papers in both PubMed and Embase, printed a little
    # differently (a trailing period, American spelling); the protocol and its review stay apart.
    assert job["result"]["merged"] == 9
    assert active.count() == 22 - 9
    for reference in active:
        databases = {r.search.database for r in reference.records.all()}
        dois = {r.doi for r in reference.records.all() if r.doi}
        assert len(dois) <= 1, f"two different DOIs merged into reference {reference.pk}"
        assert len(databases) == reference.records.count()  # never two records of one export
        records = list(reference.records.all())
        if len(records) > 1:  # the summary shows the best of the merged records
            assert reference.abstract == max((r.abstract for r in records), key=len)
            assert reference.keywords == sorted({k for r in records for k in r.keywords})
            assert reference.doi == next(r.doi for r in records if r.doi)
    merged = client.get(DUPLICATES, status="merged").json()
    assert merged["count"] == job["result"]["merged"]
    assert all(item["auto"] and item["reasons"] for item in merged["items"])


@pytest.mark.django_db(transaction=True)
def test_running_dedup_again_changes_nothing(api, lead, demo_imports) -> None:
    client = api(as_=lead)
    client.post(DEDUP)
    before = (_placement(), DuplicateCandidate.objects.count())
    again = client.get(f"/jobs/{client.post(DEDUP).json()['job']}").json()
    assert again["result"]["merged"] == again["result"]["candidates"] == 0
    assert (_placement(), DuplicateCandidate.objects.count()) == before


@pytest.mark.django_db(transaction=True)
def test_an_unmerge_puts_every_record_back_where_it_was(api, lead, demo_imports) -> None:
    client = api(as_=lead)
    before = _placement()
    client.post(DEDUP)
    candidate = DuplicateCandidate.objects.filter(status="merged").first()
    survivor = candidate.survivor_id
    response = client.post(f"{DUPLICATES}/{candidate.pk}", {"action": "unmerge"})
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    after = _placement()
    for record, reference in before.items():
        if reference in candidate.references:
            assert after[record] == reference
    restored = Reference.objects.filter(pk__in=candidate.references)
    assert all(r.merged_into_id is None for r in restored)
    assert Reference.objects.get(pk=survivor).records.count() == 1
    assert AuditEvent.objects.filter(verb="duplicate.unmerge", actor=lead).exists()


@pytest.mark.django_db
def test_a_person_merges_or_rejects_a_candidate(api, lead, project) -> None:
    first, second, third = (
        Reference.objects.create(project=project, title=t) for t in ("A", "B", "C")
    )
    for reference in (first, second, third):
        Record.objects.create(
            project=project, method="websites", reference=reference, title=reference.title
        )
    merge = DuplicateCandidate.objects.create(
        project=project, references=[first.pk, second.pk], score=0.8
    )
    reject = DuplicateCandidate.objects.create(
        project=project, references=[first.pk, third.pk], score=0.7
    )
    client = api(as_=lead)
    pending = client.get(DUPLICATES, status="pending").json()
    assert [item["id"] for item in pending["items"]] == [merge.pk, reject.pk]
    assert client.post(f"{DUPLICATES}/{merge.pk}", {"action": "merge"}).status_code == 200
    assert Record.objects.filter(reference=first).count() == 2
    assert Reference.objects.get(pk=second.pk).merged_into_id == first.pk
    assert client.post(f"{DUPLICATES}/{reject.pk}", {"action": "reject"}).status_code == 200
    assert Reference.objects.get(pk=third.pk).merged_into_id is None
    again = client.post(f"{DUPLICATES}/{merge.pk}", {"action": "merge"})
    assert again.status_code == 409
    wrong = client.post(f"{DUPLICATES}/{reject.pk}", {"action": "unmerge"})
    assert wrong.status_code == 409
    bad = client.post(f"{DUPLICATES}/{reject.pk}", {"action": "explode"})
    assert bad.status_code == 400


@pytest.mark.django_db
def test_reviewers_cannot_run_or_see_dedup_and_outsiders_learn_nothing(
    api, reviewer_a, outsider, project
) -> None:
    candidate = DuplicateCandidate.objects.create(project=project, references=[1, 2], score=0.5)
    reviewer, stranger = api(as_=reviewer_a), api(as_=outsider)
    assert reviewer.post(DEDUP).status_code == 403
    assert reviewer.get(DUPLICATES).status_code == 403
    assert reviewer.post(f"{DUPLICATES}/{candidate.pk}", {"action": "reject"}).status_code == 403
    assert stranger.post(DEDUP).status_code == 404
    assert stranger.get(DUPLICATES).status_code == 404
    assert stranger.post(f"{DUPLICATES}/{candidate.pk}", {"action": "reject"}).status_code == 404
    assert DuplicateCandidate.objects.get(pk=candidate.pk).status == "pending"


@pytest.mark.django_db
def test_a_candidate_of_another_project_is_404(api, lead, outsider) -> None:
    from screening.models import Project

    other = Project.objects.get(slug="another")
    candidate = DuplicateCandidate.objects.create(project=other, references=[1, 2], score=0.5)
    response = api(as_=lead).post(f"{DUPLICATES}/{candidate.pk}", {"action": "reject"})
    assert response.status_code == 404


@pytest.mark.django_db
def test_an_unknown_status_filter_is_400(api, lead) -> None:
    response = api(as_=lead).get(DUPLICATES, status="maybe")
    assert response.status_code == 400
    assert response.json()["field"] == "status"


@pytest.mark.django_db(transaction=True)
def test_moves_written_in_many_small_statements_land_and_come_back_the_same(
    api, lead, demo_imports, monkeypatch
) -> None:
    from screening.services import merge_moves

    monkeypatch.setattr(merge_moves, "RETARGET_ROWS", 2)  # 9 merges: several statements each
    client = api(as_=lead)
    before = _placement()
    client.post(DEDUP)
    merged = DuplicateCandidate.objects.filter(status="merged")
    assert merged.count() == 9
    placed = _placement()
    for candidate in merged:
        assert {placed[r] for r, ref in before.items() if ref in candidate.references} == {
            candidate.survivor_id
        }
        assert Reference.objects.filter(merged_into=candidate.survivor_id).count() == 1
        client.post(f"{DUPLICATES}/{candidate.pk}", {"action": "unmerge"})
    assert _placement() == before
