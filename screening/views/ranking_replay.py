"""The lead's replay page: start a replay of the title/abstract screening in ranked order, follow
its job, and read what ranking would have saved, in words and as two curves (leads and admins)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods

from ..access import get_project_for_user
from ..errors import ServiceError
from ..models import Job, JobStatus, Role
from ..reports.progress_svg import FOUND_COLOUR as RANKED_COLOUR
from ..reports.progress_svg import Curve, curves_svg
from ..services import ranking_replay as replays
from ._params import ERROR_PAGES

ACTUAL_COLOUR = "#b35c00"


def _percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def replay_sentences(result: dict[str, Any]) -> dict[str, str]:
    """The result in plain words: what ranked order would have needed, what the team needed."""
    records, includes = result["records"], result["includes"]
    ranked, actual = result["ranked"], result["actual"]
    share = _percent(result["recall"])
    return {
        "ranked": (
            f"In ranked order, {share} of your {includes:,} include"
            f"{'s' if includes != 1 else ''} would have been found after screening "
            f"{ranked['screened']:,} of {records:,} records "
            f"({_percent(ranked['share_screened'])}), saving {ranked['saved']:,} screening"
            f"{'s' if ranked['saved'] != 1 else ''}."
        ),
        "actual": (
            f"In the order your team screened them, the same {share} took "
            f"{actual['screened']:,} records ({_percent(actual['share_screened'])})."
        ),
    }


def replay_chart(result: dict[str, Any]) -> SafeString:
    """Includes found against records screened, ranked and as screened, as an inline SVG."""
    words = replay_sentences(result)
    svg = curves_svg(
        [
            Curve(
                "actual",
                result["curve"]["actual"],
                ACTUAL_COLOUR,
                "In the order your team screened them",
                dashed=True,
            ),
            Curve(
                "ranked", result["curve"]["ranked"], RANKED_COLOUR, "In ranked order (the replay)"
            ),
        ],
        x_top=result["records"],
        y_top=result["includes"],
        x_label="Records screened",
        title="Includes found against records screened",
        desc=f"{words['ranked']} {words['actual']}",
        ident="replay",
        heading=False,
    )
    return mark_safe(svg)  # noqa: S308 - curves_svg escapes every text


@login_required
@require_http_methods(["GET", "POST"])
def ranking_replay(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the newest replay, its progress or its result; POST: start one (leads and admins)."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    if request.method == "POST":
        try:
            replays.replay_start(project=project, user=request.user)
            messages.success(request, "The replay has started; this page follows it.")
        except ERROR_PAGES:
            raise
        except ServiceError as error:
            messages.error(request, error.message)
        return redirect("ranking_replay", slug=project.slug)
    job: Job | None = replays.replay_latest(project)
    context: dict[str, Any] = {"project": project, "membership": membership, "job": job}
    if job is not None and job.status == JobStatus.DONE and job.result.get("curve"):
        context["sentences"] = replay_sentences(job.result)
        context["chart"] = replay_chart(job.result)
    return render(request, "screening/ranking_replay.html", context)
