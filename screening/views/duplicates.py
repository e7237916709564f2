"""Deduplication for leads: start a run, review the sets it was unsure of, undo any merge."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods

from ..access import get_project_for_user
from ..errors import ServiceError
from ..models import DuplicateCandidate, DuplicateStatus, JobKind, Project, Role
from ..selectors import duplicates
from ..selectors.blinding import blinding_for
from ..selectors.progress import project_counts
from ..services import merges
from ..services.jobs import job_create
from ._params import ERROR_PAGES, int_or_none

_DECIDED = {
    "merge": "Merged: the records now form one reference.",
    "reject": "Marked as not duplicates.",
    "unmerge": "Unmerged set {set}: every record is back in its own reference.",
    "undo_unmerge": "Set {set} merged again, as it was before the unmerge.",
    "reopen": "Set {set} reopened: it waits for a person again.",
}


@login_required
@require_http_methods(["GET", "POST"])
def duplicate_review(request: HttpRequest, slug: str) -> HttpResponse:
    """Leads review the sets dedup was unsure of, and can undo any merge."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    if request.method == "POST" and request.POST.get("action") == "run":
        with transaction.atomic():
            job = job_create(kind=JobKind.DEDUP, project=project, created_by=request.user)
        return redirect("job_status", job_id=job.pk)
    if request.method == "POST" and request.POST.get("action") == "merge_above":
        return _merge_above(request, project)
    if request.method == "POST":
        return _decide(request, project)
    status = request.GET.get("status", DuplicateStatus.PENDING)
    if status not in DuplicateStatus.values:
        status = DuplicateStatus.PENDING
    text = request.GET.get("q", "").strip()
    page = Paginator(
        duplicates.duplicate_set_ids(project, status=status, text=text), duplicates.DUPLICATES_PAGE
    ).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    for name in ("page", "unmerged"):
        filters.pop(name, None)
    unmerged = int_or_none(request.GET.get("unmerged"))
    return render(
        request,
        "screening/duplicate_review.html",
        {
            "project": project,
            "membership": membership,
            "status": status,
            "statuses": DuplicateStatus.choices,
            "query": text,
            "page": page,
            "page_links": page.paginator.get_elided_page_range(page.number, on_ends=1),
            "filters": filters.urlencode(),
            "sets": duplicates.duplicate_sets(project, list(page.object_list)),
            # Offered while the set stays as the unmerge left it; the service checks again.
            "undo": unmerged is not None
            and DuplicateCandidate.objects.filter(
                pk=unmerged,
                project=project,
                status=DuplicateStatus.REJECTED,
                survivor__isnull=False,
            ).first(),
            "counts": project_counts(project, blinding=blinding_for(project, membership)),
        },
    )


def _merge_above(request: HttpRequest, project: Project) -> HttpResponse:
    """Merge every waiting set scoring at least the posted score, then back to those waiting."""
    try:
        score = float(request.POST.get("score", ""))
    except ValueError:
        score = -1.0
    try:
        done = merges.duplicates_merge_above(project=project, score=score, actor=request.user)
    except ERROR_PAGES:
        raise
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        skipped = (
            f"; {done['skipped']} left waiting (merged elsewhere since, or decided "
            "differently: merge those one by one)"
            if done["skipped"]
            else ""
        )
        messages.success(
            request, f"Merged {done['merged']} set{pluralize(done['merged'])}{skipped}."
        )
    return redirect(f"{request.path}?status=pending")


def _decide(request: HttpRequest, project: Project) -> HttpResponse:
    """A lead's answer on one set, then back to the tab, page and search it was given from."""
    candidate = get_object_or_404(
        DuplicateCandidate, pk=int_or_none(request.POST.get("candidate")), project=project
    )
    action = request.POST.get("action", "")
    back = request.GET.copy()
    back.pop("survivor", None)
    try:
        if action == "undo_unmerge":
            merges.duplicate_unmerge_undo(candidate=candidate, actor=request.user)
        else:
            merges.duplicate_decide(
                candidate=candidate,
                action=action,
                actor=request.user,
                survivor=int_or_none(request.GET.get("survivor")),
            )
    except ERROR_PAGES:
        raise
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _DECIDED[action].format(set=candidate.pk))
        if action == "unmerge":
            back["unmerged"] = str(candidate.pk)  # the page offers to undo it
    back.setdefault("status", DuplicateStatus.PENDING)
    if action != "unmerge":
        back.pop("unmerged", None)
    return redirect(f"{request.path}?{back.urlencode()}")
