"""The stage rules, table by table: no database."""

from __future__ import annotations

import pytest

from screening.workflow import (
    Stage,
    Status,
    Tally,
    full_text_status,
    reaches_full_text,
    visible_status,
    vote_status,
    votes_required,
)

TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT


@pytest.mark.parametrize(
    ("votes", "stage", "expected"),
    [
        ([], TA, Status.PENDING),
        ([("include", None)], TA, Status.PENDING),
        ([("include", None), ("include", None)], TA, Status.INCLUDED),
        ([("maybe", None), ("include", None)], TA, Status.INCLUDED),
        ([("maybe", None), ("maybe", None)], TA, Status.INCLUDED),
        ([("exclude", None), ("exclude", None)], TA, Status.EXCLUDED),
        # At title and abstract a reason is optional, and different reasons do not conflict.
        ([("exclude", 1), ("exclude", 2)], TA, Status.EXCLUDED),
        ([("include", None), ("exclude", None)], TA, Status.CONFLICT),
        ([("maybe", None), ("exclude", 1)], TA, Status.CONFLICT),
        ([("exclude", 1), ("exclude", 1)], FT, Status.EXCLUDED),
        ([("exclude", 1), ("exclude", 2)], FT, Status.CONFLICT),
        ([("include", None), ("exclude", 2)], FT, Status.CONFLICT),
    ],
)
def test_votes_give_the_status(votes, stage, expected) -> None:
    assert vote_status(Tally.of(votes), required=2, stage=stage) == expected


def test_one_vote_decides_when_one_is_required() -> None:
    assert vote_status(Tally.of([("maybe", None)]), required=1, stage=TA) == Status.INCLUDED
    assert vote_status(Tally.of([("exclude", None)]), required=1, stage=TA) == Status.EXCLUDED


@pytest.mark.parametrize(
    ("decision", "expected"), [("include", Status.INCLUDED), ("exclude", Status.EXCLUDED)]
)
def test_a_resolution_settles_a_conflict(decision, expected) -> None:
    conflict = Tally.of([("include", None), ("exclude", 1)])
    assert vote_status(conflict, required=2, stage=FT, resolution=decision) == expected


@pytest.mark.parametrize(
    ("has_report", "not_retrieved", "expected"),
    [
        (False, False, Status.AWAITING_REPORT),
        (False, True, Status.NOT_RETRIEVED),
        (True, False, Status.INCLUDED),
    ],
)
def test_full_text_needs_its_report_first(has_report, not_retrieved, expected) -> None:
    agreed = Tally.of([("include", None), ("include", None)])
    status = full_text_status(
        agreed, required=2, has_report=has_report, not_retrieved=not_retrieved
    )
    assert status == expected


def test_other_methods_skip_title_and_abstract() -> None:
    assert reaches_full_text(from_other_methods=True, title_abstract=Status.PENDING)
    assert reaches_full_text(from_other_methods=False, title_abstract=Status.INCLUDED)
    assert not reaches_full_text(from_other_methods=False, title_abstract=Status.CONFLICT)


def test_a_reviewer_sees_a_conflict_as_pending() -> None:
    assert visible_status(Status.CONFLICT, sees_all_votes=False) == Status.PENDING
    assert visible_status(Status.CONFLICT, sees_all_votes=True) == Status.CONFLICT
    assert visible_status(Status.INCLUDED, sees_all_votes=False) == Status.INCLUDED


def test_a_rapid_review_samples_exactly_its_share_of_every_hundred() -> None:
    for start in (1, 101, 5_437):
        block = range(start, start + 100)
        assert sum(votes_required(i, 1, 20) == 2 for i in block) == 20
    assert all(votes_required(i, 2, 20) == 2 for i in range(1, 200))
    assert all(votes_required(i, 1, 0) == 1 for i in range(1, 200))
