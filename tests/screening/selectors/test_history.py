"""A project's history: every vote, resolution, reopening and report is an event, viewable and
exportable; a reviewer sees only their own events, the history being as blind as the screening."""

from __future__ import annotations

import csv
import io
import json

import pytest

pytestmark = pytest.mark.django_db

BASE = "/projects/microcredentials"
TA = "title_abstract"
A_NOTE = "Quokka-3: convinced by the pilot"


@pytest.fixture
def screened(api, demo_imports, lead, reviewer_a, reviewer_b) -> dict[str, int]:
    """A and B disagree on one reference, the lead includes it and then reopens it; B re-votes."""
    boss, a, b = api(lead), api(reviewer_a), api(reviewer_b)
    first, second = (r["id"] for r in boss.get(f"{BASE}/references", limit=2).json()["items"])
    for client, vote, note in ((a, "include", A_NOTE), (b, "exclude", "")):
        answer = client.post(
            f"{BASE}/references/{first}/votes", {"stage": TA, "vote": vote, "note": note}
        )
        assert answer.status_code == 201
    assert (
        b.post(f"{BASE}/references/{second}/votes", {"stage": TA, "vote": "maybe"}).status_code
        == 201
    )
    assert (
        b.post(f"{BASE}/references/{second}/votes", {"stage": TA, "vote": "include"}).status_code
        == 201
    )
    resolved = boss.post(
        f"{BASE}/references/{first}/resolution", {"stage": TA, "decision": "include"}
    )
    assert resolved.status_code == 201
    assert boss.post(f"{BASE}/references/{first}/reopen", {"stage": TA}).status_code == 200
    return {"first": first, "second": second}


def _actions(answer) -> list[tuple[str, str, int | None]]:
    assert answer.status_code == 200, answer.content
    return [(e["action"], e["actor"], e["reference"]) for e in answer.json()["items"]]


def test_the_lead_sees_every_screening_event_newest_first(api, screened, lead) -> None:
    first, second = screened["first"], screened["second"]
    events = _actions(api(lead).get(f"{BASE}/history", kind="", limit=100))
    screening = [e for e in events if e[0].split(".")[0] in {"vote", "resolution", "reference"}]
    assert screening == [
        ("reference.reopen", "lead", first),
        ("resolution.record", "lead", first),
        ("vote.replace", "reviewer_b", second),
        ("vote.cast", "reviewer_b", second),
        ("vote.cast", "reviewer_b", first),
        ("vote.cast", "reviewer_a", first),
    ]
    # The import that came first is there too, at the end.
    assert events[-1][0] in {"project.create", "member.add", "search.import"}


def test_a_replaced_vote_keeps_what_it_was(api, screened, lead) -> None:
    [replaced] = (
        api(lead).get(f"{BASE}/history", kind="vote", actor="reviewer_b").json()["items"][:1]
    )
    assert replaced["action"] == "vote.replace"
    assert (replaced["before"]["vote"], replaced["after"]["vote"]) == ("maybe", "include")


def test_filters_by_kind_person_and_reference(api, screened, lead) -> None:
    boss = api(lead)
    assert {e[0] for e in _actions(boss.get(f"{BASE}/history", kind="vote"))} == {
        "vote.cast",
        "vote.replace",
    }
    assert {e[1] for e in _actions(boss.get(f"{BASE}/history", actor="reviewer_a"))} == {
        "reviewer_a"
    }
    about_first = _actions(boss.get(f"{BASE}/history", reference=screened["first"]))
    assert [e[0] for e in about_first] == [
        "reference.reopen",
        "resolution.record",
        "vote.cast",
        "vote.cast",
    ]
    assert _actions(boss.get(f"{BASE}/history", kind="nothing-like-this")) == []


def test_a_reviewer_sees_only_their_own_events(api, screened, reviewer_b) -> None:
    answer = api(reviewer_b).get(f"{BASE}/history", limit=100)
    assert {e[1] for e in _actions(answer)} == {"reviewer_b"}
    assert len(answer.json()["items"]) == 3
    assert A_NOTE not in answer.content.decode()
    # Asking for someone else's events gives nothing rather than theirs.
    assert _actions(api(reviewer_b).get(f"{BASE}/history", actor="reviewer_a")) == []


def test_the_csv_has_a_row_per_event_with_before_and_after(api, screened, lead) -> None:
    answer = api(lead).get(f"{BASE}/history.csv", kind="vote")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert [(r["who"], r["action"], r["reference"]) for r in rows] == [
        ("reviewer_b", "vote.replace", str(screened["second"])),
        ("reviewer_b", "vote.cast", str(screened["second"])),
        ("reviewer_b", "vote.cast", str(screened["first"])),
        ("reviewer_a", "vote.cast", str(screened["first"])),
    ]
    assert json.loads(rows[0]["before"])["vote"] == "maybe"
    assert json.loads(rows[-1]["after"])["note"] == A_NOTE
    assert rows[-1]["before"] == ""


def test_the_history_page_for_a_lead_and_for_a_reviewer(
    browser_client, screened, lead, reviewer_b, django_assert_max_num_queries
) -> None:
    as_lead = browser_client(lead)
    with django_assert_max_num_queries(8):
        page = as_lead.get(f"{BASE}/history/", {"kind": "vote"})
    assert page.status_code == 200
    html = page.content.decode()
    assert A_NOTE in html
    assert "vote.replace" in html
    assert "resolution.record" not in html
    mine = browser_client(reviewer_b).get(f"{BASE}/history/").content.decode()
    assert "reviewer_b" in mine
    assert A_NOTE not in mine
    assert "reviewer_a" not in mine


def test_the_page_downloads_the_same_csv(browser_client, screened, lead) -> None:
    answer = browser_client(lead).get(f"{BASE}/history/", {"format": "csv", "actor": "reviewer_a"})
    assert answer["Content-Disposition"] == 'attachment; filename="microcredentials-history.csv"'
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert [(r["who"], r["action"]) for r in rows] == [("reviewer_a", "vote.cast")]


def test_a_reference_that_is_not_a_number_is_said_so(browser_client, screened, lead) -> None:
    page = browser_client(lead).get(f"{BASE}/history/", {"reference": "12a"})
    assert page.status_code == 200
    assert "is not a reference number" in page.content.decode()
