"""The screening, conflicts and settings pages, through Django's test client (the keys and the
browser itself are tests/e2e)."""

from __future__ import annotations

import re

import pytest

from screening.models import AuditEvent, Reference, Resolution, Vote
from screening.views.screening import SCREEN_AHEAD

pytestmark = pytest.mark.django_db

BASE = "/projects/microcredentials"
TA = "title_abstract"
HTMX = {"HX-Request": "true"}


def _first(api, lead) -> int:
    return api(lead).get(f"{BASE}/references", limit=1).json()["items"][0]["id"]


def test_the_page_shows_the_next_reference_and_a_vote_brings_the_following(
    browser_client, demo_imports, api, lead, reviewer_a, django_assert_max_num_queries
) -> None:
    client = browser_client(reviewer_a)
    page = client.get(f"{BASE}/screen/")
    first = _first(api, lead)
    assert page.status_code == 200
    assert f"reference {first}" in page.content.decode()
    # The vote, and one more card to hold (rendered) past those the page holds.
    held = [int(n) for n in re.findall(r'data-reference="(\d+)"', page.content.decode())]
    assert held[0] == first
    assert len(set(held)) == 1 + SCREEN_AHEAD
    # Session, user, project and membership; the vote (the reference locked, its facts, the
    # vote, its audit row, in a savepoint); the queue; the card and its records.
    with django_assert_max_num_queries(12):
        answer = client.post(
            f"{BASE}/screen/{first}/vote/",
            {
                "stage": TA,
                "vote": "exclude",
                "shown": held[1],
                "skip": ",".join(map(str, held[2:])),
                "ahead": 1,
            },
            headers=HTMX,
        )
    html = answer.content.decode()
    assert 'id="vote-saved"' in html
    assert 'data-vote="exclude"' in html
    assert f"Voted exclude on reference {first}." in html
    cards = [int(n) for n in re.findall(r'<article class="reference" data-reference="(\d+)"', html)]
    assert len(cards) == 1
    assert cards[0] not in held
    assert Vote.objects.get(reference_id=first, reviewer=reviewer_a).vote == "exclude"


def test_the_vote_s_answer_counts_the_reviewer_s_votes_with_a_card_or_none_left(
    browser_client, demo_imports, api, lead, reviewer_a
) -> None:
    client = browser_client(reviewer_a)
    ids = [r["id"] for r in api(lead).get(f"{BASE}/references", limit=200).json()["items"]]
    with_card = client.post(
        f"{BASE}/screen/{ids[0]}/vote/",
        {"stage": TA, "vote": "include", "ahead": 1},
        headers=HTMX,
    ).content.decode()
    assert 'data-my-votes="1"' in with_card
    assert '<template class="card-ahead">' in with_card
    assert 'You have cast <span class="my-votes">1 vote</span>' in with_card
    none_left = client.post(
        f"{BASE}/screen/{ids[1]}/vote/",
        {"stage": TA, "vote": "include", "skip": ",".join(map(str, ids[2:])), "ahead": 1},
        headers=HTMX,
    ).content.decode()
    assert 'data-my-votes="2"' in none_left
    assert '<template class="card-ahead">' not in none_left
    assert 'You have cast <span class="my-votes">2 votes</span>' in none_left


def test_a_reason_the_lead_changes_is_on_the_next_cards_the_page_gets(
    browser_client, demo_imports, api, lead, reviewer_a
) -> None:
    client = browser_client(reviewer_a)
    client.get(f"{BASE}/screen/")  # the cards' reasons are read, and kept
    boss = api(lead)
    added = boss.post(f"{BASE}/exclusion-reasons", {"name": "Wrong population"}).json()
    cards = client.get(f"{BASE}/screen/", {"stage": TA, "ahead": 1}, headers=HTMX)
    assert "Wrong population" in cards.content.decode()
    boss.patch(f"{BASE}/exclusion-reasons/{added['id']}", {"retired": True})
    cards = client.get(f"{BASE}/screen/", {"stage": TA, "ahead": 1}, headers=HTMX)
    assert "Wrong population" not in cards.content.decode()


def test_a_vote_from_the_page_on_a_reference_of_another_project_is_404(
    browser_client, demo_imports, reviewer_a, outsider
) -> None:
    theirs = Reference.objects.create(project=outsider.memberships.get().project, title="Theirs")
    answer = browser_client(reviewer_a).post(
        f"{BASE}/screen/{theirs.pk}/vote/", {"stage": TA, "vote": "include"}, headers=HTMX
    )
    assert answer.status_code == 404
    assert not Vote.objects.filter(reference=theirs).exists()


