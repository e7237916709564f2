"""Identification: importing a database's export as a search, the searches, a job's progress."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..access import get_project_for_user
from ..errors import ServiceError
from ..forms import COMMON_DATABASES, SearchImportForm
from ..models import JobKind, Project, Record, Role, Search
from ..selectors.projects import job_for_user
from ..services.imports import search_import_enqueue
from ._params import ERROR_PAGES


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
                job = search_import_enqueue(
                    project=project,
                    data=upload,
                    filename=upload.name,
                    details=form.search_details(),
                    user=request.user,
                )
            except ERROR_PAGES:
                raise
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
    job = job_for_user(request.user, job_id)
    project: Project | None = job.project
    context = {"job": job, "project": project}
    if job.kind == JobKind.IMPORT and job.result.get("search"):
        search = Search.objects.filter(pk=job.result["search"]).first()
        context["search"] = search
        context["first_records"] = Record.objects.filter(search=search).order_by("position")[:10]
    if request.htmx:
        return render(request, "screening/partials/job_status.html", context)
    if project is not None:
        # The whole page shows the project's menu, which offers a lead's pages to leads only.
        _, context["membership"] = get_project_for_user(request.user, project.slug)
    return render(request, "screening/job_status.html", context)
