"""Decisions carried through a merge (screening.dedup.carry): what moves, what clashes."""

from __future__ import annotations

import pytest

from screening.dedup.carry import Held, carried, clashes, survivors


def vote(id: int, reference: int, value: str, reviewer: str = "a", stage: str = "ta") -> Held:
    return Held("vote", id, reference, (stage, reviewer), value, f"{reviewer} at {stage}")


def report(id: int, reference: int) -> Held:
    return Held("report", id, reference, (), "", "")


def test_votes_the_survivor_lacks_move_and_the_rest_stay() -> None:
    held = [vote(1, 10, "include"), vote(2, 11, "include", reviewer="b"), report(3, 11)]
    assert clashes(held) == []
    assert carried(held, survivor=10) == [report(3, 11), vote(2, 11, "include", reviewer="b")]
    # Reviewer a voted the same on both: the survivor's vote stands, the other stays put.
    same = [vote(1, 10, "include"), vote(2, 11, "include")]
    assert (clashes(same), carried(same, survivor=10), carried(same, survivor=11)) == ([], [], [])


def test_the_lowest_reference_gives_a_decision_several_others_hold_alike() -> None:
    held = [vote(5, 12, "exclude: wrong population"), vote(4, 11, "exclude: wrong population")]
    assert carried(held, survivor=10) == [vote(4, 11, "exclude: wrong population")]


def test_different_votes_of_one_reviewer_clash_and_only_a_holder_may_survive() -> None:
    held = [
        vote(1, 10, "include"),
        vote(2, 11, "exclude: wrong population"),
        vote(3, 12, "include", reviewer="b"),
    ]
    [clash] = clashes(held)
    assert str(clash) == (
        "a at ta: include on reference 10, exclude: wrong population on reference 11"
    )
    assert survivors(clashes(held), [10, 11, 12]) == [10, 11]
    # Reference 11 survives: its exclusion stands, b's vote joins it, a's include stays on 10.
    assert carried(held, survivor=11) == [vote(3, 12, "include", reviewer="b")]


def test_an_exclusion_for_another_reason_is_a_different_decision() -> None:
    held = [vote(1, 10, "exclude: wrong population"), vote(2, 11, "exclude: wrong design")]
    assert len(clashes(held)) == 1


@pytest.mark.parametrize(
    ("held", "allowed"),
    [
        # a differs between 10 and 11, b between 10 and 12: only 10 holds both.
        ([vote(1, 10, "include"), vote(2, 11, "exclude"),
          vote(3, 10, "include", "b"), vote(4, 12, "maybe", "b")], [10]),
        # a differs between 10 and 11, b between 11 and 12: only 11.
        ([vote(1, 10, "include"), vote(2, 11, "exclude"),
          vote(3, 12, "include", "b"), vote(4, 11, "exclude", "b")], [11]),
        # a, b and c each differ on another pair: no one reference settles all three.
        ([vote(1, 10, "include"), vote(2, 11, "exclude"),
          vote(3, 10, "include", "b"), vote(4, 12, "exclude", "b"),
          vote(5, 11, "include", "c"), vote(6, 12, "exclude", "c")], []),
    ],
)  # fmt: skip
def test_only_a_reference_holding_every_clashing_decision_may_survive(
    held: list[Held], allowed: list[int]
) -> None:
    assert survivors(clashes(held), [10, 11, 12]) == allowed