def test_without_script_a_vote_redirects_to_the_next(
    browser_client, demo_imports, api, lead, reviewer_a
) -> None:
    first = _first(api, lead)
    answer = browser_client(reviewer_a).post(
        f"{BASE}/screen/{first}/vote/", {"stage": TA, "vote": "include"}
    )
    assert answer.status_code == 302
    assert f"previous={first}" in answer.url


def test_going_back_shows_one_s_own_vote_only(
    browser_client, api, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    first = _first(api, lead)
    api(reviewer_a).post(
        f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "include", "note": "A's secret"}
    )
    api(reviewer_b).post(f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "exclude"})
    page = browser_client(reviewer_b).get(f"{BASE}/screen/", {"reference": first}).content.decode()
    assert "Your vote: <strong>exclude</strong>" in page
    assert "A&#x27;s secret" not in page
    assert "A's secret" not in page


def test_a_refused_vote_answers_the_page_s_script_with_its_reason(
    browser_client, demo_imports, api, lead, reviewer_a, reviewer_b
) -> None:
    first = _first(api, lead)
    client = browser_client(reviewer_a)
    answer = client.post(
        f"{BASE}/screen/{first}/vote/", {"stage": TA, "vote": "perhaps"}, headers=HTMX
    )
    assert answer.status_code == 400
    assert answer.json() == {"detail": "vote must be include, exclude or maybe."}
    # Decided by others meanwhile: a 409 the page shows as it drops the vote.
    api(lead).post(f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "include"})
    api(reviewer_b).post(f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "include"})
    answer = client.post(
        f"{BASE}/screen/{first}/vote/", {"stage": TA, "vote": "exclude"}, headers=HTMX
    )
    assert answer.status_code == 409
    assert answer.json()["detail"]
    assert not Vote.objects.filter(reviewer=reviewer_a).exists()


def test_an_expired_session_gets_a_401_from_the_script_and_the_login_page_without_it(
    client, demo_imports, api, lead
) -> None:
    first = _first(api, lead)
    url = f"{BASE}/screen/{first}/vote/"
    answer = client.post(url, {"stage": TA, "vote": "include"}, headers=HTMX)
    assert answer.status_code == 401
    assert answer.json() == {"detail": "Your session has ended: log in again."}
    assert client.get(f"{BASE}/screen/", {"ahead": 1}, headers=HTMX).status_code == 401
    plain = client.post(url, {"stage": TA, "vote": "include"})
    assert plain.status_code == 302
    assert plain.url.startswith("/login/")
    assert not Vote.objects.exists()


def test_terms_are_highlighted_and_settings_are_audited(
    browser_client, demo_imports, lead, reviewer_a
) -> None:
    saved = browser_client(lead).post(
        f"{BASE}/settings/",
        {
            "eligibility_criteria": "Health professionals",
            "include_terms": "microcredential*",
            "exclude_terms": "undergraduate",
        },
        follow=True,
    )
    assert "Saved" in saved.content.decode()
    assert AuditEvent.objects.filter(verb="project.screening_settings").count() == 1
    page = browser_client(reviewer_a).get(f"{BASE}/screen/").content.decode()
    assert '<mark class="term-include">' in page
    assert "Health professionals" in page
    assert browser_client(reviewer_a).get(f"{BASE}/settings/").status_code == 403


def test_the_lead_resolves_a_conflict_on_its_page(
    browser_client, api, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    first = _first(api, lead)
    api(reviewer_a).post(
        f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "include", "note": "fits"}
    )
    api(reviewer_b).post(f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "exclude"})
    assert browser_client(reviewer_a).get(f"{BASE}/conflicts/").status_code == 403
    page = browser_client(lead).get(f"{BASE}/conflicts/").content.decode()
    assert "reviewer_a" in page
    assert "fits" in page
    done = (
        browser_client(lead)
        .post(
            f"{BASE}/conflicts/",
            {"reference": first, "stage": TA, "decision": "include"},
            follow=True,
        )
        .content.decode()
    )
    assert f"Reference {first}: included" in done
    assert "No conflicts" in done
    assert Resolution.objects.get(reference_id=first).decision == "include"


def test_the_conflicts_page_flags_a_vote_changed_after_the_other(
    browser_client, api, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    first = _first(api, lead)
    api(reviewer_a).post(f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "include"})
    api(reviewer_b).post(f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "maybe"})
    page = browser_client(lead).get(f"{BASE}/conflicts/").content.decode()
    assert "No conflicts" in page  # include and maybe agree
    changed = api(reviewer_b).post(
        f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "exclude"}
    )
    assert changed.status_code == 201
    page = browser_client(lead).get(f"{BASE}/conflicts/").content.decode()
    assert "changed after the other vote (first: maybe)" in page
    assert page.count("changed after the other vote") == 1  # A's vote is not flagged
    report = browser_client(lead).get(f"{BASE}/report/").content.decode()
    assert "1 vote changed after the other reviewer had voted" in report


