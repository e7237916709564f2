"""Merging references already screened: their votes, resolutions and full texts are kept; where
one reviewer decided differently on the duplicates, the lead chooses whose decisions stand."""

from __future__ import annotations

import pytest

from screening.models import AuditEvent, DuplicateCandidate, Record, Reference, Vote
from screening.selectors.statuses import with_status
from screening.services.conflicts import resolution_record
from screening.services.dedup import dedup_run
from screening.services.fulltext import report_mark_not_retrieved
from screening.services.merges import duplicate_decide
from screening.services.screening import vote_cast
from screening.vocabulary import Status

pytestmark = pytest.mark.django_db

DUPLICATES = "/projects/microcredentials/duplicates"
TA = "title_abstract"


def _reference(project, title: str) -> Reference:
    reference = Reference.objects.create(project=project, title=title)
    Record.objects.create(project=project, method="websites", reference=reference, title=title)
    return reference


def _votes() -> set[tuple[int, str, str]]:
    return set(Vote.objects.values_list("reference_id", "reviewer__username", "vote"))


def _status(reference: Reference) -> str:
    return with_status(Reference.objects.filter(pk=reference.pk), reference.project)[0].status


def _vote(reference: Reference, reviewer: object, vote: str) -> None:
    vote_cast(reference=reference, reviewer=reviewer, stage=TA, vote=vote)


def _candidate(*references: Reference) -> DuplicateCandidate:
    return DuplicateCandidate.objects.create(
        project=references[0].project, references=[r.pk for r in references], score=0.9
    )


@pytest.fixture
def pair(project, lead, reviewer_a, reviewer_b) -> tuple[Reference, Reference]:
    return _reference(project, "Badges for nurses"), _reference(project, "Badges for nurses.")


def test_votes_of_a_merged_reference_follow_it_and_come_back_on_unmerge(
    api, lead, reviewer_a, reviewer_b, pair
) -> None:
    first, second = pair
    _vote(second, reviewer_a, "include")
    _vote(second, reviewer_b, "exclude")
    before = _votes()
    candidate = _candidate(first, second)
    client = api(as_=lead)
    assert client.post(f"{DUPLICATES}/{candidate.pk}", {"action": "merge"}).status_code == 200
    # Both votes now stand on the surviving reference: its status follows from them.
    assert _votes() == {(first.pk, "reviewer_a", "include"), (first.pk, "reviewer_b", "exclude")}
    assert _status(first) == Status.CONFLICT
    merge = AuditEvent.objects.get(verb="duplicate.merge")
    assert {m.get("vote") for m in merge.after["moves"]} - {None} == set(
        Vote.objects.values_list("pk", flat=True)
    )
    assert client.post(f"{DUPLICATES}/{candidate.pk}", {"action": "unmerge"}).status_code == 200
    assert _votes() == before
    assert _status(first) == Status.PENDING


def test_the_same_vote_on_both_needs_no_question_and_nothing_is_lost(
    api, lead, reviewer_a, pair
) -> None:
    first, second = pair
    for reference in pair:
        _vote(reference, reviewer_a, "include")
    before = _votes()
    candidate = _candidate(first, second)
    client = api(as_=lead)
    assert client.post(f"{DUPLICATES}/{candidate.pk}", {"action": "merge"}).status_code == 200
    assert _votes() == before  # the survivor's vote stands; the other stays with its reference
    assert Vote.objects.filter(reference=first).count() == 1


def test_different_votes_of_one_reviewer_ask_the_lead_whose_stand(
    api, lead, reviewer_a, reviewer_b, pair
) -> None:
    first, second = pair
    _vote(first, reviewer_a, "include")
    _vote(second, reviewer_a, "exclude")
    _vote(first, reviewer_b, "include")
    before = _votes()
    candidate = _candidate(first, second)
    client = api(as_=lead)
    asked = client.post(f"{DUPLICATES}/{candidate.pk}", {"action": "merge"})
    assert asked.status_code == 409
    assert asked.json()["field"] == "survivor"
    detail = asked.json()["detail"]
    assert "reviewer_a at title/abstract" in detail
    assert f"include on reference {first.pk}" in detail
    assert f"exclude on reference {second.pk}" in detail
    assert Reference.objects.get(pk=second.pk).merged_into_id is None  # nothing changed
    stranger = client.post(f"{DUPLICATES}/{candidate.pk}", {"action": "merge", "survivor": 999})
    assert stranger.status_code == 400
    # The lead keeps the second reference: reviewer_a's exclusion stands, b's include joins it.
    chosen = client.post(f"{DUPLICATES}/{candidate.pk}", {"action": "merge", "survivor": second.pk})
    assert chosen.status_code == 200
    assert Reference.objects.get(pk=first.pk).merged_into_id == second.pk
    assert Record.objects.filter(reference=second).count() == 2
    assert set(Vote.objects.filter(reference=second).values_list("reviewer__username", "vote")) == {
        ("reviewer_a", "exclude"),
        ("reviewer_b", "include"),
    }
    merge = AuditEvent.objects.get(verb="duplicate.merge")
    assert merge.after["survivor"] == second.pk
    assert merge.after["decided_differently"]
    client.post(f"{DUPLICATES}/{candidate.pk}", {"action": "unmerge"})
    assert _votes() == before


