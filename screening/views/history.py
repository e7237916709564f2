"""A project's history: the audit trail, filtered, on a page or as CSV."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import responses
from ..access import get_project_for_user
from ..reports import reference_exports
from ..selectors import history
from ..selectors.projects import project_members


@login_required
def project_history(request: HttpRequest, slug: str) -> HttpResponse:
    """The audit trail, filtered by kind, person and reference; `?format=csv` downloads it."""
    project, membership = get_project_for_user(request.user, slug)
    kind, actor = request.GET.get("kind", ""), request.GET.get("actor", "")
    reference_param = request.GET.get("reference", "").strip()
    reference = int(reference_param) if reference_param.isdigit() else None
    events = history.project_history(
        project, membership, kind=kind, actor=actor, reference=reference
    )
    if request.GET.get("format") == "csv":
        body = reference_exports.history_csv(events, formulas=responses.csv_formulas(request))
        return responses.attachment(body, f"{project.slug}-history.csv")
    page = Paginator(events, history.HISTORY_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "screening/project_history.html",
        {
            "project": project,
            "membership": membership,
            "page": page,
            "events": [(event, reference_exports.event_reference(event)) for event in page],
            "kinds": history.history_kinds(project),
            "people": project_members(project) if membership.leads else [],
            "kind": kind,
            "actor": actor,
            "reference": reference_param,
            "filters": filters.urlencode(),
            "bad_reference": bool(reference_param) and reference is None,
        },
    )
