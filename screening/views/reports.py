"""Agreement and PRISMA on one page, the downloads it links, and the exports page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from .. import agreement, responses
from ..access import get_project_for_user
from ..errors import NotFound
from ..models import Role
from ..reports import prisma_template, reference_exports
from ..reports.methods_text import methods_text
from ..reports.prisma_downloads import to_file
from ..reports.prisma_svg import to_svg
from ..selectors import conflicts
from ..selectors.prisma_counts import prisma_counts
from ..selectors.statuses import decided_references
from ..selectors.stopping import stop_in_force
from ..vocabulary import Stage, Status
from ._params import stage_filter

DOWNLOADS = {
    "prisma.json",
    "prisma.csv",
    "prisma.svg",
    "decisions.csv",
    "decisions.xlsx",
    "decisions.ris",
    "decisions.bib",
}


@login_required
def project_report(request: HttpRequest, slug: str) -> HttpResponse:
    """Agreement per stage and pair in numbers and words, and the PRISMA 2020 diagram, live."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    stages = []
    for stage in (Stage.TITLE_ABSTRACT, Stage.FULL_TEXT):
        found = agreement.agreement_report(conflicts.votes_by_reference(project, stage))
        stages.append(
            {
                "label": stage.label,
                "report": found,
                "reading": agreement.kappa_reading(found.cohen_kappa),
                "changed": conflicts.votes_changed_after_others(project, stage),
                "pairs": [
                    (pair, agreement.kappa_reading(pair.cohen_kappa)) for pair in found.pairs
                ],
            }
        )
    counts = prisma_counts(project)
    svg = to_svg(counts, review_type=project.review_type, title=project.name)
    # The page's own parts (the dashboard's htmx load of the partial asks none of them): the
    # lead's stop under the diagram, and the methods paragraph (issue 18).
    page_only = (
        {}
        if request.htmx
        else {
            "stop": stop_in_force(project, Stage.TITLE_ABSTRACT),
            "methods_text": methods_text(project),
        }
    )
    return render(
        request,
        # The dashboard loads the same agreement and diagram once it is on screen (htmx).
        "screening/partials/report_live.html" if request.htmx else "screening/project_report.html",
        {
            "project": project,
            "membership": membership,
            "stages": stages,
            "counts": counts,
            "prisma_svg": mark_safe(svg),  # noqa: S308 - drawn by to_svg, every text escaped
            **page_only,
        },
    )


@login_required
def project_methods_text(request: HttpRequest, slug: str) -> HttpResponse:
    """The methods paragraph of the screening as a plain-text file (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    body = methods_text(project).encode()
    return responses.attachment(body, f"{project.slug}-methods.txt")


@login_required
def project_download(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    """The report page's downloads: what the API's prisma and export endpoints give, as files."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    if name not in DOWNLOADS:
        raise NotFound("No such download")
    kind, format = name.split(".")
    if kind == "prisma":
        template = request.GET.get("template", prisma_template.CURRENT_TEMPLATE)
        body = to_file(
            prisma_counts(project),
            format,
            review_type=project.review_type,
            title=project.name,
            # An unknown template falls back to the current one: a page link, not an API call.
            template=template
            if template in prisma_template.CSV_TEMPLATES
            else prisma_template.CURRENT_TEMPLATE,
        )
        return responses.attachment(body, f"{project.slug}-{name}")
    references = decided_references(
        project,
        stage_filter(request.GET.get("stage")),
        Status.parse(request.GET.get("status"), default=""),
    )
    body = reference_exports.decisions_file(
        list(references), format, csv_formulas=responses.csv_formulas(request)
    )
    return responses.attachment(body, f"{project.slug}-{name}")


@login_required
def project_exports(request: HttpRequest, slug: str) -> HttpResponse:
    """Every download in one place: decisions at a stage and status, PRISMA, the history."""
    project, membership = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    return render(
        request,
        "screening/project_exports.html",
        {"project": project, "membership": membership, "statuses": [s.value for s in Status]},
    )
