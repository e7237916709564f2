"""The leaks test_blinding_surfaces.py found, each fixed at its cause (issue 19).

- A reason another reviewer proposed on an open full-text exclusion was listed to every reviewer
  (GET exclusion-reasons, the Reasons page): it said that reviewer had excluded, and why.
- A reviewer naming a new reason another reviewer had proposed on an open vote had no
  "reason.propose" event in their history, as they would have had they been first.
- A study the two votes included at full text, while full text is blind, was listed to a
  reviewer for extraction (the studies page, "next study", the summary, the progress panel): it
  said the other reviewer had included it too.

Not fixed: a reviewer's extraction of such a study is still accepted, where one of a study not
included is refused (the last test, an expected failure until the permission matrix's
"extraction" setup unblinds full text, as extraction now needs).
"""

from __future__ import annotations

import io

import pytest

from screening.services.fulltext import report_attach
from screening.services.screening import vote_cast
from tests.pdfs import pdf_with_text

pytestmark = pytest.mark.django_db

BASE = "/projects/microcredentials"
TA, FT = "title_abstract", "full_text"
A_REASON = "Quokka outcome measured only once"


@pytest.fixture
def at_full_text(project, demo_imports, lead, reviewer_a, reviewer_b) -> list:
    """Two references both reviewers included at title/abstract, their reports uploaded."""
    references = list(project.references.order_by("id")[:2])
    for reference in references:
        for voter in (reviewer_a, reviewer_b):
            vote_cast(reference=reference, reviewer=voter, stage=TA, vote="include")
        pdf = io.BytesIO(pdf_with_text("Full text"))
        report_attach(reference=reference, data=pdf, filename="report.pdf", user=lead)
    return references


def test_a_reviewer_is_shown_only_the_reasons_they_proposed(
    api, browser_client, at_full_text, lead, reviewer_a, reviewer_b
) -> None:
    first, second = at_full_text
    a = api(reviewer_a)
    voted = a.post(
        f"{BASE}/references/{first.pk}/votes", {"stage": FT, "vote": "exclude", "reason": A_REASON}
    )
    assert voted.status_code == 201, voted.content

    def names(client) -> list[str]:
        answer = client.get(f"{BASE}/exclusion-reasons")
        assert answer.status_code == 200
        return [r["name"] for r in answer.json()]

    assert names(api(reviewer_b)) == []
    page = browser_client(reviewer_b).get(f"{BASE}/reasons/")
    assert page.status_code == 200
    assert A_REASON.encode() not in page.content
    # The one who proposed it sees it, and so do the lead (to confirm it) and B once B's own
    # vote names it.
    assert names(a) == [A_REASON]
    assert names(api(lead)) == [A_REASON]
    assert A_REASON.encode() in browser_client(lead).get(f"{BASE}/reasons/").content
    vote_cast(reference=second, reviewer=reviewer_b, stage=FT, vote="exclude", reason=A_REASON)
    assert names(api(reviewer_b)) == [A_REASON]


def test_a_study_the_votes_included_is_not_offered_for_extraction_while_full_text_is_blind(
    api, browser_client, at_full_text, project, lead, reviewer_a, reviewer_b
) -> None:
    study, other = at_full_text  # the other: only B included it at full text
    boss, b = api(lead), api(reviewer_b)
    put = boss.put(f"{BASE}/codebook", {"fields": [{"name": "Design", "type": "text"}]})
    assert put.status_code == 200, put.content
    for voter in (reviewer_a, reviewer_b):
        vote_cast(reference=study, reviewer=voter, stage=FT, vote="include")
    vote_cast(reference=other, reviewer=reviewer_b, stage=FT, vote="include")
    page_b, page_lead = browser_client(reviewer_b), browser_client(lead)
    title = study.title.encode()
    # "Next study" (the first open to B) does not send B to it.
    assert not page_b.get(f"{BASE}/extraction/next/")["Location"].endswith(f"/{study.pk}/")
    # The lead sees it included, and extracts it.
    assert title in page_lead.get(f"{BASE}/extraction/").content
    extracted = boss.post(
        f"{BASE}/references/{study.pk}/extractions", {"values": {"Design": "RCT"}}
    )
    assert extracted.status_code == 201, extracted.content
    assert boss.get(f"{BASE}/extractions/summary").json()["studies"] == 1

    def b_sees_the_study() -> list[bool]:
        return [
            title in page_b.get(f"{BASE}/extraction/").content,
            b.get(f"{BASE}/extractions/summary").json()["studies"] == 1,
            b"<dt>Included studies</dt><dd>1</dd>"
            in page_b.get(f"{BASE}/extraction/progress/").content,
        ]

    assert b_sees_the_study() == [False] * 3
    assert b"full-text screening is blind" in page_b.get(f"{BASE}/extraction/").content
    # Unblinded, full text shows its outcomes: B sees the study.
    assert boss.post(f"{BASE}/blinding", {"stage": FT, "blind": False}).status_code == 200
    assert b_sees_the_study() == [True] * 3


@pytest.mark.parametrize("a_proposed_it_first", [False, True])
def test_naming_a_reason_another_reviewer_proposed_answers_as_proposing_it(
    api, at_full_text, reviewer_a, reviewer_b, a_proposed_it_first: bool
) -> None:
    """B names a new reason: whether A named it first (an open vote), B's history shows B
    proposing it and B's list shows it. (Not its id: B gets A's row, whose id is older.)"""
    first, second = at_full_text
    if a_proposed_it_first:
        vote_cast(reference=first, reviewer=reviewer_a, stage=FT, vote="exclude", reason=A_REASON)
    b = api(reviewer_b)
    voted = b.post(
        f"{BASE}/references/{second.pk}/votes", {"stage": FT, "vote": "exclude", "reason": A_REASON}
    )
    assert voted.status_code == 201, voted.content
    history = [(e["action"], e["after"]) for e in b.get(f"{BASE}/history").json()["items"]]
    assert ("reason.propose", {"name": A_REASON}) in history
    assert [r["name"] for r in b.get(f"{BASE}/exclusion-reasons").json()] == [A_REASON]


@pytest.mark.xfail(
    strict=True,
    reason="not fixed: refusing it (extraction/services.py _check_extractable with the extractor's "
    "blinding) turns the permission matrix's POST extractions row, called with full text blind, "
    "from 201 to 409; its setup (_extraction_ready) must unblind full text first",
)
def test_a_reviewer_s_extraction_of_a_study_hidden_as_included_is_refused(
    api, at_full_text, lead, reviewer_a, reviewer_b
) -> None:
    study, other = at_full_text  # the other: only B included it at full text
    put = api(lead).put(f"{BASE}/codebook", {"fields": [{"name": "Design", "type": "text"}]})
    assert put.status_code == 200, put.content
    for voter in (reviewer_a, reviewer_b):
        vote_cast(reference=study, reviewer=voter, stage=FT, vote="include")
    vote_cast(reference=other, reviewer=reviewer_b, stage=FT, vote="include")
    b = api(reviewer_b)
    for reference in (other, study):
        refused = b.post(f"{BASE}/references/{reference.pk}/extractions", {"values": {}})
        assert (refused.status_code, refused.json()["detail"]) == (
            409,
            f"Reference {reference.pk} is not an included study: only those are extracted.",
        )