def test_outsiders_get_404_on_the_new_pages(
    browser_client, demo_imports, outsider, api, lead
) -> None:
    client = browser_client(outsider)
    first = _first(api, lead)
    for path in [
        "screen/",
        "conflicts/",
        "settings/",
        "references/",
        "full-texts/",
        "reasons/",
        f"references/{first}/report.pdf",
    ]:
        assert client.get(f"{BASE}/{path}").status_code == 404, path


def _listed(page) -> list[int]:
    import re

    return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>\s*<td><a href', page)]


def test_references_are_found_by_words_year_status_and_own_vote(
    browser_client, api, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    first = _first(api, lead)
    api(reviewer_a).post(f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "include"})
    api(reviewer_b).post(f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "exclude"})
    client = browser_client(reviewer_a)
    everything = _listed(client.get(f"{BASE}/references/").content.decode())
    assert len(everything) == 22
    badges = _listed(client.get(f"{BASE}/references/", {"q": "digital badges"}).content.decode())
    assert first in badges
    assert 0 < len(badges) < 22
    assert _listed(client.get(f"{BASE}/references/", {"mine": "include"}).content.decode()) == [
        first
    ]
    assert first not in _listed(
        client.get(f"{BASE}/references/", {"mine": "none"}).content.decode()
    )
    # A conflict is pending to a reviewer, in the filter as in the list; the lead sees it.
    as_a = client.get(f"{BASE}/references/", {"status": "pending"}).content.decode()
    assert first in _listed(as_a)
    assert _listed(client.get(f"{BASE}/references/", {"status": "conflict"}).content.decode()) == []
    as_lead = (
        browser_client(lead).get(f"{BASE}/references/", {"status": "conflict"}).content.decode()
    )
    assert _listed(as_lead) == [first]
    year = Reference.objects.get(pk=first).year
    in_year = _listed(client.get(f"{BASE}/references/", {"year": str(year)}).content.decode())
    assert first in in_year
    assert all(Reference.objects.get(pk=r).year == year for r in in_year)
    refused = client.get(f"{BASE}/references/", {"year": "20x1"}).content.decode()
    assert "is not a year" in refused


