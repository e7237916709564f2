"""Full texts: the references waiting for their report, and a report's file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from .. import responses
from ..access import get_project_for_user
from ..errors import InvalidInput, ServiceError
from ..models import Reference, Report, Role
from ..selectors.references import REFERENCES_PAGE
from ..selectors.statuses import screened_references
from ..services import fulltext
from ..vocabulary import Stage, Status
from ._params import ERROR_PAGES

# The first tab is named for the lead's task rather than the status ("Awaiting full text"): it
# lists what they still have to fetch.
RETRIEVAL_TABS = {
    "awaiting": (Status.AWAITING_REPORT, "To retrieve"),
    "not_retrieved": (Status.NOT_RETRIEVED, Status.NOT_RETRIEVED.label),
}


@login_required
@require_http_methods(["GET", "POST"])
def full_text_queue(request: HttpRequest, slug: str) -> HttpResponse:
    """References that reached full text without a report: upload the PDF or mark it not found."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    if request.method == "POST":
        reference = get_object_or_404(Reference, pk=request.POST.get("reference"), project=project)
        try:
            if request.POST.get("action") == "not_retrieved":
                fulltext.report_mark_not_retrieved(
                    reference=reference, user=request.user, note=request.POST.get("note", "")
                )
                messages.success(request, f"Reference {reference.pk} marked not retrieved.")
            else:
                upload = request.FILES.get("file")
                if upload is None:
                    raise InvalidInput("Choose the PDF to upload.", field="file")
                report = fulltext.report_attach(
                    reference=reference, data=upload, filename=upload.name, user=request.user
                )
                messages.success(
                    request,
                    f"Reference {reference.pk}: {report.filename} kept ({report.pages} pages).",
                )
        except ERROR_PAGES:
            raise
        except ServiceError as error:
            messages.error(request, f"Reference {reference.pk}: {error.message}")
        return redirect(
            f"{reverse('full_text_queue', args=[slug])}?tab={request.GET.get('tab', 'awaiting')}"
        )
    tab = request.GET.get("tab", "awaiting")
    status, _ = RETRIEVAL_TABS.get(tab, RETRIEVAL_TABS["awaiting"])
    references = (
        screened_references(project)
        .filter(stage=Stage.FULL_TEXT, status=status)
        .select_related("report")
        .order_by("id")
    )
    page = Paginator(references, REFERENCES_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "screening/full_text_queue.html",
        {
            "project": project,
            "membership": membership,
            "page": page,
            "tab": tab,
            "tabs": [(key, label) for key, (_, label) in RETRIEVAL_TABS.items()],
        },
    )


@xframe_options_sameorigin  # shown inline on the screening page; still no framing elsewhere
@login_required
def report_file(request: HttpRequest, slug: str, reference_id: int) -> HttpResponse:
    """A reference's full text (PDF), to the project's members only."""
    project, _ = get_project_for_user(request.user, slug)
    return responses.full_text(
        get_object_or_404(Report, reference_id=reference_id, project=project)
    )
