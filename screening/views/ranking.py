"""Ranking as the pages show it: the progress curve, and the lead's seed references.

Both are loaded into the dashboard by htmx after the page, so the dashboard keeps its own query
budget; without script, their links open them as pages of their own.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from ..access import get_project_for_user
from ..errors import ServiceError
from ..models import Role
from ..reports.progress_svg import progress_svg
from ..selectors.ranking_progress import progress_visible, project_seeds, ranking_progress
from ..services.ranking_seeds import ranking_seed_mark, ranking_seed_unmark
from ._params import ERROR_PAGES, int_or_none


@login_required
def ranking_progress_chart(request: HttpRequest, slug: str) -> HttpResponse:
    """The curve of includes found against references screened at title and abstract, with the
    random-order line: leads always, reviewers once the stage is unblinded for them."""
    project, membership = get_project_for_user(request.user, slug)
    visible = progress_visible(project, membership)
    progress = ranking_progress(project) if visible else None
    return _part(
        request,
        "screening/partials/ranking_progress.html",
        "Progress of the screening",
        {
            "project": project,
            "membership": membership,
            "visible": visible,
            "progress": progress,
            # Our own drawing: every text in it is escaped by progress_svg.
            "chart": mark_safe(progress_svg(progress.found, progress.pool))  # noqa: S308
            if progress is not None
            else "",
            "expected": round(progress.expected(progress.screened), 1) if progress else None,
        },
    )


def _back(request: HttpRequest, slug: str) -> str:
    """Where the seed form came from (a page of ours), else the dashboard."""
    wanted = request.POST.get("next", "")
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("project_dashboard", args=[slug])


@login_required
@require_http_methods(["GET", "POST"])
def ranking_seeds(request: HttpRequest, slug: str) -> HttpResponse:
    """The lead's seed references: the list (for the dashboard's ranking block), and marking
    or unmarking one (leads and admins; a reviewer is not shown them: a seed is a known
    include, and knowing it would sway an independent vote)."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    if request.method == "POST":
        reference_id = int_or_none(request.POST.get("reference"))
        try:
            if reference_id is None:
                messages.error(request, "Choose a reference to mark.")
            elif request.POST.get("action") == "unmark":
                if ranking_seed_unmark(
                    project=project, reference_id=reference_id, user=request.user
                ):
                    messages.success(
                        request, f"Reference {reference_id} is no longer a known include."
                    )
            else:
                ranking_seed_mark(project=project, reference_id=reference_id, user=request.user)
                messages.success(
                    request,
                    f"Reference {reference_id} marked as a known include (seed): ranked "
                    "screening looks for references like it until includes are settled.",
                )
        except ERROR_PAGES:
            raise
        except ServiceError as error:
            messages.error(request, error.message)
        return redirect(_back(request, slug))
    return _part(
        request,
        "screening/partials/ranking_seeds.html",
        "Known includes (seeds)",
        {"project": project, "membership": membership, "seeds": project_seeds(project)},
    )


def _part(
    request: HttpRequest, part: str, heading: str, context: dict[str, object]
) -> HttpResponse:
    """The partial the dashboard loads (htmx), or the same as a page of its own."""
    if request.htmx:
        return render(request, part, context)
    return render(
        request, "screening/ranking_part.html", {**context, "part": part, "heading": heading}
    )
