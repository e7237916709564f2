"""Conflicts for leads to resolve, and the votes agreement is computed from."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from ..models import Pilot, Project, Reference, Vote
from ..vocabulary import Stage, Status
from .statuses import screened_references

TA, FT = Stage.TITLE_ABSTRACT.value, Stage.FULL_TEXT.value


def conflicts(
    project: Project, stage: str = "", *, between: tuple[str, str] | None = None
) -> QuerySet[Reference]:
    """References in conflict, at one stage or either, in import order; with `between`, only
    those on which these two reviewers (usernames) both voted at the conflict's stage."""
    references = screened_references(project)
    at_stage = {
        TA: Q(ta_status=Status.CONFLICT.value),
        FT: Q(stage=FT, ft_status=Status.CONFLICT.value),
    }
    wanted = at_stage[stage] if stage else at_stage[TA] | at_stage[FT]
    references = references.filter(wanted)
    if between:
        for username in between:
            voted = Vote.objects.filter(reference=OuterRef("pk"), reviewer__username=username)
            references = references.filter(
                (at_stage[TA] & Exists(voted.filter(stage=TA)))
                | (at_stage[FT] & Exists(voted.filter(stage=FT)))
            )
    return references.order_by("id")


def conflict_pairs(project: Project) -> list[tuple[str, str]]:
    """The pairs of reviewers who have voted on the same references: the conflicts page's filter."""
    voters = (
        Vote.objects.filter(project=project)
        .values_list("reviewer__username", flat=True)
        .distinct()
        .order_by("reviewer__username")
    )
    names = list(voters)
    return [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]


def conflicts_with_votes(references: list[Reference]) -> list[dict[str, Any]]:
    """Each conflict with every vote at its stage: one query for the votes of the whole page."""
    stage_of = {
        r.pk: FT if r.stage == FT and r.ft_status == Status.CONFLICT else TA for r in references
    }
    votes: dict[int, list[dict[str, str]]] = {r.pk: [] for r in references}
    rows = (
        Vote.objects.filter(reference__in=list(stage_of))
        .select_related("reviewer", "reason")
        .order_by("reviewer__username")
    )
    for vote in rows:
        if vote.stage == stage_of[vote.reference_id]:
            votes[vote.reference_id].append(
                {
                    "reviewer": vote.reviewer.get_username(),
                    "vote": vote.vote,
                    "reason": vote.reason.name if vote.reason_id else "",
                    "note": vote.note,
                    "first_vote": vote.first_vote,
                    "changed_after_others": vote.changed_after_others_at is not None,
                }
            )
    return [
        {"reference": r.pk, "stage": stage_of[r.pk], "title": r.title, "votes": votes[r.pk]}
        for r in references
    ]


def votes_by_reference(
    project: Project, stage: str, *, pilot: Pilot | None = None
) -> dict[int, dict[str, str]]:
    """{reference id: {reviewer: vote}} at a stage, over references still screened.

    With `pilot`, over that pilot round's sample only.
    """
    votes: dict[int, dict[str, str]] = {}
    rows = Vote.objects.filter(project=project, stage=stage, reference__merged_into__isnull=True)
    if pilot is not None:
        rows = rows.filter(reference__pilot=pilot)
    # A vote changed after another reviewer's counts as it first stood: the independent decision.
    rows = rows.values_list("reference_id", "reviewer__username", "vote", "first_vote")
    for reference_id, reviewer, vote, first_vote in rows:
        votes.setdefault(reference_id, {})[reviewer] = first_vote or vote
    return votes


def votes_changed_after_others(project: Project, stage: str) -> int:
    """Votes at `stage` changed after another reviewer voted on the same reference (flagged to
    leads; agreement counts them as first cast), over references still screened."""
    return Vote.objects.filter(
        project=project,
        stage=stage,
        changed_after_others_at__isnull=False,
        reference__merged_into__isnull=True,
    ).count()
