"""The stage rules, table by table: no database."""

from __future__ import annotations

import pytest

from screening.vocabulary import Stage, Status
from screening.workflow import (
    SEES_ALL,
    Blinding,
    ReferenceFacts,
    Tally,
    full_text_status,
    reaches_full_text,
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


BLIND = Blinding(frozenset({TA.value, FT.value}))
FT_BLIND = Blinding(frozenset({FT.value}))


def _facts(*votes: tuple[str, int, str], **acts: object) -> ReferenceFacts:
    """Two votes needed; (stage, reviewer, vote) each, exclusions at full text for reason 1."""
    return ReferenceFacts(
        required=2,
        votes=tuple(
            (st, who, v, 1 if v == "exclude" and st == FT else None) for st, who, v in votes
        ),
        **acts,
    )


# (the facts, what a blind reviewer is shown, what a lead is shown)
@pytest.mark.parametrize(
    ("facts", "blind", "lead"),
    [
        (_facts(), (TA, Status.PENDING), (TA, Status.PENDING)),
        (_facts((TA, 1, "include")), (TA, Status.PENDING), (TA, Status.PENDING)),
        # An agreement and a conflict look alike to a blind reviewer...
        (
            _facts((TA, 1, "exclude"), (TA, 2, "exclude")),
            (TA, Status.PENDING),
            (TA, Status.EXCLUDED),
        ),
        (
            _facts((TA, 1, "include"), (TA, 2, "exclude")),
            (TA, Status.PENDING),
            (TA, Status.CONFLICT),
        ),
        # ...and an included one stays at title/abstract until a report is there.
        (
            _facts((TA, 1, "include"), (TA, 2, "maybe")),
            (TA, Status.PENDING),
            (FT, Status.AWAITING_REPORT),
        ),
        # A lead's resolution settles it in the open.
        (
            _facts((TA, 1, "include"), (TA, 2, "exclude"), resolutions=((TA, "exclude"),)),
            (TA, Status.EXCLUDED),
            (TA, Status.EXCLUDED),
        ),
        # A report shows the reference reached full text; its votes there stay hidden.
        (
            _facts((TA, 1, "include"), (TA, 2, "include"), has_report=True),
            (FT, Status.PENDING),
            (FT, Status.PENDING),
        ),
        (
            _facts(
                (TA, 1, "include"),
                (TA, 2, "include"),
                (FT, 1, "exclude"),
                (FT, 2, "include"),
                has_report=True,
            ),
            (FT, Status.PENDING),
            (FT, Status.CONFLICT),
        ),
        (
            _facts(
                (TA, 1, "include"),
                (TA, 2, "include"),
                (FT, 1, "include"),
                (FT, 2, "include"),
                has_report=True,
            ),
            (FT, Status.PENDING),
            (FT, Status.INCLUDED),
        ),
        (
            _facts((TA, 1, "include"), (TA, 2, "include"), has_report=True, not_retrieved=True),
            (FT, Status.NOT_RETRIEVED),
            (FT, Status.NOT_RETRIEVED),
        ),
        # Found by other methods: at full text from the start, its report awaited in the open.
        (
            _facts(from_other_methods=True),
            (FT, Status.AWAITING_REPORT),
            (FT, Status.AWAITING_REPORT),
        ),
    ],
)
def test_a_blind_reviewer_is_shown_pending_until_a_lead_settles(
    facts: ReferenceFacts, blind: tuple[str, Status], lead: tuple[str, Status]
) -> None:
    assert facts.shown(BLIND) == blind
    assert facts.shown(SEES_ALL) == lead


def test_every_vote_of_the_other_reviewer_looks_the_same_to_a_blind_reviewer() -> None:
    for mine in ("include", "exclude", "maybe"):
        shown = {
            _facts(*others, (TA, 2, mine)).shown(BLIND)
            for others in ((), ((TA, 1, "include"),), ((TA, 1, "exclude"),), ((TA, 1, "maybe"),))
        }
        assert shown == {(TA, Status.PENDING)}


def test_an_unblinded_stage_shows_its_outcomes_and_conflicts() -> None:
    conflict = _facts((TA, 1, "include"), (TA, 2, "exclude"))
    assert conflict.shown(FT_BLIND) == (TA, Status.CONFLICT)
    agreed = _facts((TA, 1, "include"), (TA, 2, "include"))
    assert agreed.shown(FT_BLIND) == (FT, Status.AWAITING_REPORT)
    at_full_text = _facts(
        (TA, 1, "include"),
        (TA, 2, "include"),
        (FT, 1, "include"),
        (FT, 2, "include"),
        has_report=True,
    )
    assert at_full_text.shown(FT_BLIND) == (FT, Status.PENDING)
    assert at_full_text.shown(Blinding(frozenset({TA.value}))) == (FT, Status.INCLUDED)


def test_what_hides_a_stage() -> None:
    assert BLIND.hides(TA)
    assert not BLIND.hides(TA, resolved={TA.value})
    assert not BLIND.hides(TA, has_report=True)
    assert not BLIND.hides(TA, from_other_methods=True)
    assert BLIND.hides(FT, has_report=True)
    assert not BLIND.hides(FT, resolved={FT.value})
    assert not SEES_ALL.hides(TA)
    assert not FT_BLIND.hides(TA)


def test_a_rapid_review_samples_exactly_its_share_of_every_hundred() -> None:
    for start in (1, 101, 5_437):
        block = range(start, start + 100)
        assert sum(votes_required(i, 1, 20) == 2 for i in block) == 20
    assert all(votes_required(i, 2, 20) == 2 for i in range(1, 200))
    assert all(votes_required(i, 1, 0) == 1 for i in range(1, 200))
