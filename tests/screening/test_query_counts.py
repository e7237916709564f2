"""The hot paths of screening in queries: "next" and a vote each touch a handful of indexed rows,
and no list or page grows its number of queries with the number of references on it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

BASE = "/projects/microcredentials"
TA = "title_abstract"


def _queries(call) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        answer = call()
    assert answer.status_code in {200, 201}, answer.content
    return [q["sql"] for q in captured.captured_queries]


def _screening(sqls: list[str]) -> list[str]:
    """The queries of the screening itself: not the token, membership or transaction ones."""
    skip = ("screening_apitoken", "screening_membership", "SAVEPOINT", "RELEASE SAVEPOINT")
    return [s for s in sqls if not any(word in s for word in skip)]


def test_next_is_one_query_for_the_reference_and_two_to_show_it(
    api, demo_imports, reviewer_a
) -> None:
    client = api(reviewer_a)
    client.get(f"{BASE}/references/next", stage=TA)  # the first call fills the cached hints
    for _ in range(3):
        sqls = _screening(_queries(lambda: client.get(f"{BASE}/references/next", stage=TA)))
        # The open-reference query, then the reference and its records to show.
        assert len(sqls) == 3, sqls
        assert "screening_vote" in sqls[0]
        reference = client.get(f"{BASE}/references/next", stage=TA).json()["id"]
        client.post(f"{BASE}/references/{reference}/votes", {"stage": TA, "vote": "include"})


def test_a_vote_reads_its_reference_s_facts_in_one_query(api, demo_imports, reviewer_a) -> None:
    client = api(reviewer_a)
    reference = client.get(f"{BASE}/references/next", stage=TA).json()["id"]
    sqls = _screening(
        _queries(
            lambda: client.post(
                f"{BASE}/references/{reference}/votes", {"stage": TA, "vote": "include"}
            )
        )
    )
    reads = [s for s in sqls if s.lstrip().startswith("SELECT")]
    writes = [s.split()[2] for s in sqls if s.startswith("INSERT")]
    # The reference's row, locked (which is also the 404 check), then its votes, resolutions
    # and report at once.
    assert len(reads) == 2, reads
    assert "FOR UPDATE" in reads[0] or connection.vendor == "sqlite"  # SQLite locks the file
    assert writes == ['"screening_vote"', '"screening_auditevent"']


@pytest.mark.parametrize("path", ["/references", "/conflicts", "/history", "/progress"])
def test_lists_do_not_grow_with_their_length(api, demo_imports, lead, reviewer_a, path) -> None:
    boss, a = api(lead), api(reviewer_a)
    boss.get(f"{BASE}{path}")  # the token's first use of the minute writes its last_used_at
    short = len(_queries(lambda: boss.get(f"{BASE}{path}", limit=2)))
    for _ in range(8):
        reference = a.get(f"{BASE}/references/next", stage=TA).json()["id"]
        a.post(f"{BASE}/references/{reference}/votes", {"stage": TA, "vote": "include"})
    long = len(_queries(lambda: boss.get(f"{BASE}{path}", limit=20)))
    assert long == short


def test_a_vote_on_a_reference_of_another_project_is_404_and_changes_nothing(
    api, demo_imports, reviewer_a, outsider
) -> None:
    from screening.models import Reference, Vote

    theirs = Reference.objects.create(project=outsider.memberships.get().project, title="Theirs")
    answer = api(reviewer_a).post(
        f"{BASE}/references/{theirs.pk}/votes", {"stage": TA, "vote": "include"}
    )
    assert answer.status_code == 404
    assert not Vote.objects.filter(reference=theirs).exists()


@pytest.mark.parametrize("status", ["pending", "merged", "rejected"])
@pytest.mark.parametrize("q", ["", "badges"])
def test_the_duplicates_page_does_not_grow_with_its_sets(
    browser_client, project, lead, reviewer_a, status, q
) -> None:
    from screening.models import Reference
    from screening.services.screening import vote_cast
    from tests.screening import duplicate_sets

    client = browser_client(lead)
    page = "/projects/microcredentials/duplicates/"
    few = duplicate_sets.pairs(project, 2, status=status, title="Badges")
    # Decisions on the waiting sets' references: read for every set shown, to mark differences.
    for candidate in few if status == "pending" else []:
        for reference in candidate.references:
            vote_cast(
                reference=Reference.objects.get(pk=reference),
                reviewer=reviewer_a,
                stage=TA,
                vote="include",
            )
    short = len(_queries(lambda: client.get(page, {"status": status, "q": q})))
    duplicate_sets.pairs(project, 30, status=status, title="Badges")  # more than a page
    long = len(_queries(lambda: client.get(page, {"status": status, "q": q, "page": 1})))
    assert long == short
