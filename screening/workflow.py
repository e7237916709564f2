"""The stage rules: what votes, a resolution and a report make of a reference. Pure, no Django.

A reference is screened on title and abstract, then on its full text. At each stage it needs a
number of votes (the project's reviewers per reference, or two for the sampled share of a rapid
review). `maybe` moves a reference forward like include when every vote is include or maybe;
include or maybe against exclude is a conflict, and so are two exclusions with different reasons
at full text. Only a lead's resolution settles a conflict. Records found by other methods skip
title and abstract. The status is always computed from these facts, here, and never stored.

`with_status` and `required_expression` (screening/selectors/statuses.py) write the same rules in
SQL so that lists and PRISMA counts can filter and count in the database; a property test checks
that the two agree on random votes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .vocabulary import Decision, ReviewType, Stage, Status, VoteChoice

DECIDED = frozenset({Status.INCLUDED, Status.EXCLUDED, Status.NOT_RETRIEVED})

# What each review type starts with; the lead may change both afterwards.
REVIEW_TYPE_DEFAULTS: dict[ReviewType, tuple[int, int]] = {
    # (reviewers per reference, percent of references given a second reviewer when that is 1)
    ReviewType.SYSTEMATIC: (2, 0),
    # Cochrane's rapid-review guidance: one reviewer screens, a second screens a share (20%).
    ReviewType.RAPID: (1, 20),
    ReviewType.SCOPING: (2, 0),
}

# 61 and 100 are coprime, so `id * 61 % 100` visits every remainder once in any 100 consecutive
# ids: a share of s percent samples exactly s of every 100 references, spread over the block.
SAMPLE_MULTIPLIER = 61


def votes_required(
    reference_id: int, reviewers_per_reference: int, second_share: int, *, in_pilot: bool = False
) -> int:
    """Votes a reference needs at a stage, with a rapid review's sampled second reviewer.

    A reference drawn for a pilot round needs two votes at least, whatever the review type:
    the pilot is there to measure agreement, and one vote agrees with nothing.
    """
    if in_pilot:
        return max(reviewers_per_reference, 2)
    if reviewers_per_reference == 1 and reference_id * SAMPLE_MULTIPLIER % 100 < second_share:
        return 2
    return reviewers_per_reference


@dataclass(frozen=True, slots=True)
class Tally:
    """A reference's votes at one stage, counted: all the rules need to know of them."""

    votes: int = 0
    includes: int = 0  # include or maybe
    excludes: int = 0
    reasons: int = 0  # distinct exclusion reasons among the exclusions

    @classmethod
    def of(cls, votes: list[tuple[str, str | int | None]]) -> Tally:
        """Count (vote, reason) pairs."""
        excludes = [reason for vote, reason in votes if vote == VoteChoice.EXCLUDE]
        return cls(
            votes=len(votes),
            includes=len(votes) - len(excludes),
            excludes=len(excludes),
            reasons=len(set(excludes)),
        )


def vote_status(
    tally: Tally, *, required: int, stage: Stage, resolution: str | None = None
) -> Status:
    """The status the votes and a resolution give, before any report is considered."""
    if resolution is not None:
        return Status.INCLUDED if resolution == Decision.INCLUDE else Status.EXCLUDED
    if tally.votes < required:
        return Status.PENDING
    if tally.excludes == 0:
        return Status.INCLUDED
    if tally.includes == 0 and (stage == Stage.TITLE_ABSTRACT or tally.reasons <= 1):
        return Status.EXCLUDED
    return Status.CONFLICT


def full_text_status(
    tally: Tally,
    *,
    required: int,
    resolution: str | None = None,
    has_report: bool,
    not_retrieved: bool,
) -> Status:
    """Full text: a report (or its absence, marked) comes before any vote."""
    if not_retrieved:
        return Status.NOT_RETRIEVED
    if not has_report:
        return Status.AWAITING_REPORT
    return vote_status(tally, required=required, stage=Stage.FULL_TEXT, resolution=resolution)


def reaches_full_text(*, from_other_methods: bool, title_abstract: Status) -> bool:
    """Included on title and abstract, or found by other methods (PRISMA's right-hand column)."""
    return from_other_methods or title_abstract == Status.INCLUDED


# Statuses a lead's own act makes, not the votes: they tell a reviewer nothing of anyone's vote.
REPORT_STATUSES = frozenset({Status.AWAITING_REPORT, Status.NOT_RETRIEVED})


