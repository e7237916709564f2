"""The ranked queue on title and abstract: the newest ranking's order, walked from each reviewer's
hint a window at a time, skipping what is not open to the reviewer; references not in the ranking
after it in import order; one query a "next", along the (ranking, position) index."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from screening.models import Project, RankedReference, Ranking, Reference, Resolution, Vote
from screening.selectors import queue
from screening.selectors.queue import next_reference, open_on_title
from screening.services.screening import vote_cast

pytestmark = pytest.mark.django_db

TA = "title_abstract"


@pytest.fixture
def ranked_project(project) -> Project:
    project.title_abstract_order = "ranked"
    project.save()
    return project


def _references(project: Project, n: int) -> list[int]:
    return [Reference.objects.create(project=project, title=f"Reference {i}").pk for i in range(n)]


def _rank(project: Project, order: list[int]) -> Ranking:
    """A ranking in the given order, written as a retrain writes one."""
    found = Ranking.objects.create(project=project, stage=TA, model="logreg")
    RankedReference.objects.bulk_create(
        RankedReference(ranking=found, reference_id=pk, position=i, score=-i)
        for i, pk in enumerate(order)
    )
    return found


def _vote(project: Project, reference: int, reviewer: object, vote: str = "exclude") -> None:
    vote_cast(
        reference=Reference(pk=reference, project_id=project.pk),
        reviewer=reviewer,
        stage=TA,
        vote=vote,
    )


def _open(project: Project, reviewer: object, limit: int = 25) -> list[int]:
    rows = open_on_title(project, reviewer_id=reviewer.pk, ranked=True, limit=limit)
    return [pk for pk, _, _ in rows]


def test_the_queue_follows_the_ranking_s_positions(ranked_project, reviewer_a) -> None:
    ids = _references(ranked_project, 12)
    order = ids[6:] + ids[:6][::-1]
    _rank(ranked_project, order)
    assert _open(ranked_project, reviewer_a) == order
    seen = []
    while (pk := next_reference(ranked_project, reviewer_a, TA)) is not None:
        seen.append(pk)
        _vote(ranked_project, pk, reviewer_a)
    assert seen == order


def test_it_skips_what_the_reviewer_voted_on_and_what_is_settled(
    ranked_project, reviewer_a, reviewer_b, lead
) -> None:
    ids = _references(ranked_project, 8)
    order = ids[::-1]
    _rank(ranked_project, order)
    _vote(ranked_project, order[0], reviewer_a)  # voted by me: not mine to see again
    _vote(ranked_project, order[1], reviewer_b)  # one vote of two: still open to me
    _vote(ranked_project, order[2], reviewer_b)  # two votes: settled
    _vote(ranked_project, order[2], lead)
    Resolution.objects.create(  # resolved by the lead
        project=ranked_project, reference_id=order[3], stage=TA, decision="exclude",
        decided_by=lead,
    )  # fmt: skip
    Reference.objects.filter(pk=order[4]).update(merged_into_id=order[5])  # merged away
    assert _open(ranked_project, reviewer_a) == [order[1], *order[5:]]
    assert _open(ranked_project, reviewer_b) == [order[0], *order[5:]]


def test_references_not_in_the_ranking_come_after_it_in_import_order(
    ranked_project, reviewer_a, reviewer_b
) -> None:
    ids = _references(ranked_project, 6)
    _rank(ranked_project, ids[3:6][::-1])  # the first three were settled when it ran...
    for pk in ids[:3]:
        _vote(ranked_project, pk, reviewer_a)
    Vote.objects.filter(reference_id=ids[1]).delete()  # ...and one was reopened since
    later = _references(ranked_project, 3)  # imported after it
    assert _open(ranked_project, reviewer_b) == [*ids[3:6][::-1], ids[0], ids[1], ids[2], *later]
    assert _open(ranked_project, reviewer_a) == [*ids[3:6][::-1], ids[1], *later]


def test_the_newest_ranking_is_served(ranked_project, reviewer_a) -> None:
    ids = _references(ranked_project, 5)
    _rank(ranked_project, ids)
    _rank(ranked_project, ids[::-1])
    assert _open(ranked_project, reviewer_a) == ids[::-1]


def test_the_walk_crosses_windows_and_keeps_its_hint_per_ranking(
    ranked_project, reviewer_a, reviewer_b, monkeypatch
) -> None:
    monkeypatch.setattr(queue, "_RANKED_WINDOW", 3)
    ids = _references(ranked_project, 10)
    order = [ids[i] for i in (4, 9, 1, 7, 0, 3, 8, 2, 6, 5)]
    _rank(ranked_project, order)
    # Reviewer A has voted on the first five: the hint moves past them, the window after it.
    for pk in order[:5]:
        _vote(ranked_project, pk, reviewer_a)
    assert _open(ranked_project, reviewer_a, 4) == order[5:9]
    assert _open(ranked_project, reviewer_a, 4) == order[5:9]  # from the hint now
    assert _open(ranked_project, reviewer_b, 4) == order[:4]
    # A reopening forgets the hints (as it does in import order): the walk starts over.
    Vote.objects.filter(reference_id=order[1], reviewer=reviewer_a).delete()
    queue.forget_hints(ranked_project)
    assert _open(ranked_project, reviewer_a, 4) == [order[1], *order[5:8]]
    # A new ranking: the hint was taken in the old one, so the walk starts at its top.
    newer = order[::-1]
    _rank(ranked_project, newer)
    assert _open(ranked_project, reviewer_a, 4) == [pk for pk in newer if pk not in order[:5]][:4]


def test_a_next_in_ranked_order_is_one_query(
    ranked_project, reviewer_a, django_assert_max_num_queries
) -> None:
    ids = _references(ranked_project, 40)
    _rank(ranked_project, ids[::-1])
    next_reference(ranked_project, reviewer_a, TA)  # the cached pilot and stop look-ups
    with django_assert_max_num_queries(1):
        first = next_reference(ranked_project, reviewer_a, TA)
    assert first == ids[-1]
    _vote(ranked_project, first, reviewer_a)
    with django_assert_max_num_queries(1):
        assert next_reference(ranked_project, reviewer_a, TA) == ids[-2]


def test_the_walk_uses_the_ranking_s_position_index(ranked_project, reviewer_a) -> None:
    ids = _references(ranked_project, 30)
    _rank(ranked_project, ids[::-1])
    with CaptureQueriesContext(connection) as captured:
        open_on_title(ranked_project, reviewer_id=reviewer_a.pk, ranked=True)
    # The window alone: 25 open references in it, the rest of the ranking is not asked for.
    (sql,) = [q["sql"] for q in captured.captured_queries if "rankedreference" in q["sql"]]
    assert "UNION ALL" not in sql
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table this small is read whole by choice; with that choice taken away the plan
            # shows whether the index can serve the walk at all.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = "\n".join(str(row) for row in cursor.fetchall())
    assert "ranked_reference_order_idx" in plan, plan


def test_a_full_window_is_read_alone_and_a_short_one_with_the_rest(
    ranked_project, reviewer_a
) -> None:
    """The window alone while it holds 25 open references; short (the ranking's end), the
    whole in one query, references imported since the ranking after its own."""
    ids = _references(ranked_project, 40)
    _rank(ranked_project, ids[:30][::-1])  # the last ten imported since
    with CaptureQueriesContext(connection) as captured:
        assert _open(ranked_project, reviewer_a) == ids[:30][::-1][:25]
    (sql,) = [q["sql"] for q in captured.captured_queries if "rankedreference" in q["sql"]]
    assert "UNION ALL" not in sql
    for pk in ids[:30][::-1][:10]:
        _vote(ranked_project, pk, reviewer_a)
    with CaptureQueriesContext(connection) as captured:  # 20 of the ranking left: short
        assert _open(ranked_project, reviewer_a) == ids[:20][::-1] + ids[30:35]
    assert ["UNION ALL" in q["sql"] for q in captured.captured_queries][-2:] == [False, True]
    with CaptureQueriesContext(connection) as captured:  # known short: the whole at once
        assert _open(ranked_project, reviewer_a) == ids[:20][::-1] + ids[30:35]
    ranked_reads = [q["sql"] for q in captured.captured_queries if "rankedreference" in q["sql"]]
    assert len(ranked_reads) == 1
    assert "UNION ALL" in ranked_reads[0]
