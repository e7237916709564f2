"""Finding references, and the project's exclusion reasons with their keys."""

from __future__ import annotations

from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from ..models import ExclusionReason, Membership, Project, Reference, Vote
from .blinding import as_seen, blinding_for
from .statuses import screened_references
from .stopping import stopped_in_force

REFERENCES_PAGE = 50
MY_VOTE_FILTERS = ("include", "exclude", "maybe", "none")


def reference_search(
    project: Project,
    membership: Membership,
    *,
    text: str = "",
    stage: str = "",
    status: str = "",
    year: int | None = None,
    my_vote: str = "",
    my_vote_stage: str = "title_abstract",
) -> QuerySet[Reference]:
    """References still screened, found by words (title, abstract, journal, the full text's
    words), stage, status (as this member may see it), year and the member's own vote."""
    mine = Vote.objects.filter(
        reference=OuterRef("pk"), stage=my_vote_stage, reviewer_id=membership.user_id
    ).values("vote")[:1]
    # Pending on title and abstract, but out of the queue: the lead's stop left it unscreened.
    stopped = stopped_in_force(project, "title_abstract", unvoted=True).filter(
        reference=OuterRef("pk")
    )
    references = as_seen(screened_references(project), blinding_for(project, membership)).annotate(
        my_vote=Subquery(mine), stopped=Exists(stopped)
    )
    for word in text.split():
        references = references.filter(
            Q(title__icontains=word)
            | Q(abstract__icontains=word)
            | Q(journal__icontains=word)
            | Q(report__text__icontains=word)
        )
    if stage:
        references = references.filter(shown_stage=stage)
    if status:
        references = references.filter(shown_status=status)
    if year is not None:
        references = references.filter(year=year)
    if my_vote == "none":
        references = references.filter(my_vote__isnull=True)
    elif my_vote in MY_VOTE_FILTERS:
        references = references.filter(my_vote=my_vote)
    return references.order_by("id")


def exclusion_reasons(
    project: Project,
    *,
    offered: bool = False,
    votes: bool = False,
    viewer: AbstractBaseUser | None = None,
) -> list[ExclusionReason]:
    """The project's reasons in the lead's order, those reviewers proposed after; each with its
    `place` in the lead's list and its `key` (1-9, or None).

    A reason's key is its place in the lead's list, retired reasons included: retiring a reason
    leaves its key unused rather than shifting the keys after it, and a new reason goes last, so
    only the lead's move changes a key a reviewer learnt. `offered`: only those a new vote may
    name (listed, not retired). `votes`: with `votes_count`, the votes naming each (leads only:
    a reviewer would read other reviewers' votes in it). `viewer`: a reviewer (not a lead), who
    is shown only the proposals they made or their own votes name: another reviewer's proposal
    says that reviewer excluded a reference at full text, and why (blinding).
    """
    reasons = ExclusionReason.objects.filter(project=project).order_by("proposed", "position", "id")
    if viewer is not None:
        named = Vote.objects.filter(reason=OuterRef("pk"), reviewer=viewer)
        reasons = reasons.filter(Q(proposed=False) | Q(created_by=viewer) | Exists(named))
    if votes:
        reasons = reasons.annotate(votes_count=Count("votes"))
    listed = list(reasons)
    place = 0
    for reason in listed:
        place += not reason.proposed
        reason.place = None if reason.proposed else place
        reason.key = (
            reason.place if reason.place and reason.place <= 9 and not reason.retired else None
        )
    if offered:
        return [r for r in listed if not r.proposed and not r.retired]
    return listed


class OfferedReason(NamedTuple):
    """A reason a new vote may name, as a screening card offers it: with its key 1-9, or None."""

    pk: int
    name: str
    key: int | None


# Every screening card offers the reasons, and every vote from the page brings cards: so they are
# kept per project, and each service that changes a reason forgets them once it has committed.
# The timeout bounds how long a change made around the services (a data migration, the shell)
# stays unseen.
OFFERED_REASONS_SECONDS = 10 * 60


def offered_reasons(project: Project) -> list[OfferedReason]:
    """The reasons a new vote may name, in the lead's order, with their keys (the screening
    cards'); as `exclusion_reasons(project, offered=True)` says them, from the cache."""
    key = f"offered-reasons:{project.pk}"
    rows = cache.get(key)
    if rows is None:
        rows = [(r.pk, r.name, r.key) for r in exclusion_reasons(project, offered=True)]
        cache.set(key, rows, OFFERED_REASONS_SECONDS)
    return [OfferedReason(*row) for row in rows]


def forget_offered_reasons(project_id: int) -> None:
    """A reason of the project was added, renamed, retired, restored or moved."""
    cache.delete(f"offered-reasons:{project_id}")
