"""The leaks test_blinding_surfaces.py found, each fixed at its cause (issue 19).

- A reason another reviewer proposed on an open full-text exclusion was listed to every reviewer
  (GET exclusion-reasons, the Reasons page): it said that reviewer had excluded, and why.
- A reviewer naming a new reason another reviewer had proposed on an open vote had no
  "reason.propose" event in their history, as they would have had they been first.

Not a leak, by design: a study settled as included at full text (the two votes agreed, or the
lead resolved it) is a study of the review, and extraction shows it to every member, also while
full text is blind: extractors must see the studies to extract them, and API.md's extraction
runs with no unblinding. Nothing open is shown: a reference still waiting for the other
reviewer's vote is never included.
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