@dataclass(frozen=True, slots=True)
class Blinding:
    """What a reviewer may see of the references' outcomes.

    Dual screening is blind: nothing a reviewer is shown may differ by how (or whether) another
    reviewer voted. An agreement decides a reference the moment the second vote lands, and a
    conflict does not, so showing either outcome would tell the second voter the first one's
    vote. A stage therefore shows a reviewer every reference as pending (with their own vote)
    until a lead unblinds the stage. Before that, only a lead's own act on a reference shows
    through: a resolution settles its conflict in the open, and a report (or "not retrieved")
    marks it as reaching full text. Leads and admins see everything (`SEES_ALL`).
    """

    blind_stages: frozenset[str] = frozenset()

    def hides(
        self,
        stage: str,
        *,
        resolved: frozenset[str] | set[str] = frozenset(),
        has_report: bool = False,
        from_other_methods: bool = False,
        single_vote: bool = False,
    ) -> bool:
        """Whether the outcome at `stage` of such a reference is hidden from this viewer.

        One vote decides a reference that needs only one (a rapid review's unsampled share):
        there is no second decision to keep independent, and no conflict to hide.
        """
        if stage not in self.blind_stages or stage in resolved or single_vote:
            return False
        # Reaching full text (a report, or found by other methods) shows the first stage's end.
        return not (stage == Stage.TITLE_ABSTRACT and (has_report or from_other_methods))

    def shown(
        self,
        *,
        stage: str,
        title_abstract: Status,
        full_text: Status,
        resolved: frozenset[str] | set[str] = frozenset(),
        has_report: bool = False,
        from_other_methods: bool = False,
        single_vote: bool = False,
    ) -> tuple[str, Status]:
        """The (stage, status) this viewer is shown, from the reference's true ones."""
        facts = {
            "resolved": resolved,
            "has_report": has_report,
            "from_other_methods": from_other_methods,
            "single_vote": single_vote,
        }
        if self.hides(Stage.TITLE_ABSTRACT, **facts):
            return Stage.TITLE_ABSTRACT, Status.PENDING
        if stage != Stage.FULL_TEXT:
            return Stage.TITLE_ABSTRACT, title_abstract
        if full_text in REPORT_STATUSES or not self.hides(Stage.FULL_TEXT, **facts):
            return Stage.FULL_TEXT, full_text
        return Stage.FULL_TEXT, Status.PENDING


SEES_ALL = Blinding()


@dataclass(frozen=True, slots=True)
class ReferenceFacts:
    """Everything the rules read of one reference: its votes, resolutions and report."""

    required: int
    from_other_methods: bool = False
    # (stage, reviewer id, vote, reason id or None)
    votes: tuple[tuple[str, int, str, int | None], ...] = ()
    resolutions: tuple[tuple[str, str], ...] = ()  # (stage, decision)
    has_report: bool = False
    not_retrieved: bool = False

    def votes_at(self, stage: str) -> list[tuple[int, str, int | None]]:
        return [(who, vote, reason) for at, who, vote, reason in self.votes if at == stage]

    def with_vote(self, stage: str, reviewer: int, vote: str, reason: int | None) -> ReferenceFacts:
        """The facts once `reviewer`'s vote at `stage` is this one (cast or replaced)."""
        kept = tuple(v for v in self.votes if (v[0], v[1]) != (stage, reviewer))
        return replace(self, votes=(*kept, (stage, reviewer, vote, reason)))

    def with_resolution(self, stage: str, decision: str) -> ReferenceFacts:
        kept = tuple(r for r in self.resolutions if r[0] != stage)
        return replace(self, resolutions=(*kept, (stage, decision)))

    def state(self) -> dict[str, Status]:
        """The status at each stage, the stage reached, and the status there."""
        resolution = dict(self.resolutions)
        ta = vote_status(
            Tally.of([(v, r) for _, v, r in self.votes_at(Stage.TITLE_ABSTRACT)]),
            required=self.required,
            stage=Stage.TITLE_ABSTRACT,
            resolution=resolution.get(Stage.TITLE_ABSTRACT),
        )
        ft = full_text_status(
            Tally.of([(v, r) for _, v, r in self.votes_at(Stage.FULL_TEXT)]),
            required=self.required,
            resolution=resolution.get(Stage.FULL_TEXT),
            has_report=self.has_report,
            not_retrieved=self.not_retrieved,
        )
        at_full_text = reaches_full_text(
            from_other_methods=self.from_other_methods, title_abstract=ta
        )
        stage = Stage.FULL_TEXT if at_full_text else Stage.TITLE_ABSTRACT
        return {
            Stage.TITLE_ABSTRACT.value: ta,
            Stage.FULL_TEXT.value: ft,
            "stage": stage,
            "status": ft if at_full_text else ta,
        }

    def _lead_acts(self) -> dict[str, Any]:
        return {
            "resolved": frozenset(stage for stage, _ in self.resolutions),
            "has_report": self.has_report or self.not_retrieved,
            "from_other_methods": self.from_other_methods,
            "single_vote": self.required < 2,
        }

    def shown(self, blinding: Blinding) -> tuple[str, Status]:
        """The (stage, status) a viewer with this blinding is shown."""
        state = self.state()
        return blinding.shown(
            stage=state["stage"],
            title_abstract=state[Stage.TITLE_ABSTRACT],
            full_text=state[Stage.FULL_TEXT],
            **self._lead_acts(),
        )

    def hidden_at(self, stage: str, blinding: Blinding) -> bool:
        """Whether this reference's outcome at `stage` is hidden from a viewer with `blinding`."""
        return blinding.hides(stage, **self._lead_acts())
