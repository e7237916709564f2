"""Reads that span relations: what pages and endpoints show."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from . import deduplication, progress
from .dedup import carry
from .models import (
    AuditEvent,
    DuplicateCandidate,
    DuplicateStatus,
    Job,
    Membership,
    Project,
    Record,
    Reference,
    Role,
    Search,
    Vote,
)
from .workflow import SEES_ALL, Blinding


def project_counts(project: Project, *, blinding: Blinding = SEES_ALL) -> dict[str, Any]:
    """The dashboard's numbers: searches, records per database, references (statuses as shown
    to a viewer with `blinding`)."""
    per_database = dict(
        Search.objects.filter(project=project)
        .values_list("database")
        .annotate(n=Count("records"))
        .order_by("database")
    )
    return {
        "searches": Search.objects.filter(project=project).count(),
        "records": Record.objects.filter(project=project).count(),
        "records_per_database": per_database,
        "references": Reference.objects.active().filter(project=project).count(),
        "duplicates_merged": Reference.objects.filter(
            project=project, merged_into__isnull=False
        ).count(),
        "duplicates_pending": DuplicateCandidate.objects.filter(
            project=project, status=DuplicateStatus.PENDING
        ).count(),
        "stages": progress.status_counts(project, blinding=blinding),
    }


def project_members(project: Project) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(project=project).select_related("user").order_by("user__username")
    )


def project_recent_jobs(project: Project, limit: int = 10) -> QuerySet[Job]:
    return Job.objects.filter(project=project).select_related("created_by")[:limit]


def job_for_user(user: AbstractBaseUser, job_id: int) -> Job:
    """A job the user may see: one of their projects' jobs, or one they started. Else 404."""
    job = Job.objects.filter(pk=job_id).select_related("project").first()
    if job is None:
        raise Http404("No such job")
    if job.project_id is None:
        if job.created_by_id != user.pk and not user.is_staff:
            raise Http404("No such job")
    elif not Membership.objects.filter(project_id=job.project_id, user=user).exists():
        raise Http404("No such job")
    return job


COMPARED_FIELDS = [
    ("title", "Title"),
    ("authors", "Authors"),
    ("year", "Year"),
    ("journal", "Journal"),
    ("volume", "Volume"),
    ("issue", "Issue"),
    ("pages", "Pages"),
    ("doi", "DOI"),
    ("pmid", "PMID"),
]


DUPLICATES_PAGE = 20


def duplicate_set_ids(project: Project, *, status: str, text: str = "") -> Sequence[int]:
    """The ids of a tab's duplicate sets, strongest first, for a Paginator: every set, or those
    holding a reference whose title, authors or DOI contain each word (a number also finds the
    reference with that id)."""
    sets = DuplicateCandidate.objects.filter(project=project, status=status).order_by(
        "-score", "id"
    )
    words = text.split()
    if not words:
        return sets.values_list("pk", flat=True)
    found = Reference.objects.filter(project=project)
    for word in words:
        number = word.removeprefix("#")
        matches = Q(title__icontains=word) | Q(authors__icontains=word) | Q(doi__icontains=word)
        # SQLite keeps JSON with non-ASCII letters escaped ("M\u00fcller"): look for that too.
        escaped = json.dumps(word)[1:-1]
        if escaped != word:
            matches |= Q(authors__icontains=escaped)
        if number.isdigit():
            matches |= Q(pk=int(number))
        found = found.filter(matches)
    wanted = set(found.values_list("pk", flat=True))
    # A set's references are a JSON list, which no lookup searches on both databases alike:
    # read the tab's lists (ids only) and keep the sets that hold a reference found. On 20,000
    # sets this took 0.27-0.29 s on PostgreSQL against 0.26-0.40 s for an EXISTS over
    # jsonb_array_elements (which searches the references twice: for the count and the page).
    return [
        pk for pk, members in sets.values_list("pk", "references") if not wanted.isdisjoint(members)
    ]


def duplicate_sets(project: Project, ids: Sequence[int]) -> list[dict[str, Any]]:
    """These duplicate sets (one page of them) for the review page, in this order: each
    reference's fields side by side, differences marked, each record named by its source."""
    order = {pk: position for position, pk in enumerate(ids)}
    candidates = sorted(
        DuplicateCandidate.objects.filter(pk__in=list(ids), project=project).select_related(
            "decided_by"
        ),
        key=lambda c: order[c.pk],
    )
    members_of = {pk for c in candidates for pk in c.references}
    sources = Record.objects.select_related("search").only(
        "reference_id", "method", "search__database", "search__filename"
    )
    references = {
        r.pk: r
        for r in Reference.objects.filter(pk__in=members_of, project=project).prefetch_related(
            Prefetch("records", queryset=sources.order_by("pk"))
        )
    }
    # Decisions already taken on the references: where they differ, the merge must say whose
    # stand. Only waiting sets are merged, so only theirs are read.
    held = deduplication.held_decisions_by_reference(
        sorted(
            {pk for c in candidates if c.status == DuplicateStatus.PENDING for pk in c.references}
        )
    )
    sets = []
    for candidate in candidates:
        members = [references[pk] for pk in candidate.references if pk in references]
        differences = carry.clashes(deduplication.decisions_of(held, candidate.references))
        rows = []
        for name, label in COMPARED_FIELDS:
            values = [_shown(getattr(r, name)) for r in members]
            rows.append({"label": label, "values": values, "differs": len(set(values)) > 1})
        sets.append(
            {
                "candidate": candidate,
                "references": members,
                "rows": rows,
                "columns": [(r, _sources_of(r, members, candidate)) for r in members],
                "differences": [str(clash) for clash in differences],
                "survivors": carry.survivors(differences, candidate.references),
            }
        )
    return sets


def _sources_of(
    reference: Reference, members: list[Reference], candidate: DuplicateCandidate
) -> list[str]:
    """The sources of the records a reference brought to its set: in a merged set, the
    survivor holds them all, and the merge's moves say which came from which reference."""
    came_from = {move["record"]: move["from"] for move in candidate.moves if "record" in move}
    records = [
        record
        for member in members
        for record in member.records.all()
        if came_from.get(record.pk, record.reference_id) == reference.pk
    ]
    if not records and reference.merged_into_id is not None:
        return [f"records now in reference {reference.merged_into_id}"]
    return record_sources(records)


def record_sources(records: Iterable[Record]) -> list[str]:
    """Where a reference's records came from, in import order: "PubMed · pubmed.nbib" (the
    database, else "unknown source", and the file), or the other method that found one."""
    counts: dict[str, int] = {}
    for record in records:
        if record.search is None:
            label = record.get_method_display() or "unknown source"
        else:
            database = record.search.database.strip() or "unknown source"
            filename = record.search.filename.strip()
            label = f"{database} · {filename}" if filename else database
        counts[label] = counts.get(label, 0) + 1
    return [f"{label} ({n} records)" if n > 1 else label for label, n in counts.items()]


def _shown(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


# A project's history -------------------------------------------------------------------------

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
    if not membership.allows(Role.LEAD):
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


# Finding references ----------------------------------------------------------------------------

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
    references = progress.as_seen(
        progress.screened_references(project), progress.blinding_for(project, membership)
    ).annotate(my_vote=Subquery(mine))
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
