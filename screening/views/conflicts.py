"""Conflicts, for leads: both votes side by side, and the lead's decision on each."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ..access import get_project_for_user
from ..errors import ServiceError
from ..models import Reference, Role
from ..selectors import conflicts as conflict_reads
from ..selectors.references import exclusion_reasons
from ..services.conflicts import resolution_record
from ._params import ERROR_PAGES, stage_filter


@login_required
@require_http_methods(["GET", "POST"])
def conflict_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Conflicts with both votes side by side; a lead decides each (keys I and E on the first)."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    stage = stage_filter(request.GET.get("stage"))
    if request.method == "POST":
        reference = get_object_or_404(Reference, pk=request.POST.get("reference"), project=project)
        try:
            resolution, status = resolution_record(
                reference=reference,
                stage=request.POST.get("stage", ""),
                decision=request.POST.get("decision", ""),
                reason=request.POST.get("reason", ""),
                note=request.POST.get("note", ""),
                user=request.user,
            )
            messages.success(
                request, f"Reference {reference.pk}: {resolution.decision}d ({status.value})."
            )
        except ERROR_PAGES:
            raise
        except ServiceError as error:
            messages.error(request, f"Reference {reference.pk}: {error.message}")
        pair = request.GET.get("pair", "")
        return redirect(f"{reverse('conflict_list', args=[slug])}?stage={stage}&pair={pair}")
    pair = tuple(request.GET.get("pair", "").split(",", 1))
    between = pair if len(pair) == 2 else None
    conflicts = conflict_reads.conflicts_with_votes(
        list(conflict_reads.conflicts(project, stage, between=between)[:50])
    )
    return render(
        request,
        "screening/conflict_list.html",
        {
            "project": project,
            "membership": membership,
            "conflicts": conflicts,
            "stage": stage,
            "pairs": [
                (",".join(p), " and ".join(p)) for p in conflict_reads.conflict_pairs(project)
            ],
            "pair": ",".join(between) if between else "",
            "reasons": exclusion_reasons(project, offered=True),
        },
    )
