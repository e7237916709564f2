"""How far the project and each member have got: the dashboard's numbers and the team table."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q

from ..models import (
    DuplicateCandidate,
    DuplicateStatus,
    Membership,
    Project,
    Record,
    Reference,
    Search,
    Vote,
)
from ..vocabulary import Stage, VoteChoice
from ..workflow import SEES_ALL, Blinding
from .status_counts import status_counts
from .stopping import stopped_count

TA, FT = Stage.TITLE_ABSTRACT.value, Stage.FULL_TEXT.value


def project_counts(project: Project, *, blinding: Blinding = SEES_ALL) -> dict[str, Any]:
    """The dashboard's numbers: searches, records per database, references (statuses as shown
    to a viewer with `blinding`)."""
    per_database = dict(
        Search.objects.filter(project=project)
        .values_list("database")
        .annotate(n=Count("records"))
        .order_by("database")
    )
    # Both counts of references in one query: the query the stop's line below may cost is
    # paid for (the dashboard and duplicates pages keep their query budgets).
    references = Reference.objects.filter(project=project).aggregate(
        active=Count("id", filter=Q(merged_into__isnull=True)),
        merged=Count("id", filter=Q(merged_into__isnull=False)),
    )
    return {
        "searches": Search.objects.filter(project=project).count(),
        "records": Record.objects.filter(project=project).count(),
        "records_per_database": per_database,
        "references": references["active"],
        "duplicates_merged": references["merged"],
        "duplicates_pending": DuplicateCandidate.objects.filter(
            project=project, status=DuplicateStatus.PENDING
        ).count(),
        "stages": status_counts(project, blinding=blinding),
        # Counted among the pending on title and abstract, but out of the queue: the lead's stop
        # left them unscreened (selectors/stopping.py). One query, asked whatever the cache holds,
        # so that a page's query count does not depend on it.
        "stopped": stopped_count(project, TA),
    }


def reviewer_progress(
    project: Project, *, viewer_id: int, blinding: Blinding = SEES_ALL
) -> list[dict[str, Any]]:
    """Each member's votes per stage (how many, and of which kind), in one grouped query.

    Every member appears, voted or not. At a stage blind to the viewer, others' votes are hidden
    (None), their number too: it would tell whether the other reviewer has voted yet.
    """
    members = list(
        Membership.objects.filter(project=project).select_related("user").order_by("user__username")
    )
    counted: dict[tuple[int, str], dict[str, int]] = {}
    last_vote: dict[int, Any] = {}
    rows = (
        Vote.objects.filter(project=project, reference__merged_into__isnull=True)
        .values_list("reviewer_id", "stage", "vote")
        .annotate(n=Count("id"), last=Max("updated_at"))
        .order_by()
    )
    for reviewer_id, stage, vote, n, last in rows:
        counted.setdefault((reviewer_id, stage), {})[vote] = n
        if last_vote.get(reviewer_id) is None or last > last_vote[reviewer_id]:
            last_vote[reviewer_id] = last
    progress = []
    for member in members:
        own = member.user_id == viewer_id
        row: dict[str, Any] = {
            "reviewer": member.user.get_username(),
            "role": member.role,
            "last_vote_at": last_vote.get(member.user_id)
            if own or not blinding.blind_stages
            else None,
        }
        for stage in (TA, FT):
            shown = own or stage not in blinding.blind_stages
            kinds = counted.get((member.user_id, stage), {})
            row[stage] = {
                "votes": sum(kinds.values()) if shown else None,
                **{
                    choice.value: kinds.get(choice.value, 0) if shown else None
                    for choice in VoteChoice
                },
            }
        progress.append(row)
    return progress