def test_resolutions_and_full_texts_follow_too(lead, reviewer_a, reviewer_b, pair) -> None:
    first, second = pair
    _vote(second, reviewer_a, "include")
    _vote(second, reviewer_b, "exclude")
    resolution_record(reference=second, stage=TA, decision="include", user=lead)
    report_mark_not_retrieved(reference=second, user=lead, note="paywalled")
    candidate = _candidate(first, second)
    duplicate_decide(candidate=candidate, action="merge", actor=lead)
    first.refresh_from_db()
    assert first.resolutions.get().decision == "include"
    assert first.report.not_retrieved
    assert first.report.note == "paywalled"
    duplicate_decide(candidate=candidate, action="unmerge", actor=lead)
    assert not first.resolutions.exists()
    second.refresh_from_db()
    assert second.report.note == "paywalled"
    assert second.resolutions.count() == 1


def test_a_dedup_run_merges_agreeing_screened_duplicates_and_asks_about_the_others(
    api, lead, reviewer_a, project
) -> None:
    from screening.services.imports import SearchDetails, search_import

    nbib = (
        b"PMID- 1\nTI  - Digital badges in nurse education: a cohort\nDP  - 2020\n"
        b"AU  - Smith J\nLID - 10.1000/badges [doi]\n\n"
        b"PMID- 2\nTI  - Simulation for pharmacists: a trial\nDP  - 2019\n"
        b"AU  - Jones K\nLID - 10.1000/simulation [doi]\n"
    )
    search_import(
        project=project,
        data=nbib,
        filename="a.nbib",
        details=SearchDetails(database="PubMed"),
        user=lead,
    )
    first_import = {r.doi: r.reference for r in Record.objects.all()}
    _vote(first_import["10.1000/badges"], reviewer_a, "include")
    _vote(first_import["10.1000/simulation"], reviewer_a, "include")
    # The same two papers again, from another database, screened before dedup ran.
    search_import(
        project=project, data=nbib, filename="b.nbib", user=lead,
        details=SearchDetails(database="Embase", new_search=True),
    )  # fmt: skip
    again = {
        r.doi: r.reference for r in Record.objects.filter(search__database="Embase")
    }  # fmt: skip
    _vote(again["10.1000/badges"], reviewer_a, "include")
    _vote(again["10.1000/simulation"], reviewer_a, "exclude")
    summary = dedup_run(project=project)
    assert (summary["merged"], summary["candidates"]) == (1, 1)
    assert Reference.objects.get(pk=again["10.1000/badges"].pk).merged_into_id == (
        first_import["10.1000/badges"].pk
    )
    waiting = DuplicateCandidate.objects.get(status="pending")
    assert sorted(waiting.references) == sorted(
        [first_import["10.1000/simulation"].pk, again["10.1000/simulation"].pk]
    )
    assert not waiting.auto
    assert any("decided differently: reviewer_a" in reason for reason in waiting.reasons)
    assert Vote.objects.count() == 4  # every vote kept


def test_the_duplicates_page_offers_to_keep_either_reference(
    browser_client, lead, reviewer_a, pair
) -> None:
    first, second = pair
    _vote(first, reviewer_a, "include")
    _vote(second, reviewer_a, "exclude")
    candidate = _candidate(first, second)
    client = browser_client(lead)
    page = client.get("/projects/microcredentials/duplicates/").content.decode()
    assert "Decided differently" in page
    title = page[page.index("<title>") : page.index("</title>")]
    assert "<script" not in title  # the page's keys load in the head, not in its title
    assert "js/duplicates" in page
    assert f"Merge, keeping reference {first.pk}" in page
    assert f"Merge, keeping reference {second.pk}" in page
    response = client.post(
        f"/projects/microcredentials/duplicates/?status=pending&survivor={second.pk}",
        {"candidate": candidate.pk, "action": "merge"},
    )
    assert response.status_code == 302
    assert Reference.objects.get(pk=first.pk).merged_into_id == second.pk
