"""Finding references: by words, stage, status, year and one's own vote."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..access import get_project_for_user
from ..selectors.ranking_progress import seed_ids
from ..selectors.references import REFERENCES_PAGE, reference_search
from ..vocabulary import Status
from ._params import stage_arg, stage_filter


@login_required
def reference_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Find references: words, stage, status, year, one's own vote; each opens on the screen."""
    project, membership = get_project_for_user(request.user, slug)
    query = request.GET
    year = query.get("year", "").strip()
    my_vote_stage = stage_arg(query.get("vote_stage"))
    references = reference_search(
        project,
        membership,
        text=query.get("q", ""),
        stage=stage_filter(query.get("stage")),
        status=query.get("status", ""),
        year=int(year) if year.isdigit() else None,
        my_vote=query.get("mine", ""),
        my_vote_stage=my_vote_stage,
    )
    page = Paginator(references, REFERENCES_PAGE).get_page(query.get("page"))
    # Which of the page's references the lead marked as known includes (leads only: a reviewer
    # told which references are known includes would no longer vote independently).
    seeds = seed_ids(project, [r.pk for r in page]) if membership.leads else set()
    filters = query.copy()
    filters.pop("page", None)
    return render(
        request,
        "screening/reference_list.html",
        {
            "project": project,
            "membership": membership,
            "page": page,
            "filters": filters.urlencode(),
            "query": query,
            "statuses": [s.value for s in Status],
            "bad_year": bool(year) and not year.isdigit(),
            "seeds": seeds,
            "here": request.get_full_path(),
        },
    )