def test_full_texts_are_uploaded_or_marked_not_retrieved_on_their_page(
    browser_client, api, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from screening.models import Report
    from tests.pdfs import pdf_with_text

    refs = [r["id"] for r in api(lead).get(f"{BASE}/references", limit=2).json()["items"]]
    for reference in refs:
        for who in (reviewer_a, reviewer_b):
            api(who).post(f"{BASE}/references/{reference}/votes", {"stage": TA, "vote": "include"})
    client = browser_client(lead)
    queue = client.get(f"{BASE}/full-texts/").content.decode()
    assert all(f"reference {r}" in queue for r in refs)
    pdf = SimpleUploadedFile("paper.pdf", pdf_with_text("Badges for nurses"), "application/pdf")
    done = client.post(f"{BASE}/full-texts/", {"reference": refs[0], "file": pdf}, follow=True)
    assert f"Reference {refs[0]}: paper.pdf kept" in done.content.decode()
    missing = client.post(
        f"{BASE}/full-texts/",
        {"reference": refs[1], "action": "not_retrieved", "note": "no library has it"},
        follow=True,
    ).content.decode()
    assert f"Reference {refs[1]} marked not retrieved." in missing
    assert "No full text is waiting to be retrieved." in missing
    assert (
        "no library has it"
        in client.get(f"{BASE}/full-texts/", {"tab": "not_retrieved"}).content.decode()
    )
    assert Report.objects.get(reference_id=refs[1]).not_retrieved
    # The PDF's words are found by the references page, and the PDF is served to members.
    found = client.get(f"{BASE}/references/", {"q": "nurses"}).content.decode()
    assert refs[0] in _listed(found)
    served = browser_client(reviewer_a).get(f"{BASE}/references/{refs[0]}/report.pdf")
    assert served.status_code == 200
    assert served["X-Frame-Options"] == "SAMEORIGIN"  # the screening page frames it
    assert served["Content-Type"] == "application/pdf"
    assert browser_client(reviewer_a).get(f"{BASE}/full-texts/").status_code == 403


def test_a_pdf_that_is_not_one_is_refused_on_the_page(
    browser_client, api, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    reference = _first(api, lead)
    for who in (reviewer_a, reviewer_b):
        api(who).post(f"{BASE}/references/{reference}/votes", {"stage": TA, "vote": "include"})
    fake = SimpleUploadedFile("paper.pdf", b"<html>not a pdf</html>", "application/pdf")
    page = browser_client(lead).post(
        f"{BASE}/full-texts/", {"reference": reference, "file": fake}, follow=True
    )
    assert f"Reference {reference}: " in page.content.decode()
    assert "PDF" in page.content.decode()
    from screening.models import Report

    assert not Report.objects.exists()


def test_leads_add_reasons_reviewers_read_them(
    browser_client, demo_imports, lead, reviewer_a
) -> None:
    added = browser_client(lead).post(
        f"{BASE}/reasons/", {"name": "  Wrong   population "}, follow=True
    )
    assert "“Wrong population” is on the list." in added.content.decode()
    assert "Wrong population" in browser_client(reviewer_a).get(f"{BASE}/reasons/").content.decode()
    assert browser_client(reviewer_a).post(f"{BASE}/reasons/", {"name": "Mine"}).status_code == 403
    again = browser_client(lead).post(f"{BASE}/reasons/", {"name": "wrong population"}, follow=True)
    assert "error" in again.content.decode()


def test_the_report_answers_htmx_with_its_live_part_only(
    browser_client, demo_imports, lead
) -> None:
    dashboard = browser_client(lead).get(f"{BASE}/").content.decode()
    assert f'hx-get="{BASE}/report/"' in dashboard
    part = browser_client(lead).get(f"{BASE}/report/", headers=HTMX).content.decode()
    assert "<svg" in part
    assert "<html" not in part


def test_a_lead_merges_every_set_above_a_score_at_once(
    browser_client, demo_imports, project, lead, reviewer_a
) -> None:
    from screening.models import DuplicateCandidate

    r = list(Reference.objects.active().order_by("id").values_list("pk", flat=True)[:7])

    def waiting(score: float, *pair: int) -> DuplicateCandidate:
        return DuplicateCandidate.objects.create(
            project=project, references=list(pair), score=score
        )

    first = waiting(0.97, r[0], r[1])
    overlapping = waiting(0.96, r[1], r[2])  # r[1] goes into r[0] first: this one cannot merge
    other = waiting(0.96, r[3], r[4])
    low = waiting(0.80, r[5], r[6])
    client = browser_client(lead)
    done = client.post(
        f"{BASE}/duplicates/", {"action": "merge_above", "score": "0.95"}, follow=True
    )
    assert "Merged 2 sets; 1 left waiting (merged elsewhere since" in done.content.decode()
    statuses = dict(DuplicateCandidate.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: "merged",
        overlapping.pk: "pending",
        other.pk: "merged",
        low.pk: "pending",
    }
    assert AuditEvent.objects.filter(verb="duplicate.merge", actor=lead).count() == 2
    refused = client.post(
        f"{BASE}/duplicates/", {"action": "merge_above", "score": "lots"}, follow=True
    )
    assert "between 0 and 1" in refused.content.decode()
    assert (
        browser_client(reviewer_a)
        .post(f"{BASE}/duplicates/", {"action": "merge_above", "score": "0.5"})
        .status_code
        == 403
    )
    assert DuplicateCandidate.objects.filter(status="merged").count() == 2


def test_conflicts_are_filtered_by_reviewer_pair(
    browser_client, api, project, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    from tests.factories import MembershipFactory

    reviewer_c = MembershipFactory(project=project, user__username="reviewer_c").user
    first, second = (r["id"] for r in api(lead).get(f"{BASE}/references", limit=2).json()["items"])
    for reference, (x, y) in (
        (first, (reviewer_a, reviewer_b)),
        (second, (reviewer_a, reviewer_c)),
    ):
        api(x).post(f"{BASE}/references/{reference}/votes", {"stage": TA, "vote": "include"})
        api(y).post(f"{BASE}/references/{reference}/votes", {"stage": TA, "vote": "exclude"})
    client = browser_client(lead)

    def shown(**params: str) -> set[int]:
        import re

        page = client.get(f"{BASE}/conflicts/", params).content.decode()
        return {int(n) for n in re.findall(r'id="conflict-(\d+)"', page)}

    assert shown() == {first, second}
    assert shown(pair="reviewer_a,reviewer_b") == {first}
    assert shown(pair="reviewer_a,reviewer_c") == {second}
    assert shown(pair="reviewer_b,reviewer_c") == set()
    assert 'value="reviewer_a,reviewer_c"' in client.get(f"{BASE}/conflicts/").content.decode()


def test_the_exports_page_downloads_decisions_at_a_stage_and_status(
    browser_client, api, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    import csv
    import io

    first = _first(api, lead)
    for who in (reviewer_a, reviewer_b):
        api(who).post(
            f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "exclude", "note": "no"}
        )
    client = browser_client(lead)
    assert "decisions.xlsx" in client.get(f"{BASE}/exports/").content.decode()
    answer = client.get(f"{BASE}/downloads/decisions.csv", {"stage": TA, "status": "excluded"})
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert len(rows) == 1
    everything = client.get(f"{BASE}/downloads/decisions.csv")
    assert len(list(csv.DictReader(io.StringIO(everything.content.decode())))) == 22
    assert client.get(f"{BASE}/downloads/secrets.txt").status_code == 404
    assert browser_client(reviewer_a).get(f"{BASE}/exports/").status_code == 403
    assert browser_client(reviewer_a).get(f"{BASE}/downloads/decisions.csv").status_code == 403


def test_the_team_s_progress_beside_the_screen_hides_conflicts_from_reviewers(
    browser_client, api, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    first = _first(api, lead)
    api(reviewer_a).post(f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "include"})
    api(reviewer_b).post(f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "exclude"})
    page = browser_client(reviewer_a).get(f"{BASE}/screen/").content.decode()
    assert f'hx-get="{BASE}/screen/team/?stage={TA}"' in page
    mine = (
        browser_client(reviewer_a)
        .get(f"{BASE}/screen/team/", {"stage": TA}, headers=HTMX)
        .content.decode()
    )
    assert "<dt>Pending or waiting for the team</dt><dd>22</dd>" in mine
    assert "Conflicts waiting" not in mine
    assert "This stage is blind" in mine
    lead_view = (
        browser_client(lead)
        .get(f"{BASE}/screen/team/", {"stage": TA}, headers=HTMX)
        .content.decode()
    )
    assert "<dt>Waiting for votes</dt><dd>21</dd>" in lead_view
    assert f'?stage={TA}">1</a>' in lead_view


def test_the_cards_ahead_are_never_those_the_page_holds_or_has_votes_queued_for(
    browser_client, api, demo_imports, lead, reviewer_a
) -> None:
    client = browser_client(reviewer_a)
    page = client.get(f"{BASE}/screen/").content.decode()
    held = [int(n) for n in re.findall(r'<article class="reference" data-reference="(\d+)"', page)]
    assert page.count('<template class="card-ahead">') == SCREEN_AHEAD
    # The page shows held[3] and holds held[4:] ahead; its votes on held[1] and held[2] are
    # queued behind this one on held[0], not saved yet: none of them is handed out again.
    answer = client.post(
        f"{BASE}/screen/{held[0]}/vote/",
        {
            "stage": TA,
            "vote": "include",
            "shown": held[3],
            "skip": ",".join(map(str, [*held[1:3], *held[4:]])),
            "ahead": 3,
        },
        headers=HTMX,
    ).content.decode()
    cards = [
        int(n) for n in re.findall(r'<article class="reference" data-reference="(\d+)"', answer)
    ]
    assert len(cards) == 3
    assert not set(cards) & set(held)
    # The same rule when the page asks for cards without a vote; the asked one comes first.
    more = client.get(
        f"{BASE}/screen/",
        {"stage": TA, "ahead": 2, "skip": ",".join(map(str, held + cards))},
        headers=HTMX,
    ).content.decode()
    fetched = [
        int(n) for n in re.findall(r'<article class="reference" data-reference="(\d+)"', more)
    ]
    assert len(fetched) == 3
    assert not set(fetched) & set(held + cards)
    again = client.get(
        f"{BASE}/screen/", {"stage": TA, "reference": held[0], "ahead": 0}, headers=HTMX
    ).content.decode()
    assert re.findall(r'data-reference="(\d+)"', again) == [str(held[0])]
    assert "Your vote: <strong>include</strong>" in again


def test_at_the_end_the_page_is_told_there_are_no_more(
    browser_client, api, demo_imports, lead, reviewer_a
) -> None:
    client = browser_client(reviewer_a)
    ids = [r["id"] for r in api(lead).get(f"{BASE}/references", limit=200).json()["items"]]
    answer = client.get(
        f"{BASE}/screen/",
        {"stage": TA, "ahead": 5, "skip": ",".join(map(str, ids[:-2]))},
        headers=HTMX,
    ).content.decode()
    assert answer.count('<template class="card-ahead">') == 2
    assert '<template class="card-end">' in answer
    assert "Nothing left to screen" in answer
