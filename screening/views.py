"""Pages. Each view: parse a form, authorise with one helper, call a service or selector, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from . import deduplication, exports, pilots, progress, selectors, services
from .access import get_project_for_user
from .errors import InvalidInput, ServiceError
from .forms import COMMON_DATABASES, MemberForm, ProjectForm, SearchImportForm
from .jobs import job_create
from .models import (
    DuplicateCandidate,
    DuplicateStatus,
    JobKind,
    Membership,
    Project,
    Record,
    Role,
    Search,
)
from .workflow import Stage


def home(request: HttpRequest) -> HttpResponse:
    return redirect("project_list" if request.user.is_authenticated else "login")


@login_required
@require_http_methods(["GET", "POST"])
def project_list(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(creator=request.user, **form.cleaned_data)
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
    sees_all = membership.allows(Role.LEAD)
    counts = selectors.project_counts(project, sees_all_votes=sees_all)
    return render(
        request,
        "screening/project_dashboard.html",
        {
            "project": project,
            "membership": membership,
            "counts": counts,
            "members": selectors.project_members(project),
            "jobs": selectors.project_recent_jobs(project),
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
                for row in progress.reviewer_progress(
                    project, viewer_id=request.user.pk, sees_all_votes=sees_all
                )
            ],
            "stage_rows": [
                ("Title and abstract", counts["stages"][Stage.TITLE_ABSTRACT]),
                ("Full text", counts["stages"][Stage.FULL_TEXT]),
            ],
            "pilot": _pilot_context(project, membership),
        },
    )


def _pilot_context(project: Project, membership: Membership) -> dict[str, object] | None:
    pilot = pilots.latest_pilot(project)
    if pilot is None:
        return None
    report = pilots.pilot_report(pilot)
    if not membership.allows(Role.LEAD):  # the agreement would tell how the others voted
        report.pop("agreement")
        report.pop("per_reviewer")
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
        {"project": project, "jobs": selectors.project_recent_jobs(project)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_members(request: HttpRequest, slug: str) -> HttpResponse:
    project, membership = get_project_for_user(request.user, slug)
    form = MemberForm(request.POST or None)
    if request.method == "POST":
        if not membership.allows(Role.ADMIN):
            raise PermissionDenied("Only the project's admins manage its members.")
        try:
            if "remove" in request.POST:
                services.membership_remove(
                    project=project, username=request.POST["remove"], actor=request.user
                )
                messages.success(request, f"{request.POST['remove']} removed from the project.")
                return redirect("project_members", slug=slug)
            if form.is_valid():
                _, created = services.membership_set(
                    project=project, actor=request.user, **form.cleaned_data
                )
                verb = "added as" if created else "is now"
                messages.success(
                    request, f"{form.cleaned_data['username']} {verb} {form.cleaned_data['role']}."
                )
                return redirect("project_members", slug=slug)
        except ServiceError as error:
            messages.error(request, error.message)
    return render(
        request,
        "screening/project_members.html",
        {
            "project": project,
            "membership": membership,
            "members": selectors.project_members(project),
            "form": form,
            "can_manage": membership.allows(Role.ADMIN),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def search_import(request: HttpRequest, slug: str) -> HttpResponse:
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    form = SearchImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            form.add_error("file", f"The file is larger than {settings.UPLOAD_MAX_BYTES} bytes.")
        else:
            try:
                job = services.search_import_enqueue(
                    project=project,
                    data=upload,
                    filename=upload.name,
                    user=request.user,
                    **{k: v for k, v in form.cleaned_data.items() if k != "file"},
                )
            except ServiceError as error:
                form.add_error(error.extra.get("field") or None, error.message)
            else:
                return redirect("job_status", job_id=job.pk)
    return render(
        request,
        "screening/search_import.html",
        {"project": project, "membership": membership, "form": form, "databases": COMMON_DATABASES},
    )


@login_required
def search_list(request: HttpRequest, slug: str) -> HttpResponse:
    project, membership = get_project_for_user(request.user, slug)
    return render(
        request,
        "screening/search_list.html",
        {
            "project": project,
            "membership": membership,
            "searches": Search.objects.filter(project=project).select_related("created_by"),
        },
    )


@login_required
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's progress; polled by htmx until it is done, then its result."""
    job = selectors.job_for_user(request.user, job_id)
    project: Project | None = job.project
    context = {"job": job, "project": project}
    if job.kind == JobKind.IMPORT and job.result.get("search"):
        search = Search.objects.filter(pk=job.result["search"]).first()
        context["search"] = search
        context["first_records"] = Record.objects.filter(search=search).order_by("position")[:10]
    template = "screening/partials/job_status.html" if request.htmx else "screening/job_status.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def duplicate_review(request: HttpRequest, slug: str) -> HttpResponse:
    """Leads review the sets dedup was unsure of, and can undo any merge."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    if request.method == "POST" and request.POST.get("action") == "run":
        with transaction.atomic():
            job = job_create(kind=JobKind.DEDUP, project=project, created_by=request.user)
        return redirect("job_status", job_id=job.pk)
    if request.method == "POST":
        candidate = get_object_or_404(
            DuplicateCandidate, pk=request.POST.get("candidate"), project=project
        )
        try:
            deduplication.duplicate_decide(
                candidate=candidate, action=request.POST.get("action", ""), actor=request.user
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _DECIDED[request.POST["action"]])
        return redirect(f"{request.path}?status={request.GET.get('status', 'pending')}")
    status = request.GET.get("status", DuplicateStatus.PENDING)
    if status not in DuplicateStatus.values:
        status = DuplicateStatus.PENDING
    return render(
        request,
        "screening/duplicate_review.html",
        {
            "project": project,
            "membership": membership,
            "status": status,
            "statuses": DuplicateStatus.choices,
            "sets": selectors.duplicate_sets(project, status=status),
            "counts": selectors.project_counts(
                project, sees_all_votes=membership.allows(Role.LEAD)
            ),
        },
    )


_DECIDED = {
    "merge": "Merged: the records now form one reference.",
    "reject": "Marked as not duplicates.",
    "unmerge": "Unmerged: every record is back in its own reference.",
}


@login_required
def project_history(request: HttpRequest, slug: str) -> HttpResponse:
    """The audit trail, filtered by kind, person and reference; `?format=csv` downloads it."""
    project, membership = get_project_for_user(request.user, slug)
    kind, actor = request.GET.get("kind", ""), request.GET.get("actor", "")
    reference_param = request.GET.get("reference", "").strip()
    reference = int(reference_param) if reference_param.isdigit() else None
    events = selectors.project_history(
        project, membership, kind=kind, actor=actor, reference=reference
    )
    if request.GET.get("format") == "csv":
        response = HttpResponse(exports.history_csv(events), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{project.slug}-history.csv"'
        return response
    page = Paginator(events, selectors.HISTORY_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "screening/project_history.html",
        {
            "project": project,
            "membership": membership,
            "page": page,
            "events": [(event, exports.event_reference(event)) for event in page],
            "kinds": selectors.history_kinds(project),
            "people": selectors.project_members(project) if membership.allows(Role.LEAD) else [],
            "kind": kind,
            "actor": actor,
            "reference": reference_param,
            "filters": filters.urlencode(),
            "bad_reference": bool(reference_param) and reference is None,
        },
    )
