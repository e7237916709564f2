"""A project's history: its audit events, as a member may see them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ..models import AuditEvent, Membership, Project

HISTORY_PAGE = 100


def project_history(
    project: Project,
    membership: Membership,
    *,
    kind: str = "",
    actor: str = "",
    reference: int | None = None,
) -> QuerySet[AuditEvent]:
    """The project's audit events, newest first, as this member may see them.

    Leads and admins see every event. A reviewer sees only their own: the trail holds every
    vote with its reviewer, and screening is blind until a reference is decided. `kind` is the
    first part of the verb ("vote", "resolution", "report", ...); `reference` matches the events
    about one reference (votes, resolutions, reports and reopenings name it).
    """
    events = AuditEvent.objects.filter(project=project).select_related("actor")
    if not membership.leads:
        events = events.filter(actor=membership.user_id)
    if kind:
        events = events.filter(verb__startswith=f"{kind}.")
    if actor:
        events = events.filter(actor__username=actor)
    if reference is not None:
        events = events.filter(
            Q(after__reference=reference)
            | Q(before__reference=reference)
            | Q(object_type="reference", object_id=str(reference))
        )
    return events.order_by("-created_at", "-id")


def history_kinds(project: Project) -> list[str]:
    """The kinds of event this project's history holds, for the page's filter."""
    verbs = (
        AuditEvent.objects.filter(project=project)
        .order_by()
        .values_list("verb", flat=True)
        .distinct()
    )
    return sorted({verb.split(".")[0] for verb in verbs})
