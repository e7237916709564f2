"""A project's own pages: the list, the dashboard, its members, settings, blinding and pilots."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from ..access import get_project_for_user
from ..errors import InvalidInput, NotAllowed, ServiceError
from ..forms import MemberForm, ProjectForm
from ..models import Membership, Project, Role
from ..selectors import projects
from ..selectors.blinding import blinding_for
from ..selectors.progress import project_counts, reviewer_progress
from ..services import pilots, ranking
from ..services.projects import (
    membership_remove,
    membership_set,
    project_create,
    project_screening_update,
    stage_blinding_set,
)
from ..services.ranking_seeds import ranking_retrain_every_set
from ..vocabulary import Stage
from ._params import ERROR_PAGES, stage_arg, stage_label


def home(request: HttpRequest) -> HttpResponse:
    return redirect("project_list" if request.user.is_authenticated else "login")


@login_required
@require_http_methods(["GET", "POST"])
def project_list(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = project_create(creator=request.user, **form.cleaned_data)
        except ERROR_PAGES:
            raise
        except ServiceError as error:
            form.add_error(error.extra.get("field") or None, error.message)
        else:
            messages.success(request, f"Project {project.name} created. You are its admin.")
            return redirect("project_dashboard", slug=project.slug)
    memberships = request.user.memberships.select_related("project").order_by("project__name")
    return render(
        request, "screening/project_list.html", {"memberships": memberships, "form": form}
    )


@login_required
def project_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    project, membership = get_project_for_user(request.user, slug)
    blinding = blinding_for(project, membership)
    counts = project_counts(project, blinding=blinding)
    return render(
        request,
        "screening/project_dashboard.html",
        {
            "project": project,
            "membership": membership,
            "counts": counts,
            "members": projects.project_members(project),
            "jobs": projects.project_recent_jobs(project),
            "reviewers": [
                {
                    **row,
                    "stages": [
                        {
                            "votes": row[stage]["votes"],
                            "kinds": [
                                row[stage][choice] for choice in ("include", "exclude", "maybe")
                            ],
                        }
                        for stage in (Stage.TITLE_ABSTRACT, Stage.FULL_TEXT)
                    ],
                }
                for row in reviewer_progress(project, viewer_id=request.user.pk, blinding=blinding)
            ],
            "stage_rows": [
                (
                    stage.label,
                    counts["stages"][stage],
                    stage,
                    stage in project.blinding.blind_stages,
                )
                for stage in (Stage.TITLE_ABSTRACT, Stage.FULL_TEXT)
            ],
            "blind_note": "a blind stage shows you every reference as pending, with your own "
            "votes, until a lead unblinds it"
            if blinding.blind_stages
            else "",
            "pilot": _pilot_context(project, membership),
            "ranking_rows": _ranking_rows(project) if membership.leads else [],
        },
    )


def _ranking_rows(project: Project) -> list[dict[str, object]]:
    """Each stage's order, for the lead's switch on the dashboard: read from the project's row,
    so the dashboard asks nothing more (the newest ranking is the API's and the jobs page's)."""
    return [
        {"stage": stage, "label": stage.label, "order": project.order_at(stage)}
        for stage in (Stage.TITLE_ABSTRACT, Stage.FULL_TEXT)
    ]


@login_required
@require_http_methods(["POST"])
def project_ranking(request: HttpRequest, slug: str) -> HttpResponse:
    """Set the order a stage is screened in, or retrain its ranking now (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    stage = stage_arg(request.POST.get("stage"))
    label = stage_label(stage)
    if request.POST.get("action") == "retrain":
        ranking.ranking_retrain_start(project=project, stage=stage, user=request.user)
        done = f"{label}: the ranking is being retrained; the queue keeps its order till then."
        if request.htmx:  # the dashboard's button, answered in place (static/js/ranking.js)
            return HttpResponse(format_html('<span role="status">{}</span>', done))
        messages.success(request, done)
    else:
        project = ranking.ranking_order_set(
            project=project, stage=stage, order=request.POST.get("order", ""), user=request.user
        )
        messages.success(
            request, f"{label} is screened in {project.order_at(stage).label.lower()}."
        )
    return redirect("project_dashboard", slug=slug)


@login_required
@require_http_methods(["POST"])
def project_blinding(request: HttpRequest, slug: str) -> HttpResponse:
    """Unblind a stage for the reviewers, or blind it again (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    stage = stage_arg(request.POST.get("stage"))
    blind = request.POST.get("blind") == "1"
    stage_blinding_set(project=project, stage=stage, blind=blind, user=request.user)
    label = stage_label(stage)
    messages.success(
        request,
        f"{label} is blind again: reviewers see their own votes only."
        if blind
        else f"{label} is unblinded: reviewers now see its outcomes and conflicts.",
    )
    return redirect("project_dashboard", slug=slug)


def _pilot_context(project: Project, membership: Membership) -> dict[str, object] | None:
    pilot = pilots.latest_pilot(project)
    if pilot is None:
        return None
    report = pilots.pilot_report(pilot)
    if not membership.leads:  # these would tell how, or whether, the others voted
        report.pop("agreement")
        report.pop("per_reviewer")
        report["screened"] = None
    return report


@login_required
@require_http_methods(["POST"])
def project_pilot(request: HttpRequest, slug: str) -> HttpResponse:
    """Start a pilot round of `size` references, or close the open one (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    try:
        if request.POST.get("action") == "close":
            pilots.pilot_close(project=project, user=request.user)
            messages.success(request, "Pilot round closed: screening goes on over every reference.")
        else:
            size = request.POST.get("size", "")
            if not size.isdigit():
                raise InvalidInput("The pilot's size must be a whole number of references.")
            pilot = pilots.pilot_start(project=project, size=int(size), user=request.user)
            messages.success(request, f"Pilot round started: {pilot.size} references drawn.")
    except ERROR_PAGES:
        raise
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("project_dashboard", slug=project.slug)


@login_required
def project_jobs(request: HttpRequest, slug: str) -> HttpResponse:
    """The recent-jobs panel, polled by htmx while any job is unfinished."""
    project, _ = get_project_for_user(request.user, slug)
    return render(
        request,
        "screening/partials/job_table.html",
        {"project": project, "jobs": projects.project_recent_jobs(project)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_members(request: HttpRequest, slug: str) -> HttpResponse:
    project, membership = get_project_for_user(request.user, slug)
    form = MemberForm(request.POST or None)
    if request.method == "POST":
        if not membership.administers:
            raise NotAllowed("Only the project's admins manage its members.")
        try:
            if "remove" in request.POST:
                membership_remove(
                    project=project, username=request.POST["remove"], actor=request.user
                )
                messages.success(request, f"{request.POST['remove']} removed from the project.")
                return redirect("project_members", slug=slug)
            if form.is_valid():
                _, created = membership_set(
                    project=project, actor=request.user, **form.cleaned_data
                )
                verb = "added as" if created else "is now"
                messages.success(
                    request, f"{form.cleaned_data['username']} {verb} {form.cleaned_data['role']}."
                )
                return redirect("project_members", slug=slug)
        except ERROR_PAGES:
            raise
        except ServiceError as error:
            messages.error(request, error.message)
    return render(
        request,
        "screening/project_members.html",
        {
            "project": project,
            "membership": membership,
            "members": projects.project_members(project),
            "form": form,
            "can_manage": membership.administers,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Eligibility criteria and the terms highlighted while screening (leads and admins)."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            with transaction.atomic():  # a bad retrain interval saves nothing
                if "ranking_retrain_every" in request.POST:
                    project = ranking_retrain_every_set(
                        project=project,
                        every=request.POST["ranking_retrain_every"],
                        user=request.user,
                    )
                project_screening_update(
                    project=project,
                    user=request.user,
                    eligibility_criteria=request.POST.get("eligibility_criteria", ""),
                    include_terms=request.POST.get("include_terms", ""),
                    exclude_terms=request.POST.get("exclude_terms", ""),
                )
        except InvalidInput as error:
            errors[error.extra.get("field", "")] = error.message
            project.refresh_from_db()
        else:
            messages.success(request, "Saved: reviewers see the new criteria and highlights now.")
            return redirect("project_settings", slug=project.slug)
    return render(
        request,
        "screening/project_settings.html",
        {"project": project, "membership": membership, "errors": errors, "posted": request.POST},
        status=400 if errors else 200,
    )
